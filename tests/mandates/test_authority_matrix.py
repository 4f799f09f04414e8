"""Every role × action × stage kind × stage state (× the mandate settings that matter).

The expectations are written out here, apart from `authority.PERMISSIONS`, so that a change
to who may do what shows up as a failing test, and a new action cannot be added without
deciding, in this table, who may take it.
"""

from __future__ import annotations

from itertools import product

import pytest

from pb.accounts.models import Role
from pb.cycles.models import StageKind, StageState
from pb.errors import PBError
from pb.mandates.authority import CYCLE_PERMISSIONS, PERMISSIONS, Action, require, require_cycle_action
from pb.mandates.models import Side
from pb.mandates.services import update_mandate

ALL = set(StageKind)
BEFORE = {StageState.DRAFT, StageState.AGREED}
OPEN = {StageState.OPEN}
PARTIES = {"commissioner", "representative"}
# Every account is a resident's, whatever else it holds: anyone signed in may propose and vote.
SIGNED_IN = {"resident", "representative", "facilitator", "commissioner", "other_commissioner", "councillor",
             "other_councillor", "admin"}

# action: (who may, in which stage kinds, in which states)
EXPECTED: dict[Action, tuple[set[str], set[StageKind], set[StageState]]] = {
    Action.EDIT_MANDATE: (PARTIES, ALL, BEFORE),
    Action.AMEND_MANDATE: (PARTIES, ALL, OPEN),
    Action.SIGN_MANDATE: (PARTIES, ALL, BEFORE | OPEN),
    Action.DISCUSS_MANDATE: (PARTIES, ALL, BEFORE | OPEN),
    Action.OPEN_STAGE: ({"commissioner"}, ALL, {StageState.AGREED}),
    Action.CLOSE_STAGE: ({"commissioner"}, ALL, OPEN),
    Action.SUBMIT_PROPOSAL: (SIGNED_IN, {StageKind.PROPOSALS}, OPEN),
    Action.REVIEW_PROPOSAL: ({"commissioner"}, {StageKind.REVIEW}, OPEN),
    Action.REVISE_COST: ({"commissioner"}, {StageKind.REVIEW}, OPEN),
    Action.CAST_BALLOT: (SIGNED_IN, {StageKind.VOTE}, OPEN),
    Action.CAST_CODE_BALLOT: ({"anonymous"} | SIGNED_IN, {StageKind.VOTE}, OPEN),  # the code is the credential
    Action.ANSWER_QUESTIONS: ({"anonymous"} | SIGNED_IN, {StageKind.VOTE}, OPEN),  # having voted is the credential
    Action.ISSUE_VOTING_CODES: ({"commissioner", "facilitator"}, {StageKind.VOTE}, BEFORE | OPEN),
    Action.RECORD_DECISION: ({"commissioner"}, {StageKind.DECISION}, OPEN),
    Action.OVERRIDE_RESULT: ({"commissioner"}, {StageKind.DECISION}, OPEN),
    Action.RECORD_NEED: (SIGNED_IN, {StageKind.PRIORITIES}, OPEN),
    Action.SUPPORT_NEED: (SIGNED_IN, {StageKind.PRIORITIES}, OPEN),
    Action.AGREE_THEME: (PARTIES, {StageKind.PRIORITIES}, OPEN),
    Action.EDIT_PROPOSAL: (SIGNED_IN, {StageKind.PROPOSALS}, OPEN),  # their own proposal
    Action.RESPOND_TO_REVIEW: (SIGNED_IN, {StageKind.REVIEW}, OPEN),  # their own proposal
    Action.COMMENT: (SIGNED_IN, {StageKind.DELIBERATION}, OPEN),
    Action.SUPPORT_PROPOSAL: (SIGNED_IN, {StageKind.DELIBERATION}, OPEN),
    Action.MODERATE_COMMENT: ({"commissioner"}, {StageKind.DELIBERATION}, OPEN),
    Action.REQUEST_MERGE: (SIGNED_IN, {StageKind.DELIBERATION}, OPEN),
    Action.CONSENT_TO_MERGE: (SIGNED_IN, {StageKind.DELIBERATION}, OPEN),  # their own proposal
    Action.POST_UPDATE: ({"commissioner"}, {StageKind.DELIVERY}, OPEN),
    Action.PLEDGE: (SIGNED_IN, {StageKind.DELIVERY}, OPEN),
    Action.RECORD_PLEDGE: ({"commissioner"}, {StageKind.DELIVERY}, OPEN),
    Action.RECORD_LESSON: ({"commissioner"}, {StageKind.DELIVERY, StageKind.ASSESSMENT}, OPEN),
    Action.RATE_PROJECT: (SIGNED_IN, {StageKind.ASSESSMENT}, OPEN),
    Action.CONSENT_TO_CARRY_OVER: (SIGNED_IN, {StageKind.DECISION}, OPEN | {StageState.CLOSED}),  # their own
    Action.START_NEXT_CYCLE: ({"commissioner"}, ALL, {StageState.CLOSED}),  # every stage closed
    Action.CREATE_EVENT: ({"commissioner"}, ALL, BEFORE | OPEN),
    Action.RUN_EVENT: ({"commissioner", "facilitator"}, ALL, set(StageState)),
    Action.CHECK_IN_ATTENDEE: ({"commissioner", "facilitator"}, ALL, OPEN),
    Action.START_KIOSK: ({"commissioner", "facilitator"}, {StageKind.VOTE}, OPEN),
    Action.PRINT_PAPER_BALLOTS: ({"commissioner", "facilitator"}, {StageKind.VOTE}, BEFORE | OPEN),
    Action.KEY_PAPER_BALLOT: ({"commissioner", "facilitator"}, {StageKind.VOTE}, OPEN),
    Action.RESOLVE_PAPER_BALLOT: ({"commissioner", "facilitator"}, {StageKind.VOTE}, OPEN),
    Action.RECORD_WORKSHOP: ({"commissioner", "facilitator"}, ALL, OPEN | {StageState.CLOSED}),
}
# Actions on one's own proposal: the matrix passes the person as its author.
AUTHOR_ACTIONS = {Action.EDIT_PROPOSAL, Action.RESPOND_TO_REVIEW, Action.CONSENT_TO_MERGE, Action.CONSENT_TO_CARRY_OVER}
EXPECTED_CYCLE: dict[Action, set[str]] = {
    Action.CREATE_CYCLE: {"commissioner"},
    Action.APPOINT_REPRESENTATIVE: {"commissioner"},
    Action.VIEW_DASHBOARD: {"commissioner", "representative", "councillor"},
    Action.READ_AUDIT_LOG: {"commissioner", "representative", "councillor"},
    Action.ENTER_POPULATION: {"commissioner"},
    Action.ENDORSE_CYCLE: {"councillor"},
    Action.MANAGE_ROLES: {"admin"},
    Action.MANAGE_ACCOUNTS: {"admin"},
    Action.READ_COUNCIL_AUDIT_LOG: {"admin"},
    Action.MANAGE_TEMPLATES: {"commissioner"},
}
# Actions a mandate setting can forbid even to the right role in the right state.
SETTING_GATED = {
    Action.REVISE_COST: "review.may_revise_costs",
    Action.OVERRIDE_RESULT: "decision.override_by",
    Action.CAST_CODE_BALLOT: "vote.eligibility",
    Action.ISSUE_VOTING_CODES: "vote.eligibility",
    Action.START_KIOSK: "vote.eligibility",
    Action.PRINT_PAPER_BALLOTS: "vote.eligibility",
    Action.KEY_PAPER_BALLOT: "vote.eligibility",
    Action.RESOLVE_PAPER_BALLOT: "vote.eligibility",
    Action.ANSWER_QUESTIONS: "vote.demographics",  # the strict mandate asks none
}
SETTING_GATED[Action.PLEDGE] = "delivery.residents_may_pledge"  # the strict delivery mandate asks for none
SETTING_GATED[Action.RECORD_PLEDGE] = "delivery.residents_may_pledge"
PEOPLE = ("anonymous", "resident", "representative", "facilitator", "commissioner", "other_commissioner",
          "councillor", "other_councillor", "admin")


