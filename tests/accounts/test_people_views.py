"""The People pages, through the test client: only an administrator reaches them, with and without htmx."""

from __future__ import annotations

import pytest

from pb.accounts.models import Role
from pb.accounts.services import has_role
from pb.db import db
from tests.conftest import HX


@pytest.fixture
def admin(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.ADMIN, name="Aled Admin")


def test_only_an_administrator_reaches_the_people_pages(client, login_as, admin, commissioner, resident) -> None:
    assert client.get("/people").status_code == 302  # signed out: to sign in, and back
    login_as(commissioner)
    for url in ("/people", f"/people/{resident.id}"):
        response = client.get(url)
        assert response.status_code == 403 and "Only administrators can do this." in response.get_data(as_text=True)
    assert "People and their roles" not in client.get("/").get_data(as_text=True)
    response = client.submit(f"/people/{resident.id}/roles", {"role": "commissioner", "cycle": ""})
    assert response.status_code == 403
    assert not has_role(resident, Role.COMMISSIONER, None)


def test_an_administrator_finds_people_and_htmx_gets_only_the_results(client, login_as, admin, resident) -> None:
    login_as(admin)
    assert "People and their roles" in client.get("/").get_data(as_text=True)
    page = client.get("/people?q=rhian").get_data(as_text=True)
    assert "<h1" in page and 'value="rhian"' in page
    results = page[page.index('<div id="results"'):]
    assert "Rhian Resident" in results and "Aled Admin" not in results
    fragment = client.get("/people?q=aled", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="results"') and "Aled Admin" in fragment
    assert "Administrator, in every cycle" in fragment
    assert "Nobody" in client.get("/people?q=zzz").get_data(as_text=True)


def test_the_people_list_goes_a_page_at_a_time_keeping_the_search(client, login_as, admin, make_user) -> None:
    from pb.accounts.roles import PEOPLE_PER_PAGE

    for n in range(PEOPLE_PER_PAGE + 5):
        make_user(name=f"Resident {n:03}")
    facilitator = make_user(Role.FACILITATOR, name="Ffion Facilitator")
    login_as(admin)
    first = client.get("/people").get_data(as_text=True)
    assert f"People 1 to {PEOPLE_PER_PAGE} of 57, by name." in first
    assert '<nav class="pagination" aria-label="Pages of the list">' in first
    assert 'href="/people?page=2" rel="next">Next page</a>' in first and "Previous page" not in first
    assert 'aria-label="Page 1" aria-current="page">1</a>' in first
    assert "<title>People and their roles (page 1 of 2) – Cyd</title>" in first
    second = client.get("/people?page=2", headers=HX).get_data(as_text=True)
    assert second.lstrip().startswith('<div id="results"') and "People 51 to 57 of 57, by name." in second
    assert 'href="/people" rel="prev">Previous page</a>' in second and "Next page" not in second
    searched = client.get("/people?q=resident&page=2").get_data(as_text=True)
    assert "People 51 to 55 of 55, by name." in searched and 'href="/people?q=resident" rel="prev"' in searched
    assert 'href="/people?page=2&amp;q=resident" aria-label="Page 2" aria-current="page"' in searched
    for odd in ("page=abc", "page=0", "page=999", "role=nobody"):
        assert client.get(f"/people?{odd}").status_code == 200
    assert "People 51 to 57" in client.get("/people?page=999").get_data(as_text=True)  # the last page
    narrowed = client.get("/people?role=facilitator").get_data(as_text=True)
    assert '<option value="facilitator" selected>Facilitator</option>' in narrowed
    results = narrowed[narrowed.index('<div id="results"'):]
    assert "<strong>1</strong> person" in results and facilitator.name in results and "Resident 000" not in results
    assert "Nobody holds that role." in client.get("/people?role=councillor").get_data(as_text=True)
    assert "Nobody holding that role has a name" in client.get("/people?role=admin&q=ffion").get_data(as_text=True)


def test_giving_a_role_from_the_persons_page(client, login_as, admin, resident, make_cycle) -> None:
    cycle = make_cycle(title="Riverside 2027")
    login_as(admin)
    page = client.get(f"/people/{resident.id}").get_data(as_text=True)
    assert "Give a role" in page and "Riverside 2027" in page and "Take this role away" not in page
    response = client.submit(f"/people/{resident.id}/roles", {"role": "facilitator", "cycle": str(cycle.id)})
    assert response.status_code == 303 and response.location.endswith(f"/people/{resident.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Rhian Resident now holds this role: Facilitator, in Riverside 2027." in page
    assert "Take this role away" in page
    db.session.expire_all()
    assert has_role(resident, Role.FACILITATOR, cycle.id)

    htmx = client.submit(f"/people/{resident.id}/roles", {"role": "councillor", "cycle": ""}, headers=HX)
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].endswith(f"/people/{resident.id}")


def test_a_role_refused_comes_back_on_the_form_with_the_reason(client, login_as, admin, resident, make_cycle) -> None:
    cycle = make_cycle()
    login_as(admin)
    for data, message in [
        ({"cycle": ""}, "Choose a role."),
        ({"role": "admin", "cycle": str(cycle.id)}, "choose every cycle"),
        ({"role": "resident", "cycle": ""}, "Not a valid choice"),
        ({"role": "commissioner", "cycle": "99999"}, "Not a valid choice"),
    ]:
        for headers in ({}, HX):
            response = client.submit(f"/people/{resident.id}/roles", data, headers=headers)
            page = response.get_data(as_text=True)
            assert response.status_code == 422, (data, response.status_code)
            assert "There is a problem" in page and message in page, data
    db.session.expire_all()
    assert [g.role for g in resident.grants] == [Role.RESIDENT]


def test_taking_a_role_away_and_what_cannot_be(client, login_as, admin, make_user, resident) -> None:
    councillor = make_user(Role.COUNCILLOR)
    login_as(admin)
    grant_id = councillor.grants[-1].id
    response = client.submit(f"/people/{councillor.id}/roles/{grant_id}/take-away")
    assert response.status_code == 303
    assert "no longer holds this role: Councillor, in every cycle." in client.get(response.location).get_data(
        as_text=True)
    db.session.expire_all()
    assert not has_role(councillor, Role.COUNCILLOR)
    # Again: it has gone. Another person's role through this one's page: not found.
    assert client.submit(f"/people/{councillor.id}/roles/{grant_id}/take-away").status_code == 404
    own = admin.grants[-1]
    assert client.submit(f"/people/{resident.id}/roles/{own.id}/take-away").status_code == 404
    refused = client.submit(f"/people/{admin.id}/roles/{own.id}/take-away")
    assert refused.status_code == 422 and "only administrator" in refused.get_data(as_text=True)
    resident_role = client.submit(f"/people/{resident.id}/roles/{resident.grants[0].id}/take-away", headers=HX)
    assert resident_role.status_code == 422 and resident_role.headers["HX-Retarget"] == "#messages"
    assert has_role(admin, Role.ADMIN) and has_role(resident, Role.RESIDENT)


def test_every_account_page_says_what_roles_it_holds(client, login_as, make_user, make_cycle) -> None:
    cycle = make_cycle(title="Riverside 2027")
    person = make_user(Role.FACILITATOR, cycle=cycle)
    login_as(person)
    page = client.get("/account").get_data(as_text=True)
    assert "Resident" in page and "Facilitator, in Riverside 2027" in page


def test_an_administrator_changes_a_persons_details_with_and_without_htmx(client, login_as, admin,
                                                                        resident) -> None:
    login_as(admin)
    page = client.get(f"/people/{resident.id}").get_data(as_text=True)
    assert f'href="/people/{resident.id}/details"' in page
    form = client.get(f"/people/{resident.id}/details").get_data(as_text=True)
    assert f'value="{resident.email}"' in form and 'value="Rhian Resident"' in form
    for headers in ({}, HX):
        refused = client.submit(f"/people/{resident.id}/details", {"name": "", "email": "admin"}, headers=headers)
        text = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "Enter the person's name." in text and "like name@example.com" in text
    taken = client.submit(f"/people/{resident.id}/details", {"name": "Rhian", "email": admin.email})
    assert taken.status_code == 422
    assert "Another account has this email address already." in taken.get_data(as_text=True)
    saved = client.submit(f"/people/{resident.id}/details", {"name": "Rhian Jones", "email": resident.email})
    assert saved.status_code == 303
    assert "Rhian Jones&#39;s details have been changed." in client.get(saved.location).get_data(as_text=True)
    same = client.submit(f"/people/{resident.id}/details", {"name": "Rhian Jones", "email": resident.email},
                         headers=HX)
    assert same.status_code == 204 and same.headers["HX-Redirect"].endswith(f"/people/{resident.id}")
    assert "Nothing was changed" in client.get(f"/people/{resident.id}").get_data(as_text=True)


def test_an_administrator_emails_a_person_a_reset_link(app, client, login_as, admin, resident) -> None:
    from pb.mail import outbox

    login_as(admin)
    page = client.get(f"/people/{resident.id}").get_data(as_text=True)
    assert "Email a link to choose a new password" in page
    sent = client.submit(f"/people/{resident.id}/reset-link")
    assert sent.status_code == 303
    assert f"A link to choose a new password has been sent to {resident.email}." \
        in client.get(sent.location).get_data(as_text=True)
    assert [m["To"] for m in outbox()] == [resident.email]
    app.config["MAIL_BACKEND"] = None
    page = client.get(f"/people/{resident.id}").get_data(as_text=True)
    assert "Email a link" not in page and f"flask pb set-password {resident.email}" in page
    refused = client.submit(f"/people/{resident.id}/reset-link")
    assert refused.status_code == 503 and "Ask the council team" in refused.get_data(as_text=True)


def test_taking_a_councillors_role_away_says_which_endorsements_came_down(client, login_as, admin, resident,
                                                                          make_cycle) -> None:
    from pb.accounts.roles import give_role
    from pb.cycles.endorsements import endorse

    cycle = make_cycle(title="Riverside 2027")
    role_grant = give_role(admin, resident, Role.COUNCILLOR, cycle)
    endorse(cycle, resident, "Vote!")
    db.session.commit()
    login_as(admin)
    response = client.submit(f"/people/{resident.id}/roles/{role_grant.id}/take-away")
    page = client.get(response.location).get_data(as_text=True)
    assert "Their endorsement of Riverside 2027 has been taken down" in page
