"""Skipping add1 endowments never changes an outcome.

The add1 loop skips endowments at which, by :mod:`pb.counting.stability`, a run would
decide exactly as the last one computed. These tests count with and without skipping, and
check the claimed stable ranges run by run.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.counting import Instance, Profile, count, mes, read_pb
from pb.counting import equalshares as equalshares_module
from pb.counting.election import compile_election
from pb.counting.stability import stable_steps
from pb.counting.tiebreak import DEFAULT_TIE_BREAK, tie_ranks

from .conftest import PB_FILES
from .test_properties import elections

SMALL = [path for path in PB_FILES if path.stat().st_size < 100_000]
VARIANTS: list[dict[str, Any]] = [
    {},
    {"utility": "score"},
    {"stop_when_exhaustive": True, "greedy_fill": True},
    {"increment": 7},
]


def _without_details(outcome: Any) -> dict[str, Any]:
    data = outcome.to_dict()
    del data["details"]
    return data


def _both_ways(instance: Instance, profile: Profile, options: dict[str, Any]) -> tuple[Any, Any]:
    skipping = count(instance, profile, "equalshares/add1", **options)
    equalshares_module.SKIP = False
    try:
        plain = count(instance, profile, "equalshares/add1", **options)
    finally:
        equalshares_module.SKIP = True
    return skipping, plain


@pytest.mark.parametrize("path", SMALL, ids=lambda p: p.stem)
def test_skipping_changes_nothing_on_real_files(path: Path) -> None:
    instance, profile = read_pb(path)
    skipping, plain = _both_ways(instance, profile, {})
    assert _without_details(skipping) == _without_details(plain)
    assert skipping.details["endowment"] == plain.details["endowment"]


@settings(deadline=None, max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(elections(("approval", "cumulative", "ordinal")), st.sampled_from(VARIANTS))
def test_skipping_changes_nothing_on_random_elections(
    election: tuple[Instance, Profile], options: dict[str, Any]
) -> None:
    skipping, plain = _both_ways(*election, options)
    assert _without_details(skipping) == _without_details(plain)
    if plain.details.get("stopped_because") != "all-funded":
        assert skipping.details["endowment"] == plain.details["endowment"]


@settings(deadline=None, max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(elections(("approval", "cumulative")), st.integers(0, 40), st.sampled_from([1, 3, Fraction(1, 2)]))
def test_claimed_stable_ranges_really_are(election: tuple[Instance, Profile], start: int, step: Fraction) -> None:
    """Every run inside a claimed range buys the same projects in the same order, each
    supporter paying all it has or in full exactly as in the analysed run."""
    instance, profile = election
    compiled = compile_election(instance, profile)
    data = mes.prepare(compiled, tie_ranks(compiled, DEFAULT_TIE_BREAK), "cost")
    analysed = mes.run(data, start, record=True)
    steps = stable_steps(data, analysed, start, step)
    checked = 25 if steps is None else min(steps, 25)
    for i in range(1, checked + 1):
        later = mes.run(data, start + i * step)
        assert later.selected == analysed.selected


def test_a_tiny_electorate_with_a_large_budget_is_fast() -> None:
    # Three voters and £60,000 in pence: stepping by a penny means 625,001 endowments.
    instance = Instance.create({"park": 4_000_000, "library": 2_500_000}, 6_000_000)
    profile = Profile.from_approvals([["park"], ["park", "library"], ["library"]])
    outcome = count(instance, profile, "equalshares/add1")
    assert outcome.selected == ["library"]
    assert outcome.details["endowment"] == 2_624_999
    assert outcome.details["rounds"] < 20
    assert outcome.details["rounds"] + outcome.details["skipped"] >= 625_000
