"""Budget classes for the Method of Equal Shares (see :mod:`pb.counting.mes`).

Voters with the same ballot and the same payment history share a *budget class*. A voter
who could not pay the full price paid everything and has nothing left (class ``ZERO``);
any other voter's budget is ``e - Σ_j W[j] ρ'_j`` where ``W[j]`` are the points it paid at
for each bought project ``j``: every budget, and every sum of budgets, is an integer
combination of the exact prices, kept as integer numerators over one common denominator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from pb.counting.amounts import Money
from pb.counting.election import Election, IntArray

FloatArray = npt.NDArray[np.float64]

UNTOUCHED = 0
ZERO = 1


@dataclass(frozen=True, eq=False)
class MesData:
    """What every run on one election shares, whatever the endowment.

    ``candidates`` are the projects some voter supports; ``total_points[p]`` is the voter-
    weighted sum of points given to ``p``; ``weight[p]`` is the utility of one point (the
    cost for cost utilities, 1 for score utilities).
    """

    election: Election
    ranks: list[int]
    utility: str
    candidates: list[int]
    total_points: list[int]
    supporters_count: list[int]
    weight: list[Money]
    group_weights: list[FloatArray]
    point_values: list[IntArray]
    point_slot: list[IntArray | None]
    paid_dtype: type[np.signedinteger]
    # How many budget classes the last run needed: the next run (add1 changes the
    # endowment by one unit) allocates that much at once instead of growing step by step.
    class_hint: list[int] = field(default_factory=lambda: [64])


def prepare(election: Election, ranks: list[int], utility: str) -> MesData:
    """Precompute per-project supporter data shared by repeated runs."""
    candidates: list[int] = []
    total_points = [0] * election.n_projects
    supporters_count = [0] * election.n_projects
    group_weights: list[FloatArray] = []
    point_values: list[IntArray] = []
    point_slot: list[IntArray | None] = []
    for p in range(election.n_projects):
        groups = election.supporters[p]
        pts = election.support_points[p]
        counts = election.mult[groups]
        # bincount only takes float weights; integer sums below 2**53 stay exact.
        group_weights.append(counts.astype(np.float64))
        total_points[p] = sum(c * v for c, v in zip(counts.tolist(), pts.tolist(), strict=True))
        supporters_count[p] = int(counts.sum())
        values, slots = np.unique(pts, return_inverse=True)
        point_values.append(values.astype(np.int64))
        point_slot.append(slots.astype(np.int64) if len(values) > 1 else None)
        if len(groups):
            candidates.append(p)
    weight: list[Money] = list(election.costs) if utility == "cost" else [1] * election.n_projects
    # Points paid per class fit in 32 bits on every real ballot; halving the matrix halves
    # the memory traffic of creating classes.
    largest = int(election.points.max()) if len(election.points) else 0
    dtype: type[np.signedinteger] = np.int32 if largest < 2**31 else np.int64
    return MesData(
        election,
        ranks,
        utility,
        candidates,
        total_points,
        supporters_count,
        weight,
        group_weights,
        point_values,
        point_slot,
        dtype,
    )


@dataclass(eq=False)
class Entries:
    """The supporters of one project, by (class, points) pair, with the partition found
    for them: entries where ``poor`` is true pay all they have, the others pay in full."""

    classes: IntArray
    points: IntArray
    voters: IntArray
    poor: npt.NDArray[np.bool_]


class BudgetState:
    """Budget classes during one run (see the module docstring)."""

    def __init__(self, data: MesData, endowment: Money) -> None:
        start = Fraction(endowment)
        self.data = data
        self.denominator = start.denominator
        self.endowment_num = start.numerator  # e × denominator
        self.price_num: list[int] = []  # ρ'_j × denominator, per bought project j
        slots = max(len(data.candidates), 1)
        capacity = max(data.class_hint[0], 64)
        self.paid = np.zeros((capacity, slots), dtype=data.paid_dtype)
        self.approx = np.zeros(capacity, dtype=np.float64)
        self.approx[UNTOUCHED] = float(start)
        self.n_classes = 2
        self.group_class = np.zeros(len(data.election.mult), dtype=np.int64)
        self.endowment_float = max(float(start), 1e-300)

    def exact(self, k: int) -> int:
        """Budget of class ``k`` times the common denominator."""
        if k == ZERO:
            return 0
        row = self.paid[k, : len(self.price_num)].tolist()
        return self.endowment_num - sum(w * n for w, n in zip(row, self.price_num, strict=True) if w)

    def money(self, classes: IntArray, voters: IntArray) -> int:
        """Total budget of ``voters[i]`` voters in each class ``classes[i]``, times the
        common denominator."""
        live = classes != ZERO
        classes, voters = classes[live], voters[live]
        if not len(classes):
            return 0
        head = int(voters.sum()) * self.endowment_num
        used = len(self.price_num)
        if not used:
            return head
        paid = (voters @ self.paid[classes, :used].astype(np.int64)).tolist()
        return head - sum(c * n for c, n in zip(paid, self.price_num, strict=True) if c)

    def supporters(self, p: int) -> tuple[IntArray, IntArray, IntArray]:
        """(class, points, voters) for each distinct pair among the supporters of ``p``."""
        data = self.data
        n = self.n_classes
        classes = self.group_class[data.election.supporters[p]]
        values = data.point_values[p]
        slots = data.point_slot[p]
        if slots is None:
            held = np.bincount(classes, weights=data.group_weights[p], minlength=n)
            present = np.flatnonzero(held)
            return present, np.full(len(present), values[0]), held[present].astype(np.int64)
        width = len(values)
        held = np.bincount(classes * width + slots, weights=data.group_weights[p], minlength=n * width)
        present = np.flatnonzero(held)
        return present // width, values[present % width], held[present].astype(np.int64)

    def add_classes(self, parents: IntArray, column: int, points: IntArray, price: float) -> IntArray:
        """Create one class per parent after paying ``points × price`` for ``column``."""
        count = len(parents)
        first = self.n_classes
        if first + count > len(self.approx):
            size = max(2 * len(self.approx), first + count)
            paid = np.zeros((size, self.paid.shape[1]), dtype=self.paid.dtype)
            paid[:first, :column] = self.paid[:first, :column]
            self.paid = paid
            self.approx = np.concatenate([self.approx, np.zeros(size - len(self.approx))])
        new = np.arange(first, first + count, dtype=np.int64)
        # Only the columns of projects bought so far can be non-zero.
        self.paid[first : first + count, :column] = self.paid[parents, :column]
        self.paid[new, column] = points
        self.approx[new] = self.approx[parents] - points * price
        self.n_classes += count
        return new
