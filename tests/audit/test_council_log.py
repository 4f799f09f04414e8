"""The council's audit log: the entries of no one cycle, for administrators, a page at a time."""

from __future__ import annotations

from pb.accounts.models import Role
from pb.accounts.roles import give_role
from pb.audit import services
from pb.audit.services import record
from pb.db import db
from tests.conftest import HX


def test_an_administrator_reads_the_councils_entries_newest_first_and_not_a_cycles(
    client, login_as, make_user, make_cycle, resident
) -> None:
    admin = make_user(Role.ADMIN, name="Aled Admin")
    cycle = make_cycle(title="Riverside 2027")
    give_role(admin, resident, Role.COUNCILLOR)  # everywhere: the council's log
    give_role(admin, resident, Role.FACILITATOR, cycle)  # in one cycle: that cycle's log
    db.session.commit()
    login_as(admin)
    assert 'href="/audit"' in client.get("/").get_data(as_text=True)
    for headers in ({}, HX):
        page = client.get("/audit", headers=headers).get_data(as_text=True)
        assert "The council&#39;s audit log" in page or "The council's audit log" in page
        assert "account.give_role" in page and "Rhian Resident – councillor" in page
        assert "Rhian Resident – facilitator" not in page
        assert "The whole log verifies" in page
    exported = client.get("/audit.json").get_json()
    assert [e["action"] for e in exported] == ["account.give_role"] and exported[0]["hash"]
    assert all(e["cycle_id"] is None for e in exported)


def test_the_log_comes_a_hundred_entries_a_page(client, login_as, make_user) -> None:
    admin = make_user(Role.ADMIN)
    for n in range(services.COUNCIL_PAGE + 5):
        record("template.import", actor=admin, role="commissioner", subject=f"Template {n}")
    db.session.commit()
    login_as(admin)
    first = client.get("/audit").get_data(as_text=True)
    assert "Template 104" in first and "Template 4<" not in first and "Older entries" in first
    newest_shown = services.council_entries(admin)
    older = client.get(f"/audit?before={newest_shown[-1].seq}").get_data(as_text=True)
    assert "Template 4<" in older and "Template 0<" in older and "Template 104" not in older
    assert "Newest entries" in older and "Older entries" not in older
    assert client.get("/audit?before=nonsense").status_code == 200


def test_only_an_administrator_reads_the_councils_log(client, login_as, commissioner, make_user) -> None:
    assert client.get("/audit").status_code == 302
    for person in (commissioner, make_user(Role.COUNCILLOR)):
        login_as(person)
        assert client.get("/audit").status_code == 403 and client.get("/audit.json").status_code == 403
        assert 'href="/audit"' not in client.get("/").get_data(as_text=True)
        client.submit("/sign-out")
        client.csrf = None
