"""Sequential Phragmén for approval ballots, exactly.

Voters earn money continuously; a project is bought as soon as its supporters together
hold its cost, and they spend everything they hold (their "load" becomes the time of the
purchase). Equivalently, each round buys the project with the smallest new maximal load
``(cost + Σ supporters' loads) / supporters``. The count stops when a project that would
be bought next (any of them, if several tie) does not fit in the money left, as in
``pabutools``. Projects costing more than the whole budget never take part. Unlike
``pabutools``, projects nobody supports are never funded.
"""

from __future__ import annotations

import heapq
from fractions import Fraction

import numpy as np

from pb.counting.election import Election
from pb.counting.errors import CountingError
from pb.counting.greedy import RuleRun
from pb.counting.model import APPROVAL_TYPES


def phragmen(election: Election, ranks: list[int]) -> RuleRun:
    """Count with sequential Phragmén.

    Raises:
        CountingError: the ballots are not approval ballots.
    """
    if election.vote_type not in APPROVAL_TYPES:
        raise CountingError("phragmen counts approval and choose-1 ballots only")
    result = RuleRun()
    costs = election.costs
    # A voter's load is one of the purchase times so far: group_time[g] indexes `times`.
    times: list[Fraction] = [Fraction(0)]
    group_time = np.zeros(len(election.mult), dtype=np.int64)
    weights = [election.mult[s].astype(np.float64) for s in election.supporters]
    heap: list[tuple[Fraction, int, int]] = []
    for p in range(election.n_projects):
        if not len(election.supporters[p]):
            result.fates[p] = {"status": "no-support"}
        elif costs[p] > election.budget:
            result.fates[p] = {"status": "over-budget"}
        else:
            heap.append((Fraction(costs[p], election.votes[p]), ranks[p], p))
    heapq.heapify(heap)
    spent = 0
    while heap:
        # Loads only grow, so a stale time is a lower bound: collect every project whose
        # exact time ties with the best.
        best: Fraction | None = None
        evaluated: list[tuple[Fraction, int, int]] = []
        while heap and (best is None or heap[0][0] <= best):
            _, rank, p = heapq.heappop(heap)
            held = np.bincount(group_time[election.supporters[p]], weights=weights[p], minlength=len(times))
            load = sum((int(c) * times[j] for j, c in enumerate(held.tolist()) if c), Fraction(0))
            time = (load + costs[p]) / election.votes[p]
            evaluated.append((time, rank, p))
            if best is None or time < best:
                best = time
        assert best is not None
        tied = [item for item in evaluated if item[0] == best]
        for item in evaluated:
            if item[0] != best:
                heapq.heappush(heap, item)
        tied.sort(key=lambda item: item[1])
        if any(spent + costs[p] > election.budget for _, _, p in tied):
            for _, _, p in tied:
                if spent + costs[p] > election.budget:
                    result.fates[p] = {"status": "stopped-count", "budget_left": election.budget - spent}
                else:
                    result.fates[p] = {"status": "not-reached"}
            break
        _, _, chosen = tied[0]
        for item in tied[1:]:
            heapq.heappush(heap, item)
        result.selected.append(chosen)
        spent += costs[chosen]
        result.fates[chosen] = {"status": "funded", "position": len(result.selected), "rho": best}
        times.append(best)
        group_time[election.supporters[chosen]] = len(times) - 1
    for _, _, p in heap:
        result.fates.setdefault(p, {"status": "not-reached"})
    return result
