"""One exact run of the Method of Equal Shares for a given endowment per voter.

Every voter starts with the same endowment ``e``. For each project still in the running,
ρ' is the price per point at which supporters paying ``min(budget, ρ' × points)`` cover its
cost; the project with the lowest price per unit of utility (ρ = ρ' / cost for cost
utilities, ρ = ρ' for score utilities) is bought, ties broken by the tie-break order. A
project whose supporters hold less than its cost drops out for good (budgets only fall).
The run ends when no project is left.

How it stays exact and fast. Voters with the same ballot and the same payment history
share a *budget class*. A voter who could not pay the full price paid everything and has
nothing left (class ``ZERO``); any other voter's budget is ``e - Σ_j W[j] ρ'_j`` where
``W[j]`` are the points it paid at for each bought project ``j``. So every budget, and every
sum of budgets, is an integer combination of the exact prices ρ'_j, which are kept as
integer numerators over one common denominator: sums are integer matrix products (numpy)
followed by a short big-integer dot product. Floats only *guess* which supporters run out;
the guess is then checked with exact integers (floats decide a comparison only when they
differ by far more than their worst rounding error), and a wrong guess falls back to an
exact walk. Outcomes therefore never depend on rounding.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pb.counting.amounts import Money
from pb.counting.budgets import ZERO, BudgetState, Entries, MesData, prepare

# prepare and MesData belong to this module's interface (the add1 loop uses them from here).
__all__ = ["MARGIN", "Decision", "Evaluation", "MesData", "MesRun", "Trace", "prepare", "run"]

# Float budgets carry at most ~(selected projects + 2) × 2**-52 relative error; a margin of
# 1e-9 of the endowment is over a thousand times larger for any realistic election.
MARGIN = 1e-9


@dataclass(eq=False)
class Evaluation:
    """One computation of a project's price during a run, kept for
    :mod:`pb.counting.stability`: its supporters and their partition, the number of
    projects bought before it, and ρ' (``None``: the supporters could not afford it)."""

    project: int
    bought: int
    entries: Entries
    per_point: Fraction | None


@dataclass(eq=False)
class Decision:
    """One round: the project bought (its evaluation's index) and, for every other project
    still in the running, its rank and the index of the evaluation its key comes from
    (``-1``: the initial lower bound, which does not depend on the endowment)."""

    chosen: int
    rivals: list[tuple[int, int, Fraction]]


@dataclass(eq=False)
class Trace:
    """Everything a run decided, in order (recorded on request)."""

    evaluations: list[Evaluation] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)


@dataclass(eq=False)
class MesRun:
    """One run: projects bought in order with their ρ and ρ', and the final budgets."""

    selected: list[int] = field(default_factory=list)
    rho: dict[int, Fraction] = field(default_factory=dict)
    price_per_point: dict[int, Fraction] = field(default_factory=dict)
    spent: Money = 0
    overspent: bool = False
    state: BudgetState | None = None
    trace: Trace | None = None

    def supporter_money(self, project: int) -> Fraction:
        """What the supporters of ``project`` hold in total at the end of the run."""
        assert self.state is not None
        classes, _, voters = self.state.supporters(project)
        return Fraction(self.state.money(classes, voters), self.state.denominator)


