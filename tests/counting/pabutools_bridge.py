"""Run the reference library, pabutools, on our instances and profiles (test-only).

Our tie-break order is handed to pabutools as its tie-breaking rule, and points-based
ballots get satisfaction functions giving the same scores as ours, so any difference in
outcome is a real difference between the implementations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    OrdinalBallot,
    OrdinalProfile,
)
from pabutools.election.ballot import AbstractCardinalBallot
from pabutools.election.instance import Instance as PbtInstance
from pabutools.election.instance import Project as PbtProject
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.fractions import frac
from pabutools.rules import (
    BudgetAllocation,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)
from pabutools.tiebreaking import TieBreakingRule

from pb.counting import Instance, Profile
from pb.counting.election import compile_election
from pb.counting.model import APPROVAL_TYPES
from pb.counting.tiebreak import DEFAULT_TIE_BREAK, tie_ranks


def convert(instance: Instance, profile: Profile) -> tuple[Any, Any]:
    """The same election as pabutools objects.

    Built directly rather than through a `.pb` text: pabutools cannot parse an empty
    cumulative ballot written as an empty vote and points.
    """
    projects = {p.id: PbtProject(p.id, frac(p.cost)) for p in instance}
    inst = PbtInstance(projects.values(), budget_limit=frac(instance.budget))
    ballots: list[Any]
    if profile.vote_type in APPROVAL_TYPES:
        ballots = [ApprovalBallot([projects[pid] for pid in b.projects]) for b in profile]
        return inst, ApprovalProfile(ballots, instance=inst)
    if profile.vote_type == "ordinal":
        ballots = [OrdinalBallot([projects[pid] for pid in b.projects]) for b in profile]
        return inst, OrdinalProfile(ballots, instance=inst)
    ballots = [
        CumulativeBallot({projects[pid]: frac(v) for pid, v in zip(b.projects, b.points or (), strict=True)})
        for b in profile
    ]
    return inst, CumulativeProfile(ballots, instance=inst)


def tie_breaking(instance: Instance, profile: Profile, order: str = DEFAULT_TIE_BREAK) -> TieBreakingRule:
    """Our tie-break order as a pabutools tie-breaking rule."""
    election = compile_election(instance, profile)
    ranks = dict(zip(election.ids, tie_ranks(election, order), strict=True))
    return TieBreakingRule(lambda inst, prof, proj: ranks[proj.name])


def _score_sat(length: int | None, times_cost: bool) -> type[AdditiveSatisfaction]:
    """A satisfaction class giving each project our score (points, or L - r + 1 for a
    ranking), times its cost when ``times_cost``."""

    def func(inst: Any, prof: Any, ballot: Any, project: Any, pre: Any) -> Any:
        if isinstance(ballot, AbstractCardinalBallot):
            value = ballot.get(project, 0)
        elif project in ballot:
            value = length - list(ballot).index(project)  # type: ignore[operator]
        else:
            value = 0
        return value * project.cost if times_cost else frac(value)

    class ScoreSat(AdditiveSatisfaction):
        def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
            AdditiveSatisfaction.__init__(self, instance, profile, ballot, func)

    return ScoreSat


def sat_class(instance: Instance, profile: Profile, utility: str = "cost") -> type[Any]:
    """The pabutools satisfaction matching our utilities (and our greedy scores)."""
    if profile.vote_type in APPROVAL_TYPES:
        return Cost_Sat if utility == "cost" else Cardinality_Sat
    length = None
    if profile.vote_type == "ordinal":
        from pb.counting.election import ordinal_length

        length = ordinal_length(instance, profile)
    return _score_sat(length, utility == "cost")


def pbt_greedy(instance: Instance, profile: Profile) -> list[str]:
    """pabutools' greedy by score (density of cost-weighted score = score)."""
    inst, prof = convert(instance, profile)
    result = greedy_utilitarian_welfare(
        inst, prof, sat_class=sat_class(instance, profile, "cost"), tie_breaking=tie_breaking(instance, profile)
    )
    return [p.name for p in result]


def pbt_mes(instance: Instance, profile: Profile, utility: str = "cost") -> list[str]:
    """pabutools' plain Method of Equal Shares."""
    inst, prof = convert(instance, profile)
    result = method_of_equal_shares(
        inst, prof, sat_class=sat_class(instance, profile, utility), tie_breaking=tie_breaking(instance, profile)
    )
    return [p.name for p in result]


def pbt_mes_add1(
    instance: Instance,
    profile: Profile,
    utility: str = "cost",
    exhaustive_stop: bool = False,
    greedy_fill: bool = False,
) -> list[str]:
    """pabutools' Method of Equal Shares with Pabulib's add1 completion, each voter starting
    from floor(budget / n) as Pabulib does (with the equalshares.net options)."""
    inst, prof = convert(instance, profile)
    n = prof.num_ballots()

    def mes_floor(current: Any, profile: Any, **params: Any) -> Any:
        floored = PbtInstance(current, budget_limit=frac((current.budget_limit // n) * n))
        return method_of_equal_shares(floored, profile, **params)

    if n == 0:
        result = BudgetAllocation()  # pabutools would loop for ever with a budget step of 0
    else:
        result = exhaustion_by_budget_increase(
            inst,
            prof,
            mes_floor,
            {"sat_class": sat_class(instance, profile, utility), "tie_breaking": tie_breaking(instance, profile)},
            exhaustive_stop=exhaustive_stop,
            budget_step=n,
        )
    if greedy_fill:
        result = greedy_utilitarian_welfare(
            inst,
            prof,
            sat_class=sat_class(instance, profile, "cost"),
            tie_breaking=tie_breaking(instance, profile),
            initial_budget_allocation=result,
        )
    return [p.name for p in result]


def pbt_phragmen(instance: Instance, profile: Profile) -> list[str]:
    """pabutools' sequential Phragmén, without the projects nobody supports that it adds at
    the end (it buys them at "infinite" load when they fit)."""
    inst, prof = convert(instance, profile)
    result = sequential_phragmen(inst, prof, tie_breaking=tie_breaking(instance, profile))
    supported = {p.name for p in inst if prof.approval_score(p) > 0}
    # pabutools returns the allocation sorted by name, not in the order of purchase.
    return [p.name for p in result if p.name in supported]


REFERENCE: dict[str, Callable[[Instance, Profile], list[str]]] = {
    "greedy": pbt_greedy,
    "equalshares": pbt_mes,
    "equalshares/add1": pbt_mes_add1,
    "phragmen": pbt_phragmen,
}
