"""No route lets anyone read or change what is not theirs, and no page offers a form they may not send.

Every rule with a `cycle_id` and another id is called with cycle A and an object of cycle B,
by a commissioner of both (so only the cross-cycle check can stop it), and must answer 404.
A new route with a new kind of id fails here until it is given a factory below.

Every page is then read, at every stage of a cycle, by someone signed out, by a resident who
holds no role and wrote nothing, and by a resident representative: each form on it must be one
they may send. Someone who may not act is told so before they type, not after.
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import text

from pb.accounts.models import Role, User
from pb.accounts.services import has_role
from pb.cycles.models import StageKind
from pb.db import db
from pb.priorities.models import NeedKind
from pb.priorities.services import record_need
from pb.proposals.services import ProposalFields, submit_proposal
from tests.conftest import FULL_CYCLE, HX, PASSWORD, Client

# What anyone may send: signing in or up, asking for a password reset link, and a voting code.
ANYONE = {"accounts.sign_in", "accounts.sign_up", "accounts.forgot_password", "voting.enter_code"}
# What any signed-in resident may send, at the stage that takes it, besides their own account's forms.
ANY_RESIDENT = ANYONE | {
    "accounts.sign_out", "accounts.edit_details", "accounts.change_password", "accounts.remove_account",
    "accounts.change_name", "accounts.change_email",
    "priorities.record_need", "priorities.support_need", "proposals.submit_proposal",
    "deliberation.add_comment", "deliberation.support_proposal", "voting.choose",
}
# What a cycle's councillors may send besides: endorsing it, or taking that back.
COUNCILLOR = ANY_RESIDENT | {"cycles.endorse_cycle", "cycles.withdraw_endorsement"}
# What a cycle's resident representatives may send besides: the mandates, the agreed themes, moderating.
REPRESENTATIVE = ANY_RESIDENT | {
    "mandates.edit_mandate", "mandates.apply_template", "mandates.discuss_mandate", "mandates.sign_mandate",
    "priorities.agree_theme", "deliberation.hide_comment",
}


def test_no_route_reaches_into_another_cycle(app, client, make_cycle, busy_cycle, commissioner) -> None:
    _other, things = busy_cycle
    mine = make_cycle(title="Cycle A")
    db.session.commit()
    client.submit("/sign-in", {"email": commissioner.email, "password": PASSWORD})
    client.csrf = None
    checked = []
    for rule in app.url_map.iter_rules():
        ids = [a for a in rule.arguments if a not in ("cycle_id", "kind", "fmt", "code", "filename")]
        if "cycle_id" not in rule.arguments or not ids:
            continue
        missing = [a for a in ids if a not in things]
        assert not missing, f"{rule.rule}: add a factory for {missing} to this test"
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(mine.id if m[1] == "cycle_id" else things[m[1]]),
                     rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else client.submit(url, {})
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            checked.append(f"{method} {rule.rule}")
    assert len(checked) >= 15  # the routes above exist; the test must not pass by finding none


def test_no_route_shows_or_changes_a_persons_roles_but_to_an_administrator(
    app, client, login_as, busy_cycle, commissioner, make_user
) -> None:
    """Routes naming a person (the People pages): 403 to anyone else, even a commissioner of every cycle;
    and one person's role reached through another's address: 404."""
    _cycle, things = busy_cycle
    person_routes = [rule for rule in app.url_map.iter_rules() if "user_id" in rule.arguments]
    assert len(person_routes) >= 3

    def urls(values: dict[str, int]) -> list[tuple[str, str]]:
        return [(method, re.sub(r"<(?:int:)?(\w+)>", lambda m: str(values[m[1]]), rule.rule))
                for rule in person_routes for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]

    login_as(commissioner)
    for method, url in urls(things):
        response = client.get(url) if method == "GET" else client.submit(url, {"role": "admin", "cycle": ""})
        assert response.status_code == 403, f"{method} {url} answered {response.status_code}"
    assert not has_role(commissioner, Role.ADMIN)
    client.submit("/sign-out")
    client.csrf = None
    login_as(make_user(Role.ADMIN))
    someone_else = make_user()
    take_away = f"/people/{someone_else.id}/roles/{things['grant_id']}/take-away"
    assert client.submit(take_away).status_code == 404
    assert has_role(db.session.get(User, things["user_id"]), Role.FACILITATOR, _cycle.id)


def test_another_cycles_commissioner_cannot_enter_its_population_figures(
    client, busy_cycle, make_user, make_cycle
) -> None:
    """The population form has no id but the cycle's: only the cycle's own commissioners may use it."""
    cycle, _things = busy_cycle
    other = make_user(Role.COMMISSIONER, cycle=make_cycle(title="Cycle A"))
    client.submit("/sign-in", {"email": other.email, "password": PASSWORD})
    client.csrf = None
    url = f"/cycles/{cycle.id}/dashboard/population"
    assert client.get(url).status_code == 403
    refused = client.submit(url, {"age-16_24": "10", "source": "Census"})
    assert refused.status_code == 403 and "Only the cycle&#39;s commissioners can do this." in refused.get_data(True)
    assert db.session.execute(text("SELECT count(*) FROM population_figures")).scalar() == 0


def _forms_on_every_page(app: Flask, client: Client, values: dict[str, object]) -> dict[str, set[str]]:
    """Each page that answers 200: the endpoints its forms post to."""
    adapter = app.url_map.bind("localhost")
    offered: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or not set(rule.arguments) - {"kind"} <= set(values):
            continue
        for kind in ([k.value for k in FULL_CYCLE] if "kind" in rule.arguments else [None]):
            url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, k=kind: str(k if m[1] == "kind" else values[m[1]]), rule.rule)
            page = client.get(url)
            if page.status_code != 200 or page.mimetype != "text/html":
                continue
            tags = [tag for tag in re.findall(r"<form\b[^>]*>", page.get_data(as_text=True)) if 'method="post"' in tag]
            actions = [(m[1] if (m := re.search(r'action="([^"?]*)', tag)) else url) for tag in tags]
            offered[url] = {adapter.match(action, method="POST")[0] for action in actions}
    return offered


def test_no_page_offers_a_form_its_reader_may_not_send(
    app, client, make_cycle, walk_to, make_user, resident, representative
) -> None:
    cycle = make_cycle(title="Everyone's cycle", kinds=FULL_CYCLE)
    stranger = make_user()  # no role, and nothing written: every form they see must be one anyone may use
    councillor = make_user(Role.COUNCILLOR, cycle=cycle)
    readers = ((None, ANYONE), (stranger, ANY_RESIDENT), (representative, REPRESENTATIVE), (councillor, COUNCILLOR))
    values: dict[str, object] = {"cycle_id": cycle.id, "fmt": "csv", "code": "cy"}
    pages = 0
    for kind in FULL_CYCLE:
        walk_to(cycle, kind)
        if kind == StageKind.PRIORITIES:
            values["need_id"] = record_need(cycle, resident, kind=NeedKind.NEED, title="Bins").id
        if kind == StageKind.PROPOSALS:
            values["proposal_id"] = submit_proposal(cycle, resident, ProposalFields(title="A", summary="S", cost=1)).id
        db.session.commit()
        for reader, allowed in readers:
            if reader is not None:
                client.submit("/sign-in", {"email": reader.email, "password": PASSWORD})
                client.csrf = None  # signing in starts a new session, with a new token
            who = reader.email if reader else "signed out"
            for url, endpoints in _forms_on_every_page(app, client, values).items():
                assert endpoints <= allowed, f"{kind.value} stage, {who}: {url} offers {endpoints - allowed}"
                pages += 1
            if reader is not None:
                assert client.submit("/sign-out").status_code == 303
                client.csrf = None
    assert pages > 100  # the pages were read: the test must not pass by finding none


def test_someone_who_may_not_act_is_told_why_instead_of_being_shown_the_form(
    client, make_cycle, walk_to, make_user, commissioner
) -> None:
    cycle = make_cycle(title="Told why", kinds=FULL_CYCLE)
    stranger = make_user()
    pages = {  # the page, and the stage at which its form is in use
        "/cycles/new": StageKind.PRIORITIES,
        f"/cycles/{cycle.id}/stages/proposals/mandate/edit": StageKind.PRIORITIES,
        f"/cycles/{cycle.id}/review": StageKind.REVIEW,
        f"/cycles/{cycle.id}/decision": StageKind.DECISION,
    }
    for kind in dict.fromkeys(pages.values()):
        walk_to(cycle, kind)
        for url in (url for url, at in pages.items() if at == kind):
            for person, status in ((stranger, 403), (commissioner, 200)):
                client.submit("/sign-in", {"email": person.email, "password": PASSWORD})
                client.csrf = None
                for headers in ({}, HX):
                    page = client.get(url, headers=headers)
                    assert page.status_code == status, f"{url} for {person.email}: {page.status_code}"
                    if status == 403:
                        assert "Only " in page.get_data(as_text=True)  # who may, in the refusal's words
                client.submit("/sign-out")
                client.csrf = None
