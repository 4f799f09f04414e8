"""Every resident-facing page outside voting reads in Welsh once a resident chooses Cymraeg."""

from __future__ import annotations

import html

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from tests.conftest import PASSWORD, VOTE_FORM


def _welsh(client, url):  # type: ignore[no-untyped-def]
    client.get("/language/cy?next=/")
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert '<html lang="cy">' in page, url
    return response, page


def _sign_in(client, user):  # type: ignore[no-untyped-def]
    assert client.submit("/sign-in", {"email": user.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def test_public_pages_of_a_busy_cycle_read_in_welsh(client, busy_cycle):  # type: ignore[no-untyped-def]
    cycle, ids = busy_cycle
    base = f"/cycles/{cycle.id}"
    pages = {
        "/": ("Cylchoedd comisiynu", ["Commissioning cycles", "Now open"]),
        base: ("Pwy sy'n penderfynu beth, fesul cam", ["Who decides what, stage by stage", "Resident representatives"]),
        f"{base}/proposals": ("Dod o hyd i gynigion", ["Find proposals", "Any status"]),
        f"{base}/proposals/{ids['proposal_id']}": ("Sylwadau a chwestiynau", ["Comments and questions", "Proposed by"]),
        f"{base}/priorities": ("Anghenion, asedau a themâu", ["Needs, assets and themes", "Agreed themes"]),
        f"{base}/stages/proposals/mandate": ("Mandad y cam cynigion", ["Mandate of the", "Signatures"]),
        "/sign-in": ("Cyfeiriad e-bost", ["Email address", "No account?"]),
        "/sign-up": ("Byddwn yn anfon dolen", ["We will send a link", "You need an account"]),
    }
    for url, (welsh, english) in pages.items():
        response, page = _welsh(client, url)
        assert response.status_code == 200, url
        assert welsh in page, url
        for words in english:
            assert words not in page, (url, words)


def test_a_missing_page_says_so_in_welsh(client):  # type: ignore[no-untyped-def]
    response, page = _welsh(client, "/cycles/9999/proposals/9999")
    assert response.status_code == 404
    assert "Mynd i'r rhestr o gylchoedd" in page
    assert "Go to the list of cycles" not in page


def test_writing_a_proposal_reads_in_welsh(client, make_cycle, walk_to, resident):  # type: ignore[no-untyped-def]
    cycle = make_cycle()
    walk_to(cycle, StageKind.PROPOSALS)
    _sign_in(client, resident)
    response, page = _welsh(client, f"/cycles/{cycle.id}/proposals/new")
    assert response.status_code == 200
    assert "Cyflwyno cynnig" in page and "Cost amcangyfrifedig, mewn punnoedd" in page
    for words in ("Submit a proposal", "Save as draft", "Estimated cost, in pounds", "What residents would give"):
        assert words not in page, words
    refused = client.submit(f"/cycles/{cycle.id}/proposals/new", {"action": "submit", "language": "en"})
    assert refused.status_code == 422
    assert "Rhowch deitl ar gyfer eich cynnig." in refused.get_data(as_text=True)
    assert "Enter a title for your proposal." not in refused.get_data(as_text=True)
    for cost, welsh in (("abc", "Rhowch swm mewn punnoedd, fel 1500"), ("0", "Rhowch swm sy'n fwy na £0.")):
        bad_cost = client.submit(f"/cycles/{cycle.id}/proposals/new", {"title": "Meinciau", "cost": cost})
        page = html.unescape(bad_cost.get_data(as_text=True))
        assert bad_cost.status_code == 422 and welsh in page and "Enter an amount" not in page


def test_commissioner_pages_read_in_welsh(client, busy_cycle, commissioner):  # type: ignore[no-untyped-def]
    cycle, _ids = busy_cycle
    _sign_in(client, commissioner)
    pages = {
        "/cycles/new": ("Sefydlu cylch comisiynu", ["Set up a commissioning cycle", "Stages, in order"]),
        f"/cycles/{cycle.id}/audit": ("Log archwilio", ["Audit log", "Download this cycle's entries"]),
    }
    for url, (welsh, english) in pages.items():
        response, page = _welsh(client, url)
        assert response.status_code == 200, url
        assert welsh in page, url
        for words in english:
            assert words not in page, (url, words)


def test_results_read_in_welsh(client, open_vote, commissioner):  # type: ignore[no-untyped-def]
    cycle, _proposals = open_vote()
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    db.session.commit()
    base = f"/cycles/{cycle.id}"
    pages = {
        f"{base}/results": ("Sut i wirio'r cyfrif hwn", ["How to check this count", "Budget used"]),
        f"{base}/you-said-we-did": ("Dywedoch chi, gwnaethom ni", ["You said, we did", "the vote chose it"]),
        f"{base}/report": ("Prosiectau a phenderfyniadau", ["Projects and decisions", "Signed by:"]),
    }
    for url, (welsh, english) in pages.items():
        response, page = _welsh(client, url)
        assert response.status_code == 200, url
        assert welsh in page, url
        for words in english:
            assert words not in page, (url, words)


def test_who_took_part_reads_in_welsh(client, commissioner, representative, resident):  # type: ignore[no-untyped-def]
    """The receipt's optional questions, the dashboard's comparison and the population form."""
    import re

    from tests.voting.helpers import open_ballot

    cycle, (project, *_others) = open_ballot(commissioner, representative, demographics=["age", "disability"])
    db.session.commit()
    base = f"/cycles/{cycle.id}"
    _sign_in(client, resident)
    client.submit(f"{base}/vote", {"action": "check", "choices": [project.id]})
    check = client.get(f"{base}/vote/check").get_data(as_text=True)
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', check).group(1)
    client.submit(f"{base}/vote/confirm", {"submission": submission})
    response, page = _welsh(client, f"{base}/vote/done")
    assert "Helpwch ni i weld pwy gymerodd ran" in page and "Faint yw eich oed chi?" in page
    assert "Nac ydw" in page and "well gen i beidio â dweud" in page
    for words in ("Help us see who took part", "How old are you?", "Prefer not to say", "Skip these questions"):
        assert words not in page, words
    client.submit("/sign-out")

    client.csrf = None
    _sign_in(client, commissioner)
    for url, welsh, english in (
        (f"{base}/dashboard", "Pwy gymerodd ran, o'i gymharu â phwy sy'n byw yma",
         ["Who took part", "Answered at least one question", "fewer than 5"]),
        (f"{base}/dashboard/population", "Poblogaeth yr ardal", ["The area's population", "Where the figures come"]),
    ):
        response, page = _welsh(client, url)
        assert response.status_code == 200, url
        assert welsh in page, url
        for words in english:
            assert words not in page, (url, words)


def test_the_mandate_editor_and_its_refusals_read_in_welsh(client, make_cycle, commissioner):  # type: ignore[no-untyped-def]
    """Both sides write the mandate together, so the editor is in Welsh for a Welsh-speaking commissioner too."""
    cycle = make_cycle()
    _sign_in(client, commissioner)
    editor = f"/cycles/{cycle.id}/stages/vote/mandate/edit"
    response, page = _welsh(client, editor)
    assert response.status_code == 200
    for welsh in ("Newid mandad y cam pleidlais", "Ffiniau awdurdod", "Math o bapur pleidleisio", ">Ie<", "Cadw'r"):
        assert welsh in page, welsh
    for english in ("Boundaries of authority", "Ballot format", "Is the vote binding", ">Yes<", "Save the mandate"):
        assert english not in page, english
    for headers in ({}, {"HX-Request": "true"}):
        refused = client.submit(editor, {**VOTE_FORM, "min_choices": "4", "max_choices": "2"}, headers=headers)
        assert refused.status_code == 422
        text = refused.get_data(as_text=True)
        assert "o leiaf y nifer lleiaf" in text and "at least the fewest" not in text
    no_purpose = client.submit(editor, {**VOTE_FORM, "purpose": " "}).get_data(as_text=True)
    assert "Rhowch ddiben y cam hwn." in no_purpose and "Enter the purpose" not in no_purpose
    assert client.submit(editor, VOTE_FORM).status_code == 303
    shown = html.unescape(client.get(f"/cycles/{cycle.id}/stages/vote/mandate").get_data(as_text=True))
    assert "Mae angen i'r ddwy ochr lofnodi'r fersiwn hon" in shown


def test_signing_in_and_out_reads_in_welsh(client, resident):  # type: ignore[no-untyped-def]
    _welsh(client, "/sign-in")
    asked = client.get("/cycles/new")
    assert asked.status_code == 302
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Mewngofnodwch i barhau." in page and "Sign in to continue." not in page
    wrong = client.submit("/sign-in", {"email": resident.email, "password": "not the password"})
    assert wrong.status_code == 422
    assert "Rhowch gyfeiriad e-bost a chyfrinair cywir." in wrong.get_data(as_text=True)
    _sign_in(client, resident)
    signed_out = client.submit("/sign-out")
    page = client.get(signed_out.headers["Location"]).get_data(as_text=True)
    assert "Rydych chi wedi allgofnodi." in page and "You have signed out." not in page


def test_pages_for_an_address_that_is_not_there_or_a_method_a_page_does_not_take_are_in_the_sites_words(
    client,
):  # type: ignore[no-untyped-def]
    for headers in ({}, {"HX-Request": "true"}):
        missing = client.get("/nothing-here", headers=headers)
        text = missing.get_data(as_text=True)
        assert missing.status_code == 404 and "check you copied the whole" in text  # under htmx, the message alone
        assert ("Page not found" in text) is not bool(headers)
        assert "on the server" not in text  # not Werkzeug's own words
    reloaded = client.get("/sign-out")  # a form's answer, opened again
    assert reloaded.status_code == 405 and reloaded.headers["Allow"]
    assert "This page cannot be opened this way" in reloaded.get_data(as_text=True)
    response, page = _welsh(client, "/nothing-here")
    assert response.status_code == 404 and "Not Found" not in page and "requested URL" not in page
    response, page = _welsh(client, "/sign-out")
    assert response.status_code == 405 and "Method Not Allowed" not in page
