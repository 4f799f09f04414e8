"""Councillors endorse a cycle: on its page for everyone, changed or taken back, each in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pb.accounts.models import Role
from pb.audit.models import AuditEntry
from pb.cycles.endorsements import endorse, endorsements_of, withdraw_endorsement
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised
from tests.conftest import HX


@pytest.fixture
def councillor(make_user, make_cycle):  # type: ignore[no-untyped-def]
    cycle = make_cycle(title="Riverside 2027")
    return cycle, make_user(Role.COUNCILLOR, cycle=cycle, name="Cerys Councillor")


def _actions(cycle_id: int) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.cycle_id == cycle_id).order_by(AuditEntry.seq)
    return [a for a in db.session.scalars(query) if "endorse" in a]


def test_a_councillor_endorses_changes_and_takes_back_and_each_is_logged(councillor) -> None:
    cycle, person = councillor
    endorse(cycle, person, "  I back this.  ")
    endorse(cycle, person, "I back this. See you at the Hub.")
    [endorsement] = endorsements_of(cycle)
    assert (endorsement.user.name, endorsement.statement) == ("Cerys Councillor", "I back this. See you at the Hub.")
    withdraw_endorsement(cycle, person)
    assert endorsements_of(cycle) == []
    assert _actions(cycle.id) == ["cycle.endorse", "cycle.endorse", "cycle.withdraw_endorsement"]
    with pytest.raises(InvalidInput, match="nothing to take back"):
        withdraw_endorsement(cycle, person)


def test_only_a_councillor_of_the_cycle_endorses_it(councillor, make_user, make_cycle, commissioner) -> None:
    cycle, _person = councillor
    elsewhere = make_user(Role.COUNCILLOR, cycle=make_cycle(title="Elsewhere"))
    for actor in (commissioner, make_user(), elsewhere, make_user(Role.ADMIN)):
        with pytest.raises(NotAuthorised) as refused:
            endorse(cycle, actor, "Yes")
        assert "councillors" in refused.value.message
    assert endorsements_of(cycle) == [] and _actions(cycle.id) == []


def test_a_statement_too_long_is_refused_on_its_field(councillor) -> None:
    cycle, person = councillor
    with pytest.raises(InvalidInput) as refused:
        endorse(cycle, person, "x" * 1001)
    assert refused.value.field == "statement"
    assert endorsements_of(cycle) == []


def test_the_cycle_page_shows_endorsements_to_everyone_and_the_form_to_its_councillors(
    client, login_as, councillor, resident
) -> None:
    cycle, person = councillor
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "Endorsed by councillors" not in page  # none yet, and nobody here to give one
    login_as(person)
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "No councillor has endorsed this cycle yet." in page and "Endorse this cycle" in page
    assert "Dashboard: turnout" in page and "Audit log of this cycle" in page  # councillors observe

    response = client.submit(f"/cycles/{cycle.id}/endorsement", {"statement": "Come and vote.\nEvery voice counts."})
    assert response.status_code == 303 and response.location.endswith(f"/cycles/{cycle.id}#endorsements")
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "<p>Come and vote.</p><p>Every voice counts.</p>" in page
    assert "Change what your endorsement says" in page and "Take your endorsement back" in page

    client.submit("/sign-out")
    client.csrf = None
    login_as(resident)
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "Cerys Councillor" in page and "Come and vote." in page
    assert "Endorse this cycle" not in page and "Audit log of this cycle" not in page
    refused = client.submit(f"/cycles/{cycle.id}/endorsement", {"statement": "Me too"})
    assert refused.status_code == 403


def test_endorsing_with_htmx_and_a_statement_too_long(client, login_as, councillor) -> None:
    cycle, person = councillor
    login_as(person)
    too_long = client.submit(f"/cycles/{cycle.id}/endorsement", {"statement": "x" * 1001}, headers=HX)
    page = too_long.get_data(as_text=True)
    assert too_long.status_code == 422 and "There is a problem" in page and "1000 characters or fewer" in page
    assert "x" * 1001 in page  # kept, to shorten
    assert endorsements_of(cycle) == []
    done = client.submit(f"/cycles/{cycle.id}/endorsement", {"statement": ""}, headers=HX)
    assert done.status_code == 204 and "HX-Redirect" in done.headers
    taken_back = client.submit(f"/cycles/{cycle.id}/endorsement/withdraw")
    assert taken_back.status_code == 303
    assert "Your endorsement has been taken back." in client.get(taken_back.location).get_data(as_text=True)