def test_every_action_is_decided_in_the_table_and_here() -> None:
    assert set(PERMISSIONS) | set(CYCLE_PERMISSIONS) == set(Action)
    assert set(EXPECTED) | set(EXPECTED_CYCLE) == set(Action)
    assert not set(PERMISSIONS) & set(CYCLE_PERMISSIONS)


@pytest.fixture
def everyone(make_user, make_cycle, commissioner, representative):  # type: ignore[no-untyped-def]
    cycle = make_cycle(kinds=list(StageKind))
    people = {
        "anonymous": None,
        "resident": make_user(),
        "representative": representative,
        "facilitator": make_user(Role.FACILITATOR, cycle=cycle),
        "commissioner": commissioner,
        "other_commissioner": make_user(Role.COMMISSIONER, cycle=(another := make_cycle(title="Another"))),
        "councillor": make_user(Role.COUNCILLOR, cycle=cycle),
        "other_councillor": make_user(Role.COUNCILLOR, cycle=another),
        "admin": make_user(Role.ADMIN),  # administrators give roles; they hold no other say
    }
    return cycle, people


def _agree_all(cycle, commissioner, representative, *, permissive: bool) -> None:  # type: ignore[no-untyped-def]
    from pb.mandates.services import sign_mandate

    for stage in cycle.stages:
        if permissive and stage.kind == StageKind.REVIEW:
            update_mandate(
                stage,
                commissioner,
                purpose="p",
                roles="r",
                boundaries={**stage.mandate.boundaries_data, "may_revise_costs": True},
            )
        if permissive and stage.kind == StageKind.VOTE:
            update_mandate(
                stage,
                commissioner,
                purpose="p",
                roles="r",
                boundaries={**stage.mandate.boundaries_data, "eligibility": "both", "demographics": ["age"]},
            )
        if permissive and stage.kind == StageKind.DECISION:
            update_mandate(
                stage,
                commissioner,
                purpose="p",
                roles="r",
                boundaries={**stage.mandate.boundaries_data, "override_by": "commissioners"},
            )
        if not permissive and stage.kind == StageKind.DELIVERY:
            update_mandate(
                stage,
                commissioner,
                purpose="p",
                roles="r",
                boundaries={**stage.mandate.boundaries_data, "residents_may_pledge": False},
            )
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, stage.mandate.version)
        sign_mandate(stage, representative, Side.RESIDENTS, stage.mandate.version)


