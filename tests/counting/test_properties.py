"""Properties on random small elections: never over budget, ballot order irrelevant, and
the same selections as pabutools for every rule it implements."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.counting import RULES, Instance, Profile, count
from pb.counting.model import Ballot

from .pabutools_bridge import pbt_greedy, pbt_mes, pbt_mes_add1, pbt_phragmen

SETTINGS = settings(deadline=None, max_examples=500, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def elections(draw: st.DrawFn, vote_types: tuple[str, ...] = ("approval",)) -> tuple[Instance, Profile]:
    """A few projects costing 1-30, a budget of 0-80, up to 9 ballots of the given type."""
    vote_type = draw(st.sampled_from(vote_types))
    n_projects = draw(st.integers(1, 5))
    ids = [f"p{i}" for i in range(n_projects)]
    costs = draw(st.lists(st.integers(1, 30), min_size=n_projects, max_size=n_projects))
    instance = Instance.create(dict(zip(ids, costs, strict=True)), draw(st.integers(0, 80)))
    n_voters = draw(st.integers(0, 9))
    chosen = st.lists(st.sampled_from(ids), unique=True, max_size=n_projects)
    if vote_type == "approval":
        profile = Profile.from_approvals([draw(chosen) for _ in range(n_voters)])
    elif vote_type == "ordinal":
        profile = Profile.from_rankings([draw(chosen) for _ in range(n_voters)])
    else:
        votes = [{pid: draw(st.integers(1, 3)) for pid in draw(chosen)} for _ in range(n_voters)]
        profile = Profile.from_points(votes, vote_type)
    return instance, profile


def _options(rule: str) -> dict[str, Any]:
    return {"threshold": 2} if rule == "greedy-threshold" else {}


@SETTINGS
@given(elections(("approval", "cumulative", "ordinal", "scoring")), st.sampled_from(sorted(RULES)))
def test_never_over_budget(election: tuple[Instance, Profile], rule: str) -> None:
    instance, profile = election
    if rule == "phragmen" and profile.vote_type != "approval":
        return
    outcome = count(instance, profile, rule, **_options(rule))
    assert outcome.total_cost <= instance.budget
    assert outcome.total_cost == sum(instance.projects[p].cost for p in outcome.selected)
    assert len(set(outcome.selected)) == len(outcome.selected)
    assert [p for p, r in outcome.projects.items() if r.selected] == sorted(
        outcome.selected, key=list(instance.projects).index
    )


@SETTINGS
@given(elections(("approval", "cumulative", "ordinal")), st.sampled_from(sorted(RULES)), st.randoms())
def test_shuffling_ballots_changes_nothing(election: tuple[Instance, Profile], rule: str, rng: random.Random) -> None:
    instance, profile = election
    if rule == "phragmen" and profile.vote_type != "approval":
        return
    ballots = list(profile.ballots)
    rng.shuffle(ballots)
    renamed = [Ballot(b.projects, b.points, f"v{i}") for i, b in enumerate(ballots)]
    shuffled = Profile(profile.vote_type, renamed)
    first = count(instance, profile, rule, **_options(rule)).to_dict()
    assert count(instance, shuffled, rule, **_options(rule)).to_dict() == first


@SETTINGS
@given(elections(("approval", "cumulative", "ordinal", "scoring")))
def test_greedy_matches_pabutools(election: tuple[Instance, Profile]) -> None:
    instance, profile = election
    assert count(instance, profile, "greedy").selected == pbt_greedy(instance, profile)


@SETTINGS
@given(elections(("approval",)), st.integers(0, 4))
def test_greedy_threshold_is_greedy_on_the_projects_that_reach_it(
    election: tuple[Instance, Profile], threshold: int
) -> None:
    instance, profile = election
    outcome = count(instance, profile, "greedy-threshold", threshold=threshold)
    kept = [p for p in instance if outcome.projects[p.id].score >= threshold]
    restricted = Instance.create(kept, instance.budget)
    votes = [[pid for pid in b.projects if pid in restricted.projects] for b in profile]
    assert outcome.selected == pbt_greedy(restricted, Profile.from_approvals(votes))


@SETTINGS
@given(elections(("approval", "cumulative", "ordinal")), st.sampled_from(["cost", "score"]))
def test_equal_shares_matches_pabutools(election: tuple[Instance, Profile], utility: str) -> None:
    instance, profile = election
    ours = count(instance, profile, "equalshares", utility=utility).selected
    assert sorted(ours) == sorted(pbt_mes(instance, profile, utility))


@SETTINGS
@given(elections(("approval", "cumulative")), st.sampled_from(["cost", "score"]))
def test_add1_matches_pabutools(election: tuple[Instance, Profile], utility: str) -> None:
    instance, profile = election
    ours = count(instance, profile, "equalshares/add1", utility=utility).selected
    assert sorted(ours) == sorted(pbt_mes_add1(instance, profile, utility))


@SETTINGS
@given(elections(("approval",)), st.booleans(), st.booleans())
def test_equalshares_net_variants_match_pabutools(
    election: tuple[Instance, Profile], exhaustive_stop: bool, greedy_fill: bool
) -> None:
    instance, profile = election
    ours = count(
        instance, profile, "equalshares/add1", stop_when_exhaustive=exhaustive_stop, greedy_fill=greedy_fill
    ).selected
    theirs = pbt_mes_add1(instance, profile, exhaustive_stop=exhaustive_stop, greedy_fill=greedy_fill)
    assert sorted(ours) == sorted(theirs)


@SETTINGS
@given(elections(("approval",)))
def test_comparison_matches_pabutools_outcomes(election: tuple[Instance, Profile]) -> None:
    instance, profile = election
    mes, greedy = set(pbt_mes_add1(instance, profile)), set(pbt_greedy(instance, profile))
    prefer_greedy = prefer_mes = 0
    for ballot in profile:
        approved = set(ballot.projects)
        mes_hits, greedy_hits = len(approved & mes), len(approved & greedy)
        prefer_greedy += greedy_hits > mes_hits
        prefer_mes += mes_hits > greedy_hits
    expected = greedy if prefer_greedy > prefer_mes else mes
    assert set(count(instance, profile, "equalshares/add1-comparison").selected) == expected


@SETTINGS
@given(elections(("approval",)))
def test_phragmen_matches_pabutools(election: tuple[Instance, Profile]) -> None:
    instance, profile = election
    ours = count(instance, profile, "phragmen").selected
    assert sorted(ours) == pbt_phragmen(instance, profile)


@st.composite
def larger_elections(draw: st.DrawFn) -> tuple[Instance, Profile]:
    """Up to 9 projects and 40 voters, costs up to 500: enough voters sharing budgets to
    build many budget classes in MES."""
    n_projects = draw(st.integers(2, 9))
    ids = [f"p{i}" for i in range(n_projects)]
    costs = draw(st.lists(st.integers(1, 500), min_size=n_projects, max_size=n_projects))
    instance = Instance.create(dict(zip(ids, costs, strict=True)), draw(st.integers(100, 1500)))
    votes = draw(st.lists(st.lists(st.sampled_from(ids), unique=True, max_size=4), min_size=1, max_size=40))
    return instance, Profile.from_approvals(votes)


@settings(deadline=None, max_examples=60, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(larger_elections())
def test_larger_elections_match_pabutools(election: tuple[Instance, Profile]) -> None:
    instance, profile = election
    assert sorted(count(instance, profile, "equalshares").selected) == sorted(pbt_mes(instance, profile))
    assert sorted(count(instance, profile, "equalshares/add1").selected) == sorted(pbt_mes_add1(instance, profile))
    assert sorted(count(instance, profile, "phragmen").selected) == pbt_phragmen(instance, profile)