def run(data: MesData, endowment: Money, spend_limit: Money | None = None, record: bool = False) -> MesRun:
    """Run MES with ``endowment`` per voter.

    With ``spend_limit``, the run stops as soon as the projects bought cost more than that
    and is marked ``overspent`` (all the add1 loop needs to know). With ``record``, the
    run keeps a :class:`Trace` of its decisions.
    """
    costs = data.election.costs
    ranks = data.ranks
    state = BudgetState(data, endowment)
    trace = Trace() if record else None
    result = MesRun(state=state, trace=trace)
    # Heap entries: (ρ or a lower bound of it, rank, project, evaluation index or -1).
    heap: list[tuple[Fraction, int, int, int]] = []
    for p in data.candidates:
        if endowment * data.supporters_count[p] < costs[p]:
            if trace is not None:
                trace.excluded.append(p)
            continue  # budgets only shrink: never affordable
        heap.append((_lower_bound(data, p), ranks[p], p, -1))
    heapq.heapify(heap)
    while heap:
        best: tuple[Fraction, int, int, Fraction, Entries, int] | None = None
        evaluated: list[tuple[Fraction, int, int, int]] = []
        # ρ can only rise from one round to the next, so a stale value is a lower bound:
        # stop looking once the next lower bound cannot beat the best found.
        while heap and (best is None or heap[0][:2] <= best[:2]):
            _, rank, p, _ = heapq.heappop(heap)
            found = _price_per_point(state, p)
            source = -1
            if trace is not None:
                source = len(trace.evaluations)
                trace.evaluations.append(
                    Evaluation(
                        p, len(state.price_num), found[1] if found else _unaffordable(state, p), found and found[0]
                    )
                )
            if found is None:
                continue  # unaffordable now, hence for ever
            per_point, entries = found
            rho = _divide(per_point, data.weight[p]) if costs[p] else Fraction(0)
            evaluated.append((rho, rank, p, source))
            if best is None or (rho, rank) < best[:2]:
                best = (rho, rank, p, per_point, entries, source)
        if best is None:
            break
        rho, _, chosen, per_point, entries, source = best
        for item in evaluated:
            if item[2] != chosen:
                heapq.heappush(heap, item)
        if trace is not None:
            trace.decisions.append(Decision(source, [(item[1], item[3], item[0]) for item in heap]))
        result.selected.append(chosen)
        result.rho[chosen] = rho
        result.price_per_point[chosen] = per_point
        result.spent += costs[chosen]
        if spend_limit is not None and result.spent > spend_limit:
            result.overspent = True
            break
        if costs[chosen]:
            _charge(state, chosen, per_point, entries)
    data.class_hint[0] = max(data.class_hint[0], state.n_classes)
    return result


def _unaffordable(state: BudgetState, p: int) -> Entries:
    """The supporters of ``p``, for the record of an evaluation that found it unaffordable."""
    classes, points, voters = state.supporters(p)
    return Entries(classes, points, voters, np.ones(len(classes), dtype=bool))


def _divide(value: Fraction, by: Money) -> Fraction:
    """``value / by``, without Fraction's generic arithmetic when ``by`` is an int (this
    runs for every evaluation of every add1 run)."""
    if isinstance(by, int):
        return Fraction(value.numerator, value.denominator * by)
    return value / by


def _lower_bound(data: MesData, p: int) -> Fraction:
    """ρ if every supporter could pay in full: never more than the true ρ."""
    cost = data.election.costs[p]
    if not cost:
        return Fraction(0)
    return Fraction(cost) / data.total_points[p] / data.weight[p]


def _price_per_point(state: BudgetState, p: int) -> tuple[Fraction, Entries] | None:
    """The exact ρ' of ``p`` and its supporters' partition, or ``None`` when they cannot
    afford it."""
    data = state.data
    cost = data.election.costs[p]
    classes, points, voters = state.supporters(p)
    if not cost:
        return Fraction(0), Entries(classes, points, voters, np.zeros(len(classes), dtype=bool))
    # Guess the partition in floats: start with everyone paying in full (ρ' = cost / total
    # points, a lower bound) and move whoever cannot pay that to the poor side until
    # nobody moves; the exact check below decides whether the guess is right.
    total_points = data.total_points[p]
    budget = state.approx[classes]
    weighted_budget = voters * budget
    weighted_points = voters * points
    cost_float = float(cost)
    poor = np.zeros(len(classes), dtype=bool)
    price = cost_float / total_points
    for _ in range(64):
        now_poor = budget < price * points
        if np.array_equal(now_poor, poor):
            break
        poor = now_poor
        rich_points = total_points - int(weighted_points[poor].sum())
        if rich_points <= 0:
            break
        price = (cost_float - float(weighted_budget[poor].sum())) / rich_points
    entries = Entries(classes, points, voters, poor)
    if poor.all():
        # Looks unaffordable: confirm with the exact total the supporters hold.
        if state.money(classes, voters) < cost * state.denominator:
            return None
        entries.poor = np.zeros(len(classes), dtype=bool)
    found = _check(state, cost, total_points, entries)
    if found is None:
        found = _exact_walk(state, cost, total_points, entries)
    return found