@pytest.mark.parametrize("permissive", [False, True], ids=["strict-mandates", "permissive-mandates"])
def test_who_may_do_what_in_every_stage_kind_and_state(everyone, commissioner, representative, permissive) -> None:
    cycle, people = everyone
    _agree_all(cycle, commissioner, representative, permissive=permissive)
    context = {Action.OVERRIDE_RESULT: {"ground": "Found unlawful after the vote"}}
    mismatches = []
    for action, person, stage, state in product(EXPECTED, PEOPLE, cycle.stages, StageState):
        for other in cycle.stages:  # every other stage closed, so stage order never interferes
            other.state = StageState.CLOSED
        stage.state = state
        roles, kinds, states = EXPECTED[action]
        expected = person in roles and stage.kind in kinds and state in states
        if action in SETTING_GATED and not permissive:
            expected = False
        kwargs = dict(context.get(action, {}))
        if action in AUTHOR_ACTIONS:
            kwargs["author_id"] = getattr(people[person], "id", None)
        if action == Action.SIGN_MANDATE:
            kwargs["side"] = Side.COMMISSIONERS if person == "commissioner" else Side.RESIDENTS
        try:
            require(people[person], action, stage, **kwargs)
            got = True
        except PBError as refusal:
            got = False
            assert refusal.clause, f"{action} refused without naming a clause"
        if got != expected:
            mismatches.append((action.value, person, stage.kind.value, state.value, expected))
    assert mismatches == []


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_act_on_a_whole_cycle(everyone, person) -> None:
    cycle, people = everyone
    for action, roles in EXPECTED_CYCLE.items():
        try:
            require_cycle_action(people[person], action, cycle)
            got = True
        except PBError:
            got = False
        assert got == (person in roles), (action, person)
