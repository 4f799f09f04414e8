"""The rules on small elections worked out by hand, the options, and the API contract."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from pb.counting import (
    RULES,
    CountingError,
    Instance,
    Profile,
    ballot_hash,
    count,
    instance_hash,
    read_pb,
)
from pb.counting import mes as mes_module

from .conftest import PB_FILES


def _election() -> tuple[Instance, Profile]:
    instance = Instance.create({"a": 60, "b": 50, "c": 30}, 100)
    profile = Profile.from_approvals([["a"], ["a", "b"], ["a", "b"], ["c"]])
    return instance, profile


def test_greedy_skips_what_does_not_fit() -> None:
    outcome = count(*_election(), "greedy")
    assert outcome.selected == ["a", "c"]
    assert outcome.total_cost == 90
    b = outcome.projects["b"]
    assert (b.status, b.budget_left, b.position) == ("does-not-fit", 40, 2)
    assert b.explain() == "not funded: 40 left, it costs 50"
    assert b.explain(lambda amount: f"£{amount / 100:,.2f}") == "not funded: £0.40 left, it costs £0.50"
    assert outcome.projects["c"].budget_left == 40
    assert outcome.projects["a"].explain() == "funded (60)"


def test_greedy_no_skip_stops_at_the_first_misfit() -> None:
    outcome = count(*_election(), "greedy-no-skip")
    assert outcome.selected == ["a"]
    assert outcome.projects["b"].status == "stopped-count"
    assert outcome.projects["c"].status == "not-reached"


def test_greedy_threshold() -> None:
    instance, profile = _election()
    outcome = count(instance, profile, "greedy-threshold", threshold=2)
    assert outcome.selected == ["a"]
    assert outcome.projects["c"].status == "below-threshold"
    assert outcome.options["threshold"] == 2
    instance.meta["min_project_score_threshold"] = "1"
    assert count(instance, profile, "greedy-threshold").selected == ["a", "c"]
    del instance.meta["min_project_score_threshold"]
    with pytest.raises(CountingError, match="needs a threshold"):
        count(instance, profile, "greedy-threshold")


def test_ties_follow_the_documented_order() -> None:
    instance = Instance.create({"x": 50, "w": 50, "v": 40}, 50)
    profile = Profile.from_approvals([["x", "w", "v"]])
    outcome = count(instance, profile, "greedy")
    assert outcome.tie_break == "score-desc,cost-asc,id-asc"
    assert outcome.selected == ["v"]  # cheaper first
    assert count(instance, profile, "greedy", tie_break="cost-desc").selected == ["w"]  # then id
    assert count(instance, profile, "greedy", tie_break="cost-desc,id-desc").selected == ["x"]
    with pytest.raises(CountingError, match="unknown tie-break key"):
        count(instance, profile, "greedy", tie_break="random")


def test_equal_shares_explains_unaffordable_projects() -> None:
    instance = Instance.create({"A": 60, "B": 40, "C": 40}, 100)
    profile = Profile.from_approvals([["A", "C"]] * 3 + [["B"]])
    outcome = count(instance, profile, "equalshares")
    # Each voter holds 25; A and C both cost their supporters 1/3 per unit of utility, and
    # the cheaper C wins the tie; A's supporters are then left with 35 between them.
    assert outcome.selected == ["C"]
    assert outcome.projects["C"].rho == Fraction(1, 3)
    assert outcome.projects["C"].price_per_point == Fraction(40, 3)
    assert outcome.projects["A"].supporter_money == 35
    assert outcome.projects["B"].supporter_money == 25
    assert outcome.projects["A"].explain() == "not funded: its supporters had 35 left between them, it costs 60"
    assert outcome.details["endowment"] == 25


def _greedy_wins() -> tuple[Instance, Profile]:
    instance = Instance.create({"A": 100, "B": 50, "C": 50}, 100)
    profile = Profile.from_approvals([["A"]] * 5 + [["B", "C"]] * 4)
    return instance, profile


def test_add1_raises_the_endowment_until_it_overspends() -> None:
    outcome = count(*_greedy_wins(), "equalshares/add1")
    # From 11 per voter; at 20, A (rho 1/5) and then B are bought: 150 > 100, so 19 is the
    # last endowment accepted, after 10 runs.
    assert outcome.selected == ["B"]
    assert outcome.details["endowment"] == 19
    assert outcome.details["stopped_because"] == "overspent"
    assert outcome.details["rounds"] <= 10


def test_comparison_switches_only_when_more_voters_prefer_greedy() -> None:
    outcome = count(*_greedy_wins(), "equalshares/add1-comparison")
    assert outcome.selected == ["A"]
    assert outcome.details["winner"] == "greedy"
    assert outcome.details["voters_preferring_greedy"] == 5
    assert outcome.details["voters_preferring_equalshares"] == 4
    # Greedy funds B and A, add1 funds B and C: three voters prefer each, so add1 stays.
    instance = Instance.create({"A": 40, "B": 50, "C": 50}, 100)
    tied = Profile.from_approvals([["A", "B"], ["B"], ["C"], ["B"], ["C"], ["A"], ["C"], ["A", "B"]])
    kept = count(instance, tied, "equalshares/add1-comparison")
    assert kept.selected == ["B", "C"]
    assert kept.details["voters_preferring_greedy"] == kept.details["voters_preferring_equalshares"] == 3
    assert kept.details["winner"] == "equalshares"


def test_equalshares_net_options() -> None:
    instance, profile = _greedy_wins()
    filled = count(instance, profile, "equalshares/add1", greedy_fill=True)
    assert filled.selected == ["B", "C"]
    assert filled.projects["C"].stage == "fill"
    assert filled.projects["C"].budget_left == 50
    early = count(instance, profile, "equalshares/add1", stop_when_exhaustive=True)
    assert early.options["stop_when_exhaustive"] is True
    assert early.details["stopped_because"] in ("exhaustive", "overspent")
    scored = count(instance, profile, "equalshares", utility="score")
    assert scored.options["utility"] == "score"


def test_phragmen() -> None:
    instance = Instance.create({"a": 30, "b": 30, "c": 60}, 90)
    profile = Profile.from_approvals([["a", "c"], ["b", "c"], ["c"], ["a"]])
    outcome = count(instance, profile, "phragmen")
    # c: load 60/3 = 20; a: 30/2 = 15 first; then c: (15 + 60) / 3 = 25, b: (0+30)/1 = 30.
    assert outcome.selected == ["a", "c"]
    assert outcome.projects["a"].rho == 15
    assert outcome.projects["c"].rho == 25
    assert outcome.projects["b"].status == "stopped-count"
    with pytest.raises(CountingError, match="approval"):
        count(instance, Profile.from_points([{"a": 1}]), "phragmen")


def test_rule_and_option_errors() -> None:
    instance, profile = _election()
    with pytest.raises(CountingError, match="no rule given"):
        count(instance, profile)
    with pytest.raises(CountingError, match="unknown rule"):
        count(instance, profile, "lottery")
    with pytest.raises(CountingError, match="has no option 'utility'"):
        count(instance, profile, "greedy", utility="cost")
    with pytest.raises(CountingError, match="utility must be"):
        count(instance, profile, "equalshares", utility="joy")
    with pytest.raises(CountingError, match="true or false"):
        count(instance, profile, "equalshares", greedy_fill="yes")
    with pytest.raises(CountingError, match="not in the instance"):
        count(instance, Profile.from_approvals([["zzz"]]), "greedy")
    with pytest.raises(CountingError, match="twice"):
        count(instance, Profile.from_approvals([["a", "a"]]), "greedy")
    with pytest.raises(CountingError, match="longer than the maximum 1"):
        count(instance, Profile.from_rankings([["a", "b"]]), "greedy", ordinal_length=1)


def test_points_and_rankings_scores() -> None:
    instance = Instance.create({"a": 10, "b": 10, "c": 10}, 20)
    ranked = count(instance, Profile.from_rankings([["c", "a"], ["a"]]), "greedy")
    # L = 2 (longest ranking): a gets 1 + 2, c gets 2.
    assert [(p.id, p.score) for p in ranked.projects.values()] == [("a", 3), ("b", 0), ("c", 2)]
    points = count(instance, Profile.from_points([{"b": Fraction(3, 2)}, {"c": 1}]), "greedy")
    assert points.selected == ["b", "c"]
    assert points.projects["b"].score == Fraction(3, 2)


def test_empty_profiles_and_budgets() -> None:
    instance = Instance.create({"a": 10}, 0)
    for rule in RULES:
        options = {"threshold": 0} if rule == "greedy-threshold" else {}
        outcome = count(instance, Profile.from_approvals([]), rule, **options)
        assert outcome.selected == []


def test_hashes_ignore_order_and_voter_data() -> None:
    instance, profile = _election()
    shuffled = Profile.from_approvals([["c"], ["b", "a"], ["a"], ["a", "b"]])
    assert ballot_hash(shuffled) == ballot_hash(profile)
    assert count(instance, shuffled, "greedy").ballot_hash == ballot_hash(profile)
    changed = Profile.from_approvals([["c"], ["b"], ["a"], ["a", "b"]])
    assert ballot_hash(changed) != ballot_hash(profile)
    other_type = Profile.from_approvals([["c"], ["b", "a"], ["a"], ["a", "b"]], "choose-1")
    assert ballot_hash(other_type) != ballot_hash(profile)
    assert len(ballot_hash(profile)) == 64
    renamed = Instance.create({"a": 60, "b": 50, "c": 30}, 100, {"description": "other"})
    assert instance_hash(renamed) == instance_hash(instance)
    assert instance_hash(Instance.create({"a": 60, "b": 50, "c": 31}, 100)) != instance_hash(instance)


def test_outcome_to_dict_is_json() -> None:
    instance, profile = _election()
    data = count(instance, profile, "equalshares/add1").to_dict()
    again = json.loads(json.dumps(data))
    assert again["rule"] == "equalshares/add1"
    assert set(again) >= {"rule", "selected", "total_cost", "budget", "tie_break", "projects", "ballot_hash"}
    assert [p["id"] for p in again["projects"]] == ["a", "b", "c"]
    assert all("explanation" in p for p in again["projects"])


@pytest.mark.parametrize("path", [p for p in PB_FILES if p.stat().st_size < 100_000], ids=lambda p: p.stem)
def test_exact_fallbacks_give_the_same_outcomes(path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The float guesses only save time: forcing every decision through exact arithmetic,
    or through the slow exact walk, changes nothing."""
    instance, profile = read_pb(path)  # type: ignore[arg-type]
    expected = count(instance, profile, "equalshares").to_dict()
    monkeypatch.setattr(mes_module, "MARGIN", 10.0)
    assert count(instance, profile, "equalshares").to_dict() == expected
    monkeypatch.setattr(mes_module, "_check", lambda *args: None)
    assert count(instance, profile, "equalshares").to_dict() == expected


