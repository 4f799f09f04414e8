"""The in-person events pages read in Welsh once someone chooses Cymraeg: the events, the facilitator's
dashboard, the check-in desk, the live view, a kiosk, paper ballots and a workshop's record."""

from __future__ import annotations

import html
import re

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.events import workshops
from pb.events.paper import format_serial, key_paper_ballot
from pb.voting.codes import issue_codes
from tests.conftest import CSRF_PATTERN, PASSWORD, Client
from tests.events.paper_helpers import paper_event

CODE = re.compile(r'class="checked-in__code">([A-Z0-9-]+)<')
DESK_CHECKS = {"postcodes": ["CF11", "CF10 5"], "minimum_age": 16, "desk_checks_conditions": True}
PIN = "2468"


def _sign_in(client: Client, person) -> None:  # type: ignore[no-untyped-def]
    client.csrf = None
    assert client.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def _welsh(client: Client, url: str) -> str:
    client.get("/language/cy?next=/")
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, (url, response.status_code)
    assert '<html lang="cy">' in page, url
    return page


def _reads_welsh(page: str, welsh: list[str], english: list[str]) -> None:
    page = html.unescape(page)  # messages from Python come escaped (&#39;), the template's own words do not
    for words in welsh:
        assert words in page, words
    for words in english:
        assert words not in page, words


def test_the_events_list_and_planning_form_read_in_welsh(client, event_at_vote, commissioner) -> None:
    cycle, _proposals, _event, _facilitator = event_at_vote()
    _sign_in(client, commissioner)
    page = _welsh(client, f"/cycles/{cycle.id}/events")
    _reads_welsh(
        page,
        ["Digwyddiadau", "Cyfarfodydd a sesiynau galw heibio", "Cynllunio digwyddiad", "Enw'r digwyddiad",
         "Pwy sy'n ei redeg", "1 Rhagfyr 2026"],
        ["Meetings and drop-ins", "Plan an event", "Name of the event", "Who runs it", "Starts", "December"],
    )
    refused = client.submit(f"/cycles/{cycle.id}/events", {"stage": "vote", "title": "Fair", "venue": "Park"})
    assert refused.status_code == 422
    _reads_welsh(refused.get_data(as_text=True), ["Rhowch pryd mae'r digwyddiad yn dechrau."],
                 ["Enter when the event starts."])
    assert "Digwyddiadau: eu cynllunio, cofrestru pobl" in _welsh(client, f"/cycles/{cycle.id}")


def test_the_dashboard_of_an_event_in_an_open_vote_reads_in_welsh(client, event_at_vote, commissioner) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _sign_in(client, facilitator)
    page = _welsh(client, f"/cycles/{cycle.id}/events/{event.id}")
    _reads_welsh(
        page,
        ["Voting day at the Hub", "Pleidlais", "80 o bobl", "Yn cael ei redeg gan",
         "Codau a ddefnyddiwyd i bleidleisio", "Cofrestru pobl", "Golwg fyw ar gyfer taflunydd",
         # the kiosk panel
         "Ciosgau", "Dechrau ciosg ar y ddyfais hon", "Enw'r ciosg hwn", "Dewiswch PIN",
         "0 pleidlais wedi'u bwrw yng nghiosgau'r digwyddiad hwn.",
         # the paper ballot panel
         "Papurau pleidleisio", "Argraffwyd", "Yn aros i gael eu gwirio", "Bysellu papurau pleidleisio",
         "Adroddiad cysoni",
         # the workshop panel
         "Cofnod y gweithdy", "Faint oedd yn yr ystafell: heb ei gofnodi eto", "0 syniad wedi'u codi"],
        ["Expected", "Run by", "Check people in", "Live view for a projector", "Codes used to vote",
         "Kiosks", "Start a kiosk on this device", "Name of this kiosk", "votes cast at this event's kiosks",
         "Paper ballots", "Waiting to be checked", "Key in paper ballots", "Reconciliation report",
         "Workshop record", "How many were in the room", "ideas raised"],
    )
    # Once the vote has closed, the panels say why, naming the stage in Welsh.
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    db.session.commit()
    closed = _welsh(client, f"/cycles/{cycle.id}/events/{event.id}")
    _reads_welsh(closed, ["Ni all ciosg ddechrau nawr. Nid yw'r cam pleidlais ar agor."],
                 ["A kiosk cannot start now.", "stage is not open", "The vote"])


