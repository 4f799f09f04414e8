"""Pledges made in person, recorded by a commissioner for people without an account."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pb.audit.models import AuditEntry
from pb.cycles.models import StageKind
from pb.db import db
from pb.delivery import pledges, services
from pb.delivery.models import Pledge
from pb.errors import Conflict, InvalidInput, NotAuthorised, NotFound, OutsideMandate
from tests.conftest import HX


def _titled(proposals, title):  # type: ignore[no-untyped-def]
    return next(p for p in proposals if p.title == title)


def test_a_commissioner_records_a_pledge_made_in_person_beside_residents_own(
    decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    bulbs = _titled(proposals, "Bulbs")
    services.pledge(bulbs, resident, hours=4)
    recorded = pledges.record_pledge(bulbs, commissioner, name="  Mrs   Eirlys Jones ", hours=6,
                                     materials="The chapel vestry on Tuesdays")
    assert (recorded.user_id, recorded.name, recorded.recorded_by_id) == (None, "Mrs Eirlys Jones", commissioner.id)
    assert recorded.pledger == "Mrs Eirlys Jones" and not recorded.given
    contributions = services.project_delivery(bulbs).contributions
    assert (contributions.pledgers, contributions.hours_pledged, contributions.hours_given) == (2, 10, 0)
    assert ("The chapel vestry on Tuesdays", False) in contributions.materials

    pledges.mark_given(bulbs, recorded.id, commissioner)
    assert services.project_delivery(bulbs).contributions.hours_given == 6
    pledges.remove_pledge(bulbs, recorded.id, commissioner)
    assert [p.user_id for p in services.pledges_of(bulbs)] == [resident.id]

    pledged = select(AuditEntry).where(AuditEntry.action.like("delivery.pledge_%")).order_by(AuditEntry.seq)
    entries = list(db.session.scalars(pledged))
    assert [e.action for e in entries] == [f"delivery.pledge_{what}" for what in ("recorded", "given", "removed")]
    assert all("Jones" not in str(e.detail) and "Jones" not in (e.subject or "") for e in entries)


def test_recording_a_pledge_is_for_commissioners_within_the_mandate(
    decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    bulbs = _titled(proposals, "Bulbs")
    with pytest.raises(NotAuthorised):
        pledges.record_pledge(bulbs, resident, name="A friend", hours=2)
    with pytest.raises(Conflict):
        pledges.record_pledge(_titled(proposals, "Pond"), commissioner, name="A friend", hours=2)  # not funded
    with pytest.raises(InvalidInput) as blank:
        pledges.record_pledge(bulbs, commissioner, name="   ", hours=2)
    assert blank.value.field == "name"
    with pytest.raises(InvalidInput) as nothing:
        pledges.record_pledge(bulbs, commissioner, name="A friend", hours=0, materials=" ")
    assert nothing.value.field == "hours"
    mine = services.pledge(bulbs, resident, hours=3)
    with pytest.raises(NotFound):  # a resident's own pledge is theirs to change, not a commissioner's
        pledges.remove_pledge(bulbs, mine.id, commissioner)
    assert db.session.scalar(select(Pledge).where(Pledge.user_id.is_(None))) is None

    strict, strict_proposals = decided_cycle(residents_may_pledge=False)
    walk_to(strict, StageKind.DELIVERY)
    with pytest.raises(OutsideMandate) as refusal:
        pledges.record_pledge(_titled(strict_proposals, "Bulbs"), commissioner, name="A friend", hours=2)
    assert refusal.value.clause == "delivery.residents_may_pledge"


def test_the_commissioner_records_marks_and_removes_through_the_page(
    client, login_as, decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    bulbs = _titled(proposals, "Bulbs")
    page_url = f"/cycles/{cycle.id}/delivery/{bulbs.id}"
    login_as(commissioner)
    assert "Record a pledge made in person" in client.get(page_url).get_data(as_text=True)
    bad = client.submit(f"{page_url}/pledges", {"name": "", "hours": "lots", "materials": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "There is a problem" in text
    assert "Enter the name of the person who made the pledge." in text and "<details" in text and " open" in text
    assert db.session.scalar(select(Pledge)) is None  # nothing half-written

    made = client.submit(f"{page_url}/pledges", {"name": "Eirlys Jones", "hours": "5", "materials": ""}, headers=HX)
    assert made.status_code == 204 and made.headers["HX-Redirect"] == f"{page_url}#pledgers"
    page = client.get(page_url).get_data(as_text=True)
    assert "The pledge is recorded." in page and "Eirlys Jones" in page and "(in person)" in page
    recorded = db.session.scalar(select(Pledge))
    given = client.submit(f"{page_url}/pledges/{recorded.id}/given")
    assert given.status_code == 303 and given.headers["Location"] == f"{page_url}#pledgers"
    db.session.expire_all()
    assert db.session.get(Pledge, recorded.id).given
    assert client.submit(f"{page_url}/pledges/{recorded.id}/remove").status_code == 303
    assert client.submit(f"{page_url}/pledges/{recorded.id}/remove").status_code == 404

    client.submit("/sign-out")
    client.csrf = None
    public = client.get(page_url).get_data(as_text=True)
    assert "Record a pledge made in person" not in public and "Eirlys" not in public
    login_as(resident)
    refused = client.submit(f"{page_url}/pledges", {"name": "Someone", "hours": "2"})
    assert refused.status_code == 403
