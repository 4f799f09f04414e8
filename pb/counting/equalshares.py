"""The Method of Equal Shares and its completions, as Pabulib and equalshares.net use them.

* plain ``equalshares``: each voter gets budget / n, one run of MES;
* ``equalshares/add1`` (Pabulib): each voter starts with ⌊budget / n⌋; MES is run, then the
  endowment rises by one currency unit and MES is run again, and so on; each outcome is
  accepted while its total cost fits the budget, and the first overspending outcome stops
  the loop (the last accepted outcome is the result);
* the equalshares.net variants add ``stop_when_exhaustive`` (stop at the first outcome to
  which no further project fits) and ``greedy_fill`` (spend what is left greedily);
* ``-comparison`` variants compare the outcome with plain greedy, voter by voter.

``n`` counts every ballot, empty ones included.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from pb.counting import mes
from pb.counting.election import Election
from pb.counting.greedy import RuleRun, fill_greedily, greedy
from pb.counting.model import Money
from pb.counting.stability import stable_steps


def equal_shares(
    election: Election,
    ranks: list[int],
    *,
    utility: str = "cost",
    add1: bool = False,
    stop_when_exhaustive: bool = False,
    greedy_fill: bool = False,
    increment: Money = 1,
) -> RuleRun:
    """Count with MES (``add1`` selects the Pabulib add1 completion, raising each voter's
    endowment by ``increment`` money units per step)."""
    data = mes.prepare(election, ranks, utility)
    n = election.n_voters
    result = RuleRun()
    if n == 0 or not data.candidates:
        final = mes.MesRun()
        result.details = {"endowment": 0, "rounds": 0}
    elif not add1:
        endowment = Fraction(election.budget) / n
        final = mes.run(data, endowment)
        result.details = {"endowment": endowment, "rounds": 1}
    else:
        final, details = _add1(data, stop_when_exhaustive, increment)
        result.details = details
    _explain(data, final, result)
    if greedy_fill:
        fill_greedily(election, ranks, result)
    return result


# Runs are recorded for the stability analysis only on elections with at most this many
# distinct ballots: large electorates need few add1 steps, small ones very many.
SKIP_MAX_GROUPS = 5_000
SKIP = True  # tests turn this off to check that skipping never changes an outcome


def _add1(data: mes.MesData, stop_when_exhaustive: bool, increment: Money) -> tuple[mes.MesRun, dict[str, object]]:
    """The add1 loop; returns the accepted run and figures describing the loop.

    Endowments at which, provably, the run would decide exactly as at the last one
    computed (see :mod:`pb.counting.stability`) are skipped: their outcome is the same.
    """
    election = data.election
    budget = election.budget
    endowment: Money = math.floor(Fraction(budget) / election.n_voters)
    everything = len(data.candidates)
    record = SKIP and len(election.mult) <= SKIP_MAX_GROUPS
    accepted: mes.MesRun | None = None
    accepted_at: Money = endowment
    rounds = skipped = 0
    # The analysis costs several runs; after a fruitless one, wait 1, 2, 4... runs before
    # the next (a count, not a clock, so that the details of an outcome are reproducible).
    wait = backoff = 0
    stop = "overspent"
    while True:
        analyse = record and wait == 0
        attempt = mes.run(data, endowment, spend_limit=budget, record=analyse)
        rounds += 1
        if attempt.overspent:
            break
        accepted, accepted_at = attempt, endowment
        if stop_when_exhaustive and _exhaustive(election, attempt.selected):
            stop = "exhaustive"
            break
        if len(attempt.selected) == everything:
            # Every supported project is funded: a larger endowment cannot change the set.
            stop = "all-funded"
            break
        steps = stable_steps(data, attempt, endowment, increment) if analyse else 0
        if steps is None:
            stop = "stable"  # no larger endowment changes any decision
            break
        if analyse:
            backoff = 0 if steps else min(2 * backoff + 1, 64)
            wait = backoff
        else:
            wait -= 1
        skipped += steps
        endowment += (steps + 1) * increment
    # The first run, with at most the budget shared out, can never overspend.
    assert accepted is not None
    final_endowment = endowment - increment if stop == "overspent" else accepted_at
    if final_endowment != accepted_at:
        # A skipped endowment was the last that fits: same decisions, but its prices and
        # leftover money (shown in explanations) are those of its own run.
        accepted = mes.run(data, final_endowment)
        rounds += 1
    details: dict[str, object] = {"endowment": final_endowment, "rounds": rounds, "stopped_because": stop}
    if skipped:
        details["skipped"] = skipped
    return accepted, details


def _exhaustive(election: Election, selected: list[int]) -> bool:
    """True when no project left out fits in the money the selection leaves."""
    chosen = set(selected)
    left = election.budget - sum(election.costs[p] for p in selected)
    return all(election.costs[p] > left for p in range(election.n_projects) if p not in chosen)


def _explain(data: mes.MesData, final: mes.MesRun, result: RuleRun) -> None:
    """Fill ``result`` from the accepted run: rounds and prices for funded projects, the
    money their supporters had left for the others."""
    election = data.election
    result.selected = list(final.selected)
    for position, p in enumerate(final.selected, start=1):
        result.fates[p] = {
            "status": "funded",
            "stage": "equalshares",
            "position": position,
            "rho": final.rho[p],
            "price_per_point": final.price_per_point[p] / election.scale,
        }
    candidates = set(data.candidates)
    for p in range(election.n_projects):
        if p in result.fates:
            continue
        if p not in candidates:
            result.fates[p] = {"status": "no-support"}
        elif final.state is None:
            result.fates[p] = {"status": "unaffordable"}
        else:
            money = final.supporter_money(p)
            result.fates[p] = {
                "status": "unaffordable",
                "supporter_money": money.numerator if money.denominator == 1 else money,
            }


def compare_with_greedy(election: Election, ranks: list[int], run: RuleRun) -> RuleRun:
    """Pabulib's ``-comparison``: keep ``run`` unless strictly more voters prefer plain
    greedy, a voter preferring the outcome that funds more of the projects it supports."""
    rival = greedy(election, ranks)
    ours = _funded_per_group(election, run.selected)
    theirs = _funded_per_group(election, rival.selected)
    prefer_greedy = int(election.mult[theirs > ours].sum())
    prefer_ours = int(election.mult[ours > theirs].sum())
    details = {
        "compared_with": "greedy",
        "voters_preferring_greedy": prefer_greedy,
        "voters_preferring_equalshares": prefer_ours,
    }
    if prefer_greedy > prefer_ours:
        rival.details = {**run.details, **details, "winner": "greedy"}
        return rival
    run.details = {**run.details, **details, "winner": "equalshares"}
    return run


def _funded_per_group(election: Election, selected: list[int]) -> np.ndarray:
    """For each distinct ballot, how many of the projects it supports are funded."""
    funded = np.zeros(election.n_projects, dtype=bool)
    funded[selected] = True
    hits = funded[election.indices] & (election.points > 0)
    owner = np.repeat(np.arange(len(election.mult)), np.diff(election.indptr))
    return np.bincount(owner, weights=hits, minlength=len(election.mult)).astype(np.int64)
