"""A whole evening event, every device through the web pages as its people would use it.

Two facilitators run the evening: they check in 100 people at the desk, each with a voting code;
two tablets run as kiosks; some people vote on their own phones with the code; the rest vote on
paper, which both facilitators key in (two mismatches, one spoilt ballot, one taken home), and
the projector shows the live turnout. At the end the reconciliation balances and the count has
every ballot, once, from every channel.
"""

from __future__ import annotations

import re
from collections import Counter

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.db import db
from pb.events import paper, paper_checks
from pb.events.services import create_event
from pb.results.services import result_rows
from pb.voting.counts import active_ballots, turnout
from tests.conftest import CSRF_PATTERN, PASSWORD, Client
from tests.events.conftest import ENDS, STARTS
from tests.voting.helpers import open_ballot

CODE = re.compile(r'class="checked-in__code">([A-Z0-9-]+)<')
PIN = "8642"


def _device(app, person=None) -> Client:  # type: ignore[no-untyped-def]
    """A laptop, tablet or phone of its own (its own cookies), signed in as `person` if given."""
    app.test_client_class = Client
    device: Client = app.test_client()  # type: ignore[assignment]
    if person is not None:
        assert device.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
        device.csrf = None
    return device


def _kiosk(app, base: str, facilitator) -> Client:  # type: ignore[no-untyped-def]
    tablet = _device(app, facilitator)
    started = tablet.submit(f"{base}/kiosks", {"kiosk_label": "Tablet", "kiosk_pin": PIN, "kiosk_pin_again": PIN})
    assert started.headers["Location"] == "/kiosk"
    tablet.csrf = CSRF_PATTERN.search(tablet.get("/kiosk").get_data(as_text=True))[1]  # no sign-in page on a kiosk
    return tablet


def _vote(device: Client, cycle_id: int, entry: str, code: str, choices: list[int]) -> None:
    assert device.submit(entry, {"code": code}).status_code == 303
    chosen = device.submit(f"/cycles/{cycle_id}/vote", {"action": "check", "choices": [str(c) for c in choices]})
    assert chosen.headers["Location"].endswith("/vote/check"), chosen.get_data(as_text=True)
    page = device.get(chosen.headers["Location"]).get_data(as_text=True)
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', page)[1]
    assert device.submit(f"/cycles/{cycle_id}/vote/confirm", {"submission": submission}).status_code == 303


def _key(keyer: Client, base: str, serial: int, choices: list[int] | None) -> str:
    data = {"serial": paper.format_serial(serial)}
    data.update({"spoilt": "y", "spoilt_reason": "More ticks than allowed"} if choices is None else
                {"choices": [str(c) for c in choices]})
    keyed = keyer.submit(f"{base}/paper/key", data)
    assert keyed.status_code == 303, keyed.get_data(as_text=True)
    return keyer.get(keyed.headers["Location"]).get_data(as_text=True)


