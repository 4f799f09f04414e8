"""A whole commissioning cycle through the web UI, as the three people would do it."""

from __future__ import annotations

import re

from pb.accounts.models import Role
from pb.audit.services import entries_for_cycle, verify
from pb.cycles.models import Cycle
from pb.db import db
from pb.proposals.services import proposals_for
from tests.conftest import HX, PASSWORD, VOTE_FORM


def _sign_in(client, user) -> None:  # type: ignore[no-untyped-def]
    client.csrf = None
    assert client.submit("/sign-in", {"email": user.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def _sign_out(client) -> None:  # type: ignore[no-untyped-def]
    client.submit("/sign-out")
    client.csrf = None


def test_a_cycle_from_setup_to_published_results(client, make_user) -> None:
    commissioner = make_user(Role.COMMISSIONER, name="Carys")
    representative = make_user(name="Rhys")
    residents = [make_user(name=f"Resident {n}") for n in range(3)]

    # The commissioner sets up the cycle and appoints the representative.
    _sign_in(client, commissioner)
    response = client.submit(
        "/cycles/new",
        {
            "title": "Parks 2026",
            "purpose": "Better parks",
            "area": "Riverside",
            "budget": "10,000",
            "required_representatives": "1",
            "template": "binding-pb",
            "place_proposals": "1",
            "place_review": "2",
            "place_vote": "3",
            "place_decision": "4",
        },
    )
    assert response.status_code == 303
    cycle_id = int(re.search(r"/cycles/(\d+)", response.headers["Location"]).group(1))
    base = f"/cycles/{cycle_id}"
    assert client.submit(f"{base}/representatives", {"email": representative.email}).status_code == 303

    # A stage will not open before both sides sign.
    refused = client.submit(f"{base}/stages/proposals/open")
    assert refused.status_code == 409
    assert "cannot open until its mandate is signed" in refused.get_data(as_text=True)

    # The commissioner limits the vote to two choices, then signs every mandate.
    response = client.submit(f"{base}/stages/vote/mandate/edit", VOTE_FORM)
    assert response.status_code == 303
    for kind in ("proposals", "review", "vote", "decision"):
        assert (
            client.submit(f"{base}/stages/{kind}/mandate/sign", {"side": "commissioners", "version": "1"}).status_code
            == 303
        )
    _sign_out(client)
    _sign_in(client, representative)
    for kind in ("proposals", "review", "vote", "decision"):
        assert (
            client.submit(f"{base}/stages/{kind}/mandate/sign", {"side": "residents", "version": "1"}).status_code
            == 303
        )
    assert "Each voter chooses between 1 and 2 projects." in client.get(f"{base}/stages/vote/mandate").get_data(
        as_text=True
    )
    _sign_out(client)

    _sign_in(client, commissioner)
    assert client.submit(f"{base}/stages/proposals/open").status_code == 303
    _sign_out(client)

    # Residents propose; a bad cost is refused on the form, keeping what was typed.
    _sign_in(client, residents[0])
    bad = client.submit(f"{base}/proposals/new", {"title": "Benches", "summary": "Ten benches", "cost": "lots"})
    assert bad.status_code == 422
    assert "Enter an amount in pounds" in bad.get_data(as_text=True)
    assert 'value="Benches"' in bad.get_data(as_text=True)
    for title, cost in (("Benches", "3000"), ("Orchard", "5000"), ("Mural", "4000"), ("Casino", "2000")):
        assert (
            client.submit(f"{base}/proposals/new", {"title": title, "summary": "An idea", "cost": cost}).status_code
            == 303
        )
    _sign_out(client)

    # The commissioner reviews: three eligible, one ruled out with a public reason (via htmx).
    _sign_in(client, commissioner)
    client.submit(f"{base}/stages/proposals/close")
    client.submit(f"{base}/stages/review/open")
    cycle = db.session.get(Cycle, cycle_id)
    ids = {p.title: p.id for p in proposals_for(cycle)}
    for title in ("Benches", "Orchard", "Mural"):
        pid = ids[title]
        assert client.submit(f"{base}/proposals/{pid}/review", {f"p{pid}-outcome": "eligible"}).status_code == 303
    casino = ids["Casino"]
    response = client.submit(
        f"{base}/proposals/{casino}/review",
        {
            f"p{casino}-outcome": "ruled_out",
            f"p{casino}-ground": "Unlawful",
            f"p{casino}-reason": "Gambling is outside what this fund can pay for.",
        },
        headers=HX,
    )
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "proposal-reviewed"
    assert "Review saved." in response.get_data(as_text=True) and "<html" not in response.get_data(as_text=True)
    client.submit(f"{base}/stages/review/close")
    client.submit(f"{base}/stages/vote/open")
    _sign_out(client)
    assert "Gambling is outside" in client.get(f"{base}/proposals/{casino}").get_data(as_text=True)

    # Residents vote on the ballot; an over-limit ballot is refused with the reason.
    for n, choices in enumerate(
        ([ids["Orchard"], ids["Mural"]], [ids["Orchard"], ids["Benches"]], [ids["Mural"], ids["Benches"]])
    ):
        _sign_in(client, residents[n])
        ballot = client.get(f"{base}/vote").get_data(as_text=True)
        assert "Casino" not in ballot and "Orchard" in ballot
        if n == 0:
            three = [ids["Orchard"], ids["Mural"], ids["Benches"]]
            over = client.submit(f"{base}/vote", {"action": "check", "choices": three})
            assert over.status_code == 422
            assert "Choose no more than 2 projects." in over.get_data(as_text=True)
        chosen = client.submit(f"{base}/vote", {"action": "check", "choices": choices})
        assert chosen.status_code == 303
        check = client.get(chosen.headers["Location"]).get_data(as_text=True)
        submission = re.search(r'name="submission" value="([0-9a-f]+)"', check).group(1)
        cast = client.submit(f"{base}/vote/confirm", {"submission": submission})
        assert cast.status_code == 303
        done = client.get(cast.headers["Location"]).get_data(as_text=True)
        assert "Your vote has been cast" in done
        _sign_out(client)

    # The commissioner closes the vote: greedy count over a £10,000 budget.
    # Orchard 2 votes (£5,000), Mural 2 (£4,000), Benches 2 (£3,000): ties broken by lower cost,
    # so Benches, then Mural, then Orchard — which no longer fits (£3,000 left).
    _sign_in(client, commissioner)
    assert client.submit(f"{base}/stages/vote/close").status_code == 303
    client.submit(f"{base}/stages/decision/open")
    check = client.submit(f"{base}/decision")
    assert check.status_code == 200 and "Check the decision before you publish it" in check.get_data(as_text=True)
    assert client.submit(f"{base}/decision", {"publish": "yes"}).status_code == 303
    _sign_out(client)

    results = client.get(f"{base}/results").get_data(as_text=True)
    assert "Ballots counted</dt><dd>3" in results
    assert "Not funded: £3,000 was left when its turn came, and it costs £5,000." in results
    csv_text = client.get(f"{base}/results.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("project_id,title,cost_pence,votes")
    assert "Orchard,500000,2,no,not funded" in csv_text
    assert "Benches,300000,2,yes,funded" in csv_text

    actions = [e.action for e in entries_for_cycle(cycle_id)]
    for action in (
        "cycle.create",
        "mandate.sign",
        "mandate.agree",
        "stage.open",
        "proposal.submit",
        "proposal.review",
        "ballot.cast",
        "stage.close",
        "tally.run",
        "decision.record",
    ):
        assert action in actions
    assert verify().ok