def test_the_check_in_desk_reads_in_welsh_with_a_code_and_a_refusal(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote(**DESK_CHECKS)
    _sign_in(client, facilitator)
    base = f"/cycles/{cycle.id}/events/{event.id}"
    desk = _welsh(client, f"{base}/check-in")
    _reads_welsh(
        desk,
        ["Dod o hyd i rywun yn ôl enw neu god post", "Rhywun nad yw ar y rhestr", "Does neb ar y rhestr eto.",
         "Mae ei angen ar gyfer cod pleidleisio: mae'r bleidlais hon ar gyfer pobl sy'n byw yn CF11, CF10 5.",
         "Maen nhw'n dweud eu bod yn 16 oed neu'n hŷn", "Cofrestru a rhoi cod pleidleisio",
         "Ychwanegu at y rhestr heb gofrestru"],
        ["Find someone", "Someone not on the list", "Nobody is on the list", "Needed for a voting code",
         "They say they are", "Check in and give a voting code", "Add to the list without checking in"],
    )

    given = client.submit(f"{base}/attendees", {"name": "Heledd", "postcode": "CF11 1AA", "old_enough": "y",
                                                "check_in": "y"})
    page = given.get_data(as_text=True)
    assert given.status_code == 200 and CODE.search(page)
    _reads_welsh(page, ["Mae Heledd wedi cofrestru", "Eu cod pleidleisio.", "Y person nesaf", "Cofrestrwyd"],
                 ["is checked in", "Their voting code", "Next person", "Checked in at"])

    refused = client.submit(f"{base}/attendees", {"name": "Gethin", "postcode": "NP20 1AA", "old_enough": "y",
                                                  "check_in": "y"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and not CODE.search(page)
    _reads_welsh(page, ["Ni roddwyd cod pleidleisio.", "Nid yw NP20 1AA yn CF11, CF10 5"],
                 ["No voting code given.", "is not in", "where this vote is open to"])

    heledd = re.search(r'id="attendee-(\d+)"', _welsh(client, f"{base}/check-in?q=Heledd"))[1]
    again = client.submit(f"{base}/attendees/{heledd}/check-in")
    assert again.status_code == 409
    _reads_welsh(again.get_data(as_text=True), ["Mae Heledd wedi cofrestru yn barod."], ["is already checked in"])

    # The clause behind it, on "Who decides what".
    _reads_welsh(
        _welsh(client, f"/cycles/{cycle.id}/who-decides"),
        ["Mewn digwyddiadau, dim ond i bobl sy'n byw yn CF11, CF10 5 ac sy'n 16 oed o leiaf",
         "Ni ddangosir cyfrif o'r pleidleisiau"],
        ["At events, the check-in desk", "No count of votes for any project"],
    )


def test_the_live_view_reads_in_welsh(client, event_at_vote) -> None:
    cycle, _proposals, event, facilitator = event_at_vote()
    _sign_in(client, facilitator)
    page = _welsh(client, f"/cycles/{cycle.id}/events/{event.id}/live")
    _reads_welsh(
        page,
        ["Yma heddiw", "Wedi cofrestru", "Pleidleisiau mewn ciosg yma", "Pleidleisiau yn y bleidlais gyfan hyd yma: 0",
         "Ar-lein, gyda chyfrif: <strong>0</strong>", "Ar-lein, gyda chod pleidleisio", "Mewn ciosg", "Ar bapur",
         "Mae'r dudalen hon yn diweddaru ei hun"],
        ["Here today", "Checked in", "Votes at a kiosk here", "Votes in the whole vote so far",
         "Online, with an account", "Online, with a voting code", "At a kiosk", "On paper", "updates itself"],
    )


def _become_kiosk(client: Client, cycle, event, facilitator) -> None:  # type: ignore[no-untyped-def]
    """As in tests/events/test_kiosk.py: the facilitator starts a kiosk on this device, and is signed out."""
    _sign_in(client, facilitator)
    started = client.submit(
        f"/cycles/{cycle.id}/events/{event.id}/kiosks",
        {"kiosk_label": "Door", "kiosk_pin": PIN, "kiosk_pin_again": PIN},
    )
    assert started.status_code == 303 and started.headers["Location"] == "/kiosk"
    match = CSRF_PATTERN.search(client.get("/kiosk/leave").get_data(as_text=True))
    assert match
    client.csrf = match.group(1) or match.group(2)


def test_a_kiosk_reads_in_welsh_from_the_start_screen_to_the_thank_you(client, event_at_vote, commissioner) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    code = issue_codes(cycle.stage_of_kind(StageKind.VOTE), commissioner, 1, "Hub")[1][0]
    db.session.commit()
    _become_kiosk(client, cycle, event, facilitator)

    start = _welsh(client, "/kiosk")
    _reads_welsh(
        start,
        ["Pleidleisiwch yma", "Rhowch y cod pleidleisio a gawsoch wrth y ddesg.", "Dechrau pleidleisio",
         "Gadael modd ciosg (hwyluswyr)"],
        ["Vote here", "Enter the voting code you were given", "Start voting", "Leave kiosk mode",
         "comes back here"],
    )
    wrong_pin = client.submit("/kiosk/leave", {"pin": "1357"})
    assert wrong_pin.status_code == 422
    _reads_welsh(wrong_pin.get_data(as_text=True), ["Nid yw'r PIN hwnnw'n gywir. Mae gennych 4 cynnig ar ôl."],
                 ["That PIN is not right", "more times"])

    assert client.submit("/kiosk", {"code": code}).status_code == 303
    ballot = _welsh(client, f"/cycles/{cycle.id}/vote")
    _reads_welsh(
        ballot,
        ["Dewiswch y prosiectau rydych chi am iddynt gael arian", "Dechrau eto", "Ydych chi'n dal yno?",
         "Ymhen 20 eiliad bydd y sgrin hon yn mynd yn ôl i'r dechrau", "Rydw i'n dal yma"],
        ["Choose the projects you want funded", "Start again", "Are you still there?",
         "this screen goes back to the start", "I am still here"],
    )

    client.submit(f"/cycles/{cycle.id}/vote", {"choices": [str(proposals[0].id)], "action": "check"})
    check = _welsh(client, f"/cycles/{cycle.id}/vote/check")
    _reads_welsh(check, ["Collwyd y cysylltiad. Yn anfon eich pleidlais eto…",
                         "pwyswch “Cadarnhau fy mhleidlais” eto"],
                 ["The connection dropped", "Your vote could not be sent"])
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', check)[1]
    assert client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission}).status_code == 303
    thanks = _welsh(client, "/kiosk/thanks")
    _reads_welsh(
        thanks,
        ["Diolch: mae eich pleidlais wedi'i bwrw", "ysgrifennwch y cod hwn neu tynnwch lun ohono",
         "Bydd y sgrin hon yn mynd yn ôl i'r dechrau ymhen 30 eiliad.", "Mae angen mwy o amser arnaf",
         'data-kiosk-longer="Bydd y sgrin hon yn mynd yn ôl i\'r dechrau ymhen 1 munud."'],
        ["Thank you: your vote has been cast", "write this code down", "goes back to the start",
         "I need more time", "Finish"],
    )


def test_paper_ballots_read_in_welsh(client, commissioner, representative, make_user) -> None:
    cycle, proposals, event, (ffion, gareth) = paper_event(commissioner, representative, make_user, max_choices=2)
    key_paper_ballot(event, ffion, 6, {proposals[0].id: 1})
    key_paper_ballot(event, gareth, 6, {proposals[0].id: 1, proposals[1].id: 1})
    key_paper_ballot(event, ffion, 7, {proposals[2].id: 1})
    db.session.commit()
    _sign_in(client, ffion)
    base = f"/cycles/{cycle.id}/events/{event.id}/paper"

    batches = _welsh(client, base)
    _reads_welsh(batches, ["Rhifau cyfresol", f"{format_serial(1)} i {format_serial(10)}", "Tudalen argraffu",
                           "Argraffu rhagor o bapurau pleidleisio", "Rhifo'r papurau pleidleisio"],
                 ["Serial numbers", " to ", "Print page", "Print more ballots", "Number the ballots"])
    link = re.search(r'href="([^"]+/paper/batches/\d+)"', batches)[1]
    printed = _welsh(client, link)
    _reads_welsh(
        printed,
        ["Argraffu'r papurau pleidleisio hyn", "10 papur pleidleisio, wedi'u rhifo",
         "Rhif y papur pleidleisio", "Rhowch dic yn y blwch wrth ymyl pob prosiect",
         "Dewiswch rhwng 1 a 2 o brosiectau.", "Os gwnewch gamgymeriad, gofynnwch am bapur pleidleisio newydd.",
         "Peidiwch ag ysgrifennu eich enw ar y papur pleidleisio hwn.", "Eich tic", "fersiwn 1 o'r mandad"],
        ["Print these ballots", "ballots, numbered", "Ballot number", "Put a tick", "Choose from",
         "If you make a mistake", "Do not write your name", "Your tick", "mandate version"],
    )
    pdf = client.get(link + "/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    refused = client.submit(f"{base}/key", {"serial": format_serial(99), "choices": [str(proposals[0].id)]})
    assert refused.status_code == 422
    _reads_welsh(
        refused.get_data(as_text=True),
        ["Mae problem wedi codi", f"Ni argraffwyd papur pleidleisio {format_serial(99)} ar gyfer y digwyddiad hwn",
         "Rhif cyfresol", "Beth mae'r papur pleidleisio'n ei ddweud", "Ticiwch bob prosiect sydd wedi'i dicio",
         "Difethwyd", "Dim marciau", "Cadw a bysellu'r papur pleidleisio nesaf",
         "Yn y digwyddiad hwn hyd yma: cyfrifwyd 0, difethwyd 0, bysellwyd 1 unwaith, ac mae 1 yn anghyson."],
        ["There is a problem", "was printed for this event", "Serial number", "What the ballot says",
         "Tick each project", "Spoilt", "No marks", "Save and key the next ballot", "At this event so far"],
    )

    mismatches = _welsh(client, f"{base}/mismatches")
    _reads_welsh(
        mismatches,
        ["Papurau pleidleisio i'w gwirio", "Anghysondebau (1)", "Bysellwyd unwaith (1)", "Cofnod 1 <span",
         "Heb ei dicio", "Wedi'i dicio", "<strong>Gwahanol</strong>", "Yr un fath", "Tynnu'r cofnod yn ôl",
         f"Datrys papur pleidleisio {format_serial(6)}"],
        ["Ballots to check", "Mismatches", "Keyed once", "Entry 1", "Not ticked", "Ticked", "Different", "Same",
         "Withdraw the entry", "Resolve ballot"],
    )
    ballot = _welsh(client, f"{base}/ballots/6")
    _reads_welsh(ballot, ["Wedi'i fysellu ddwywaith: mae'r ddau gofnod yn wahanol.", "Pa ddarlleniad sy'n gywir?",
                          "Chi a fysellodd gofnod 1, felly dim ond cofnod 2 y cewch ei dderbyn.",
                          "Datrys y papur pleidleisio"],
                 ["Keyed twice", "Which reading is right?", "You keyed entry", "Resolve the ballot"])

    report = _welsh(client, f"{base}/reconciliation")
    _reads_welsh(
        report,
        ["Papurau pleidleisio: cysoni", "Nid yw'n mantoli eto.", "wedi'u cyfrif â llaw a'u cofnodi eto",
         "Rhoddwyd allan", "Yng nghyfrif y bleidlais", "Y cyfrifon â llaw", "Cadw'r cyfrifon"],
        ["Paper ballots: reconciliation", "It does not balance yet", "counted by hand", "Handed out",
         "In the vote's count", "The hand counts", "Save the counts"],
    )


def test_a_workshop_record_and_its_ideas_read_in_welsh(client, event_at_vote) -> None:
    cycle, proposals, event, facilitator = event_at_vote()
    workshops.add_idea(event, facilitator, "Benches by the river", workshops.Link(proposal_id=proposals[0].id))
    db.session.commit()
    _sign_in(client, facilitator)
    url = f"/cycles/{cycle.id}/events/{event.id}/workshop"
    page = _welsh(client, url)
    _reads_welsh(
        page,
        ["Cofnod y gweithdy", "Nodiadau a phresenoldeb", "Faint o bobl oedd yn yr ystafell",
         "Cadw'r nodiadau a'r presenoldeb", "Cofrestrodd 0 o bobl wrth y ddesg.",
         "Syniadau a godwyd yn yr ystafell (1)", "Syniad 1", "Cofnodwyd gan Ffion Facilitator",
         "Wedi'i gysylltu â'r cynnig", "Cysylltu syniad 1 â", "Cadw'r cyswllt", "Ychwanegu syniad", "Dim byd eto"],
        ["Workshop record", "Notes and attendance", "How many people were in the room", "Save the notes",
         "checked in at the desk", "Ideas raised in the room", "Recorded by", "Linked to the proposal",
         "Link idea 1 to", "Save the link", "Add an idea", "Nothing yet"],
    )
    refused = client.submit(url, {"notes": "Benches came up first.", "attendance": "lots"})
    assert refused.status_code == 422
    _reads_welsh(refused.get_data(as_text=True), ["Rhowch nifer o bobl, fel 25, neu gadewch yn wag."],
                 ["Enter a number of people"])

    proposal = _welsh(client, f"/cycles/{cycle.id}/proposals/{proposals[0].id}")
    _reads_welsh(proposal, ["O weithdai", "Codwyd mewn gweithdy: Voting day at the Hub, 1 Rhagfyr 2026"],
                 ["From workshops", "Raised at a workshop"])
