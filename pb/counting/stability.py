"""How far the endowment can rise before a run of MES decides anything differently.

The add1 loop runs MES at e, e + step, e + 2·step... Along one run's decisions (which
project is bought each round, which supporters pay all they have, which projects are
unaffordable), every budget and every price is an affine function of the endowment. Each
decision is an inequality between such functions, and holds on an interval of endowments.
Where all of them hold, the run makes exactly the same decisions, so its outcome is the
same: those runs need not be computed. With a few voters and a large budget this turns
hundreds of thousands of runs into a few dozen.

Everything here is exact (fractions). The analysis costs about one big-integer operation
per supporter class per evaluation, so it is only attempted on runs with few classes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from pb.counting.amounts import Money
from pb.counting.budgets import ZERO, MesData
from pb.counting.mes import Evaluation, MesRun

# Runs whose recorded evaluations hold more (class, points) entries than this are not
# analysed: their analysis would cost more than the runs it could save.
MAX_ENTRIES = 20_000


class _Bound:
    """The smallest number of whole steps allowed by the constraints seen so far."""

    def __init__(self, step: Money) -> None:
        self.step = Fraction(step)
        self.steps: int | None = None  # None: no constraint yet

    def add(self, value: Fraction, slope: Fraction, strict: bool) -> None:
        """Require ``value + slope × Δ >= 0`` (``> 0`` when ``strict``) for Δ in steps."""
        if slope >= 0:
            return
        limit = value / -slope / self.step  # in steps
        allowed = math.ceil(limit) - 1 if strict else math.floor(limit)
        self.steps = allowed if self.steps is None else min(self.steps, allowed)


def stable_steps(data: MesData, result: MesRun, endowment: Money, step: Money) -> int | None:
    """How many further steps of ``step`` per voter leave every decision of ``result`` (a
    recorded run at ``endowment``) unchanged; ``None`` if no step ever changes them.

    Returns 0 when the run was not recorded or is too large to analyse.
    """
    trace, state = result.trace, result.state
    if trace is None or state is None or result.overspent:
        return 0
    if sum(len(ev.entries.classes) for ev in trace.evaluations) > MAX_ENTRIES:
        return 0
    costs = data.election.costs
    bound = _Bound(step)
    e = Fraction(endowment)
    denominator = state.denominator
    value_of: dict[int, Fraction] = {}
    slope_of: dict[int, Fraction] = {}
    column_sigma: list[Fraction] = []
    charged = [d.chosen for d in trace.decisions if costs[trace.evaluations[d.chosen].project]]

    def budget(k: int) -> tuple[Fraction, Fraction]:
        """A class's budget and its rate of change with the endowment."""
        if k == ZERO:
            return Fraction(0), Fraction(0)
        if k not in value_of:
            row = state.paid[k, : len(column_sigma)].tolist()
            value_of[k] = Fraction(state.exact(k), denominator)
            slope_of[k] = 1 - sum((w * sigma for w, sigma in zip(row, column_sigma, strict=False) if w), Fraction(0))
        return value_of[k], slope_of[k]

    sigma_of: list[Fraction] = []
    for index, ev in enumerate(trace.evaluations):
        sigma_of.append(_evaluation(data, ev, budget, bound))
        if len(column_sigma) < len(charged) and charged[len(column_sigma)] == index:
            column_sigma.append(sigma_of[-1])
    for p in trace.excluded:
        # Never affordable at the start: endowment × supporters < cost.
        bound.add(costs[p] - e * data.supporters_count[p], Fraction(-data.supporters_count[p]), True)
    ranks = data.ranks
    for decision in trace.decisions:
        chosen = trace.evaluations[decision.chosen].project
        rho_slope = _rho_slope(data, chosen, sigma_of[decision.chosen])
        rho = result.rho[chosen]
        for rank, source, key in decision.rivals:
            key_slope = Fraction(0)
            if source >= 0:
                key_slope = _rho_slope(data, trace.evaluations[source].project, sigma_of[source])
            bound.add(key - rho, key_slope - rho_slope, strict=ranks[chosen] > rank)
    return bound.steps


def _rho_slope(data: MesData, project: int, sigma: Fraction) -> Fraction:
    """Rate of change of ρ = ρ' / weight for a project whose ρ' changes at ``sigma``."""
    if not data.election.costs[project]:
        return Fraction(0)
    return sigma / data.weight[project]


def _evaluation(
    data: MesData, ev: Evaluation, budget: Callable[[int], tuple[Fraction, Fraction]], bound: _Bound
) -> Fraction:
    """Add the constraints of one evaluation; returns the rate of change of its ρ'."""
    cost = Fraction(data.election.costs[ev.project])
    entries = ev.entries
    classes = entries.classes.tolist()
    points = entries.points.tolist()
    voters = entries.voters.tolist()
    if ev.per_point is None:
        # Unaffordable: the supporters' money must stay below the cost.
        money = Fraction(0)
        money_slope = Fraction(0)
        for k, n in zip(classes, voters, strict=True):
            value, slope = budget(k)
            money += n * value
            money_slope += n * slope
        bound.add(cost - money, -money_slope, strict=True)
        return Fraction(0)
    if not cost:
        return Fraction(0)
    poor = entries.poor.tolist()
    rich_points = data.total_points[ev.project]
    poor_slope = Fraction(0)
    for k, v, n, is_poor in zip(classes, points, voters, poor, strict=True):
        if is_poor:
            rich_points -= n * v
            poor_slope += n * budget(k)[1]
    sigma = -poor_slope / rich_points
    for k, v, is_poor in zip(classes, points, poor, strict=True):
        if k == ZERO:
            continue
        value, slope = budget(k)
        gap = value - ev.per_point * v
        gap_slope = slope - sigma * v
        if is_poor:
            bound.add(-gap, -gap_slope, strict=False)
        else:
            bound.add(gap, gap_slope, strict=False)
    return sigma
