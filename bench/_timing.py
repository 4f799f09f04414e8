"""Timing for the benchmarks that weigh one piece of work against a baseline in the same run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def fastest(work: Callable[[], T], rounds: int) -> tuple[float, T]:
    """The fastest of `rounds` runs of `work`, in seconds, and what it made: other load only ever adds time."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        made = work()
        best = min(best, time.perf_counter() - started)
    return best, made
