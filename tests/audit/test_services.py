from __future__ import annotations

import pytest
from sqlalchemy import select, update

from pb.accounts.models import Role
from pb.audit.models import AuditEntry
from pb.audit.services import GENESIS, cycle_entries, record, verify
from pb.db import db
from pb.errors import NotAuthorised


def test_entries_chain_to_the_one_before(app, commissioner) -> None:
    first = record("test.one", actor=commissioner, role="commissioner")
    second = record("test.two", actor=None)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1


def test_the_log_verifies_until_an_entry_is_changed(app, commissioner) -> None:
    record("test.one", actor=commissioner)
    record("test.two", actor=commissioner, detail={"amount": 5})
    db.session.commit()
    assert verify().ok

    db.session.execute(update(AuditEntry).where(AuditEntry.action == "test.two").values(detail={"amount": 6}))
    db.session.commit()
    db.session.expire_all()
    result = verify()
    assert not result.ok
    seq = db.session.scalar(select(AuditEntry.seq).where(AuditEntry.action == "test.two"))
    assert result.first_bad_seq == seq
    assert "changed" in (result.problem or "")


def test_a_removed_entry_breaks_the_chain(app, commissioner) -> None:
    for n in range(3):
        record(f"test.{n}", actor=commissioner)
    db.session.commit()
    db.session.execute(AuditEntry.__table__.delete().where(AuditEntry.action == "test.1"))
    db.session.commit()
    db.session.expire_all()
    assert not verify().ok


def test_reordered_entries_break_the_chain(app, commissioner) -> None:
    for n in range(3):
        record(f"test.{n}", actor=commissioner)
    db.session.commit()
    # Swap the contents of entries 2 and 3 (keeping each one's own hash): the order is evidence too.
    two, three = db.session.scalars(select(AuditEntry).where(AuditEntry.seq.in_([2, 3])).order_by(AuditEntry.seq))
    fields = ("action", "at", "detail", "prev_hash", "hash")
    values_two, values_three = ({f: getattr(e, f) for f in fields} for e in (two, three))
    for entry in (two, three):  # hashes are unique: park them while swapping
        entry.hash = f"temporary-{entry.seq}"
    db.session.flush()
    for entry, values in ((two, values_three), (three, values_two)):
        for name, value in values.items():
            setattr(entry, name, value)
    db.session.commit()
    result = verify()
    assert not result.ok and result.first_bad_seq == 2


def test_the_cli_names_the_first_broken_entry(app, commissioner) -> None:
    record("test.one", actor=commissioner)
    record("test.two", actor=commissioner)
    db.session.commit()
    runner = app.test_cli_runner()
    assert "Audit log verified: 2 entries." in runner.invoke(args=["pb", "verify-audit"]).output
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor_name="Someone else"))
    db.session.commit()
    result = runner.invoke(args=["pb", "verify-audit"])
    assert result.exit_code == 1
    assert "does NOT verify at entry 2" in result.output


def test_a_cycles_log_is_read_by_those_its_mandates_let_and_nobody_else(app, make_cycle, representative,
                                                                     resident, make_user) -> None:
    cycle, other = make_cycle(), make_cycle(title="Another cycle")
    actions = [entry.action for entry in cycle_entries(representative, cycle)]
    assert actions[0] == "cycle.create" and all(e.cycle_id == cycle.id for e in cycle_entries(representative, cycle))
    assert cycle_entries(make_user(Role.COUNCILLOR, cycle), cycle)
    for reader in (resident, make_user(Role.COUNCILLOR, other), make_user(Role.FACILITATOR, cycle), None):
        with pytest.raises(NotAuthorised):
            cycle_entries(reader, cycle)
