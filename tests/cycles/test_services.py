from __future__ import annotations

import pytest
from sqlalchemy import event

from pb.accounts.models import Role
from pb.audit.services import entries_for_cycle
from pb.cycles.models import StageKind, StageState
from pb.cycles.services import close_stage, create_cycle, get_cycle, open_stage
from pb.db import db
from pb.errors import InvalidInput, MandateNotAgreed, NotAuthorised, NotFound


def test_a_commissioner_creates_a_cycle_with_every_stage_kind_in_the_order_chosen(commissioner) -> None:
    order = [
        StageKind.PROPOSALS,
        StageKind.REVIEW,
        StageKind.DELIBERATION,
        StageKind.VOTE,
        StageKind.DECISION,
        StageKind.DELIVERY,
        StageKind.ASSESSMENT,
    ]
    cycle = create_cycle(
        commissioner, title="T", purpose="P", area="A", budget=100_00, kinds=[StageKind.PRIORITIES, *order]
    )
    assert [s.kind for s in cycle.stages] == [StageKind.PRIORITIES, *order]
    assert [s.position for s in cycle.stages] == list(range(1, 9))
    assert all(s.mandate.version == 1 for s in cycle.stages)
    assert any(g.role == Role.COMMISSIONER and g.cycle_id == cycle.id for g in commissioner.grants)
    assert [e.action for e in entries_for_cycle(cycle.id)] == ["cycle.create"]


def test_a_resident_cannot_create_a_cycle(resident) -> None:
    with pytest.raises(NotAuthorised):
        create_cycle(resident, title="T", purpose="P", area="A", budget=100, kinds=[StageKind.VOTE])


@pytest.mark.parametrize(
    ("budget", "kinds", "field", "message"),
    [
        (0, [StageKind.PROPOSALS], "budget", "more than zero"),
        (-5, [StageKind.PROPOSALS], "budget", "more than zero"),
        (100, [], "kinds", "at least one stage"),
        (100, [StageKind.VOTE], "kinds", "vote stage needs a proposals stage"),
        (100, [StageKind.VOTE, StageKind.PROPOSALS], "kinds", "proposals stage must come before the vote"),
        (100, [StageKind.PROPOSALS, StageKind.PROPOSALS], "kinds", "its own place"),
        (100, [StageKind.ASSESSMENT, StageKind.DELIVERY], "kinds", "delivery stage must come before"),
    ],
)
def test_bad_cycles_are_refused_and_nothing_is_written(commissioner, budget, kinds, field, message) -> None:
    from pb.cycles.services import list_cycles

    with pytest.raises(InvalidInput) as refused:
        create_cycle(commissioner, title="T", purpose="P", area="A", budget=budget, kinds=kinds)
    assert refused.value.field == field
    assert message in refused.value.message
    assert list_cycles() == []


def test_opening_a_stage_whose_mandate_is_not_signed_by_both_sides_writes_nothing(make_cycle, commissioner) -> None:
    from pb.mandates.models import Side
    from pb.mandates.services import sign_mandate

    cycle = make_cycle()
    stage = cycle.stage_of_kind(StageKind.PROPOSALS)
    sign_mandate(stage, commissioner, Side.COMMISSIONERS, 1)
    entries_before = len(entries_for_cycle(cycle.id))
    with pytest.raises(MandateNotAgreed):
        open_stage(stage, commissioner)
    assert stage.state == StageState.DRAFT
    assert len(entries_for_cycle(cycle.id)) == entries_before


def test_opening_and_closing_are_audited(make_cycle, agree, commissioner) -> None:
    cycle = make_cycle()
    stage = agree(cycle.stage_of_kind(StageKind.PROPOSALS))
    open_stage(stage, commissioner)
    close_stage(stage, commissioner)
    assert stage.state == StageState.CLOSED and stage.opened_at and stage.closed_at
    actions = [(e.action, e.actor_name, e.role) for e in entries_for_cycle(cycle.id)]
    assert ("stage.open", "Carys Commissioner", "commissioner") in actions
    assert ("stage.close", "Carys Commissioner", "commissioner") in actions


def test_a_cycle_comes_with_its_stages_and_mandates_in_one_statement_and_is_not_loaded_twice(make_cycle) -> None:
    cycle_id = make_cycle().id
    db.session.expunge_all()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        cycle = get_cycle(cycle_id)
        assert [len(stage.mandates) for stage in cycle.stages] == [1] * len(cycle.stages)
        assert get_cycle(cycle_id) is cycle
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    with pytest.raises(NotFound):
        get_cycle(cycle_id + 1000)

