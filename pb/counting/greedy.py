"""The greedy rules Pabulib records: ``greedy``, ``greedy-no-skip``, ``greedy-threshold``.

Projects are considered by total score (number of votes for approval ballots), highest
first, ties settled by the tie-break order; each one that fits in the money left is funded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pb.counting.election import Election
from pb.counting.model import Money


@dataclass
class RuleRun:
    """What a rule decided: funded projects in order, and per-project explanation fields
    (the keyword arguments of :class:`~pb.counting.outcome.ProjectResult` beyond the
    project's own data)."""

    selected: list[int] = field(default_factory=list)
    fates: dict[int, dict[str, Any]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def greedy_order(election: Election, ranks: list[int]) -> list[int]:
    """Projects by total score, highest first, ties by the tie-break order."""
    return sorted(range(election.n_projects), key=lambda p: (-election.scores[p], ranks[p]))


def greedy(
    election: Election,
    ranks: list[int],
    *,
    skip: bool = True,
    threshold: Money | None = None,
) -> RuleRun:
    """Run greedy.

    ``skip=False`` stops at the first project that does not fit (``greedy-no-skip``);
    ``threshold`` leaves out projects whose total score is below it (``greedy-threshold``;
    compared in the ballots' own units).
    """
    result = RuleRun()
    left = election.budget
    stopped = False
    for position, p in enumerate(greedy_order(election, ranks), start=1):
        cost = election.costs[p]
        if threshold is not None and election.unscaled_score(p) < threshold:
            result.fates[p] = {"status": "below-threshold", "position": position}
            continue
        if stopped:
            result.fates[p] = {"status": "not-reached", "position": position}
            continue
        fate: dict[str, Any] = {"position": position, "budget_left": left}
        if cost <= left:
            result.selected.append(p)
            left -= cost
            fate["status"] = "funded"
        elif skip:
            fate["status"] = "does-not-fit"
        else:
            fate["status"] = "stopped-count"
            stopped = True
        result.fates[p] = fate
    return result


def fill_greedily(election: Election, ranks: list[int], run: RuleRun, stage: str = "fill") -> None:
    """Complete ``run`` with greedy over the money it left: each project not yet funded, by
    score, is funded when it fits (the equalshares.net completion)."""
    chosen = set(run.selected)
    left = election.budget - sum(election.costs[p] for p in run.selected)
    for p in greedy_order(election, ranks):
        if p in chosen:
            continue
        cost = election.costs[p]
        if cost <= left:
            run.selected.append(p)
            chosen.add(p)
            run.fates[p] = {"status": "funded", "stage": stage, "budget_left": left}
            left -= cost
        else:
            fate = run.fates.setdefault(p, {"status": "does-not-fit"})
            fate["budget_left"] = left