def _partition_price(state: BudgetState, cost: Money, total_points: int, entries: Entries) -> Fraction | None:
    """ρ' if the poor entries pay everything and the rest pay in full, or ``None`` when
    that leaves nobody to pay the remainder."""
    poor = entries.poor
    rich_points = total_points - int(entries.voters[poor] @ entries.points[poor])
    if rich_points <= 0:
        return None
    poor_money = state.money(entries.classes[poor], entries.voters[poor])
    need = cost * state.denominator - poor_money
    if need <= 0:
        return None
    if isinstance(need, int):
        return Fraction(need, rich_points * state.denominator)
    return need / (rich_points * state.denominator)


def _check(state: BudgetState, cost: Money, total_points: int, entries: Entries) -> tuple[Fraction, Entries] | None:
    """Confirm the guessed partition exactly; ``None`` if it is wrong or unaffordable.

    A partition is right when every poor entry has at most ρ' × points and every other at
    least that much: then ρ' solves the payment equation, whose solution is unique.
    """
    price = _partition_price(state, cost, total_points, entries)
    if price is None:
        return None
    margin = MARGIN * state.endowment_float
    gap = state.approx[entries.classes] - float(price) * entries.points
    poor = entries.poor
    if (gap[poor] > margin).any() or (gap[~poor] < -margin).any():
        return None
    doubtful = np.flatnonzero(np.abs(gap) <= margin)
    if not len(doubtful):
        return price, entries
    scaled = price * state.denominator
    for i in doubtful.tolist():
        held = state.exact(int(entries.classes[i])) * scaled.denominator
        owed = scaled.numerator * int(entries.points[i])
        if (held > owed) if poor[i] else (held < owed):
            return None
    return price, entries


def _exact_walk(
    state: BudgetState, cost: Money, total_points: int, entries: Entries
) -> tuple[Fraction, Entries] | None:
    """ρ' by the textbook walk over exactly sorted budgets; slow but never wrong."""
    exact = [state.exact(int(k)) for k in entries.classes.tolist()]
    pts = entries.points.tolist()
    order = sorted(range(len(exact)), key=lambda i: Fraction(exact[i], pts[i]))
    poor = np.zeros(len(exact), dtype=bool)
    need = cost * state.denominator
    rich_points = total_points
    for i in order:
        if rich_points <= 0:
            return None
        # Rich iff budget >= ρ' × points with ρ' = need / (rich_points × denominator).
        if exact[i] * rich_points >= need * pts[i]:
            return Fraction(need) / (rich_points * state.denominator), Entries(
                entries.classes, entries.points, entries.voters, poor
            )
        poor[i] = True
        need -= int(entries.voters[i]) * exact[i]
        rich_points -= int(entries.voters[i]) * pts[i]
    return None


def _charge(state: BudgetState, p: int, per_point: Fraction, entries: Entries) -> None:
    """Make the supporters of ``p`` pay ρ' × points each, or all they have."""
    data = state.data
    column = len(state.price_num)
    new_denominator = math.lcm(state.denominator, per_point.denominator)
    grow = new_denominator // state.denominator
    if grow != 1:
        state.price_num = [n * grow for n in state.price_num]
        state.endowment_num *= grow
    state.price_num.append(per_point.numerator * (new_denominator // per_point.denominator))
    state.denominator = new_denominator

    poor = entries.poor
    rich = ~poor
    values = data.point_values[p]
    width = len(values)
    remap = np.arange(state.n_classes * width, dtype=np.int64) // width
    slot_of = np.searchsorted(values, entries.points)
    remap[entries.classes[poor] * width + slot_of[poor]] = ZERO
    rich_classes = entries.classes[rich]
    if len(rich_classes):
        new = state.add_classes(rich_classes, column, entries.points[rich], float(per_point))
        remap[rich_classes * width + slot_of[rich]] = new
    groups = data.election.supporters[p]
    slots = data.point_slot[p]
    keys = state.group_class[groups] * width
    if slots is not None:
        keys += slots
    state.group_class[groups] = remap[keys]