def test_a_whole_evening_balances_and_every_ballot_counts_once(app, commissioner, representative, make_user) -> None:
    cycle, (a, b, c) = open_ballot(commissioner, representative, eligibility="codes", max_choices=2)
    ffion = make_user(Role.FACILITATOR, cycle=cycle, name="Ffion Facilitator")
    gareth = make_user(Role.FACILITATOR, cycle=cycle, name="Gareth Facilitator")
    vote = cycle.stage_of_kind(StageKind.VOTE)
    event = create_event(vote, commissioner, title="Evening at the Hub", venue="Grangetown Hub", starts_at=STARTS,
                         ends_at=ENDS, expected_attendance=120, facilitator_ids=[ffion.id, gareth.id])
    db.session.commit()
    base = f"/cycles/{cycle.id}/events/{event.id}"

    # The desk: 100 people checked in, each given a code shown once.
    desk = _device(app, ffion)
    codes = []
    for n in range(100):
        shown = desk.submit(f"{base}/attendees", {"name": f"Resident {n}", "check_in": "y"})
        codes += CODE.findall(shown.get_data(as_text=True))
    assert len(set(codes)) == 100

    # Two kiosks, 15 voters each; 40 on their own phones; the other 30 take a paper ballot.
    kiosks = [_kiosk(app, base, ffion), _kiosk(app, base, gareth)]
    expected: Counter[int] = Counter()
    for n, code in enumerate(codes[:30]):
        choice = [a.id, b.id] if n % 3 else [c.id]
        _vote(kiosks[n % 2], cycle.id, "/kiosk", code, choice)
        expected.update(choice)
    phone = _device(app)
    for code in codes[30:70]:
        _vote(phone, cycle.id, f"/cycles/{cycle.id}/vote/code", code, [b.id])
        expected[b.id] += 1

    assert desk.submit(f"{base}/paper/batches", {"size": "40"}).status_code == 303
    (batch,) = paper.paper_batches(event)
    serials = list(range(batch.first_serial, batch.last_serial + 1))[:29]  # 30 handed out, one taken home
    ffion_laptop, gareth_laptop = _device(app, ffion), _device(app, gareth)
    readings: dict[int, list[int] | None] = {s: ([a.id] if i % 2 else [c.id, a.id]) for i, s in enumerate(serials)}
    readings[serials[-1]] = None  # over-filled: spoilt, as both keyers see
    for serial, choices in readings.items():
        assert "first entry" in _key(ffion_laptop, base, serial, choices).lower()
    for serial, choices in readings.items():
        misread = serial in serials[:2]
        page = _key(gareth_laptop, base, serial, [b.id] if misread else choices)
        assert ("a mismatch" in page) == misread, page

    # The mismatches, side by side: Gareth misread the first two ballots ([c, a] and [a] on the paper).
    mismatches = ffion_laptop.get(f"{base}/paper/mismatches").get_data(as_text=True)
    assert paper.format_serial(serials[0]) in mismatches and paper.format_serial(serials[1]) in mismatches
    # Gareth, paper in hand, accepts Ffion's reading of the first; the commissioner reads the second afresh.
    first_reading = gareth_laptop.submit(f"{base}/paper/ballots/{serials[0]}/resolve", {"choose": "first"})
    corrected = _device(app, commissioner).submit(f"{base}/paper/ballots/{serials[1]}/resolve",
                                                  {"choose": "correct", "choices": [str(a.id)]})
    assert first_reading.status_code == corrected.status_code == 303
    for choices in readings.values():
        expected.update(choices or [])

    # The hand counts, and the projector.
    counted = ffion_laptop.submit(f"{base}/paper/count", {"issued": "30", "returned": "29"})
    assert counted.status_code == 303
    projector = _device(app, commissioner).get(f"{base}/live").get_data(as_text=True)
    assert re.search(r"Votes at a kiosk here</dt><dd>30<", projector)
    assert re.search(r"Paper ballots counted here</dt><dd>28<", projector)
    assert re.search(r"Codes used to vote</dt><dd>70<", projector)
    assert "Online, with a voting code: <strong>40</strong>" in projector

    report = paper_checks.reconciliation(event)
    assert (report.printed, report.issued, report.returned) == (40, 30, 29)
    assert (report.settled, report.spoilt, report.pending, report.mismatches, report.counted) == (28, 1, 0, 0, 28)
    assert report.not_returned == 1 and report.balances, report.discrepancies
    assert "It balances." in ffion_laptop.get(f"{base}/paper/reconciliation").get_data(as_text=True)

    # Every ballot once, from every channel, in the count.
    db.session.expire_all()
    assert turnout(vote) == 98 and len(active_ballots(vote)) == 98
    closed = _device(app, commissioner).submit(f"/cycles/{cycle.id}/stages/vote/close")
    assert closed.status_code == 303, closed.get_data(as_text=True)
    tally, rows = result_rows(cycle)
    assert tally.ballots_counted == 98
    assert {r.proposal.id: r.votes for r in rows} == {pid: expected[pid] for pid in (a.id, b.id, c.id)}