def test_decimal_costs_and_budgets_match_pabutools() -> None:
    from .pabutools_bridge import pbt_greedy, pbt_mes, pbt_mes_add1, pbt_phragmen

    instance = Instance.create(
        {"a": Fraction("12.5"), "b": Fraction("20.25"), "c": 7, "d": Fraction("30.1")}, Fraction("50.75")
    )
    profile = Profile.from_approvals([["a", "b"], ["b", "c"], ["a", "d"], ["d"], ["b"], ["a", "c", "d"]])
    assert count(instance, profile, "greedy").selected == pbt_greedy(instance, profile)
    assert sorted(count(instance, profile, "equalshares").selected) == sorted(pbt_mes(instance, profile))
    add1 = count(instance, profile, "equalshares/add1")
    assert sorted(add1.selected) == sorted(pbt_mes_add1(instance, profile))
    assert add1.total_cost <= instance.budget
    assert sorted(count(instance, profile, "phragmen").selected) == pbt_phragmen(instance, profile)


def test_free_projects_with_support_are_funded_first_by_equal_shares() -> None:
    instance = Instance.create({"free": 0, "paid": 30, "ignored": 0}, 30)
    profile = Profile.from_approvals([["paid", "free"], ["paid"]])
    outcome = count(instance, profile, "equalshares")
    assert outcome.selected == ["free", "paid"]
    assert outcome.projects["free"].rho == 0
    assert outcome.projects["ignored"].status == "no-support"


def test_add1_increment_steps_in_whole_currency_units() -> None:
    # Money in pence: stepping by 100 (one pound) as Pabulib steps by one currency unit.
    instance = Instance.create({"A": 10_000, "B": 5_000, "C": 5_000}, 10_000)
    profile = Profile.from_approvals([["A"]] * 5 + [["B", "C"]] * 4)
    outcome = count(instance, profile, "equalshares/add1", increment=100)
    assert outcome.selected == ["B"]
    assert outcome.options["increment"] == 100
    assert outcome.details["endowment"] == 1911  # 1111 + 8 steps of 100; 2011 overspends
    with pytest.raises(CountingError, match="increment must be positive"):
        count(instance, profile, "equalshares/add1", increment=0)
