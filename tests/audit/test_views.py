from __future__ import annotations

from pb.accounts.models import Role
from tests.conftest import PASSWORD


def test_the_cycles_commissioners_representatives_and_councillors_read_and_export_its_log(
    client, make_cycle, commissioner, representative, make_user
) -> None:
    cycle = make_cycle()
    for person, allowed in (
        (commissioner, True),
        (representative, True),
        (make_user(Role.COUNCILLOR, cycle=cycle), True),
        (make_user(), False),
        (make_user(Role.ADMIN), False),
        (make_user(Role.COMMISSIONER, cycle=make_cycle(title="Other")), False),
    ):
        client.csrf = None
        client.submit("/sign-in", {"email": person.email, "password": PASSWORD})
        page = client.get(f"/cycles/{cycle.id}/audit")
        export = client.get(f"/cycles/{cycle.id}/audit.json")
        if allowed:
            assert page.status_code == 200 and "The whole log verifies" in page.get_data(as_text=True)
            # Each action in words, with its code beside for anyone checking the export.
            assert 'created the cycle <span class="hint"><code>cycle.create</code></span>' in page.get_data(True)
            assert [e["action"] for e in export.get_json()][:2] == ["cycle.create", "cycle.appoint_representative"]
            assert all(len(e["hash"]) == 64 for e in export.get_json())
        else:
            assert (page.status_code, export.status_code) == (403, 403)
        client.submit("/sign-out")


def test_an_anonymous_visitor_is_sent_to_sign_in(client, make_cycle) -> None:
    response = client.get(f"/cycles/{make_cycle().id}/audit")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
