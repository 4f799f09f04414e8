"""Workshops: notes, attendance and ideas raised in the room, linked to the cycle's needs and proposals."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from pb.accounts.models import Role
from pb.audit.models import AuditEntry
from pb.cycles.models import StageKind
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised, NotFound, StageNotOpen
from pb.events import workshops
from pb.events.models import Event, WorkshopIdea
from pb.events.services import create_event, stage_of
from pb.events.workshops import Link
from pb.priorities.models import NeedKind
from pb.priorities.services import record_need
from pb.proposals.services import ProposalFields, submit_proposal
from tests.conftest import FULL_CYCLE, HX
from tests.events.conftest import ENDS, STARTS


@pytest.fixture
def workshop(make_cycle, walk_to, commissioner, resident, make_user):  # type: ignore[no-untyped-def]
    """A workshop held in the priorities stage, which has since closed; a need, and a proposal made after it."""
    cycle = make_cycle(title="Riverside", kinds=FULL_CYCLE)
    priorities = walk_to(cycle, StageKind.PRIORITIES)
    facilitator = make_user(Role.FACILITATOR, cycle=cycle, name="Ffion Facilitator")
    event = create_event(priorities, commissioner, title="Ideas evening", venue="Riverside Hub", starts_at=STARTS,
                         ends_at=ENDS, facilitator_ids=[facilitator.id])
    need = record_need(cycle, resident, kind=NeedKind.NEED, title="A safe way across the road")
    early = workshops.add_idea(event, facilitator, "A crossing by the school")
    walk_to(cycle, StageKind.PROPOSALS)
    proposal = submit_proposal(cycle, resident, ProposalFields(title="Zebra crossing", summary="Paint one", cost=100))
    db.session.commit()
    return SimpleNamespace(cycle=cycle, event=event, facilitator=facilitator, need=need, proposal=proposal,
                           idea=early)


@pytest.fixture
def elsewhere(make_cycle, walk_to, resident):  # type: ignore[no-untyped-def]
    """Another cycle's need and proposal."""
    cycle = make_cycle(title="Elsewhere", kinds=FULL_CYCLE)
    walk_to(cycle, StageKind.PRIORITIES)
    need = record_need(cycle, resident, kind=NeedKind.NEED, title="Somebody else's need")
    walk_to(cycle, StageKind.PROPOSALS)
    proposal = submit_proposal(cycle, resident, ProposalFields(title="Somebody else's plan", summary="S", cost=100))
    db.session.commit()
    return SimpleNamespace(cycle=cycle, need=need, proposal=proposal)


def _base(w: SimpleNamespace) -> str:
    return f"/cycles/{w.cycle.id}/events/{w.event.id}/workshop"


# Services


def test_the_events_facilitators_and_the_cycles_commissioners_record_it(workshop, commissioner) -> None:
    workshops.record_workshop(workshop.event, workshop.facilitator, notes="  Forty people came.\r\nTea ran out. ",
                              attendance=40)
    assert (workshop.event.notes, workshop.event.attendance) == ("Forty people came.\nTea ran out.", 40)
    workshops.record_workshop(workshop.event, commissioner, notes="Forty-one, counted again.", attendance=41)
    assert workshop.event.attendance == 41
    recorded = select(AuditEntry).where(AuditEntry.action == "events.record_workshop").order_by(AuditEntry.seq)
    entry = db.session.scalars(recorded).all()[-1]
    assert entry.detail == {"attendance": 41, "notes": True} and entry.role == "commissioner"
    assert "counted again" not in str(entry.detail)  # the notes stay on the event, out of the audit log


def test_residents_and_other_peoples_facilitators_and_commissioners_cannot_record(workshop, resident,
                                                                                   make_user, elsewhere) -> None:
    other_facilitator = make_user(Role.FACILITATOR, cycle=workshop.cycle)
    another_cycles = make_user(Role.COMMISSIONER, cycle=elsewhere.cycle)
    for person, clause in ((resident, "roles.commissioner"), (other_facilitator, "events.facilitators"),
                           (another_cycles, "roles.commissioner")):
        with pytest.raises(NotAuthorised) as refused:
            workshops.record_workshop(workshop.event, person, notes="Mine", attendance=1)
        assert refused.value.clause == clause
        with pytest.raises(NotAuthorised):
            workshops.add_idea(workshop.event, person, "Mine")
        with pytest.raises(NotAuthorised):
            workshops.link_idea(workshop.idea, person, Link(need_id=workshop.need.id))
        with pytest.raises(NotAuthorised):
            workshops.remove_idea(workshop.idea, person)
        with pytest.raises(NotAuthorised):
            workshops.ideas_of(workshop.event, person)
    assert workshop.event.notes == "" and workshop.idea.need_id is None


@pytest.mark.parametrize(("notes", "attendance", "field"), [
    ("", -1, "attendance"),
    ("", 100_001, "attendance"),
    ("x" * (workshops.MAX_NOTES + 1), 3, "notes"),
])
def test_notes_and_attendance_are_checked_naming_the_field(workshop, notes, attendance, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        workshops.record_workshop(workshop.event, workshop.facilitator, notes=notes, attendance=attendance)
    assert refused.value.field == field
    assert workshop.event.attendance is None


def test_attendance_from_none_to_a_hundred_thousand(workshop) -> None:
    for attendance in (0, 100_000, None):
        workshops.record_workshop(workshop.event, workshop.facilitator, notes="", attendance=attendance)
        assert workshop.event.attendance == attendance


def test_ideas_link_only_to_a_need_or_a_proposal_of_the_same_cycle(workshop, elsewhere) -> None:
    refusals = [
        (Link(need_id=elsewhere.need.id), "Choose a need or an asset of this cycle."),
        (Link(proposal_id=elsewhere.proposal.id), "Choose a proposal of this cycle."),
        (Link(proposal_id=999_999), "Choose a proposal of this cycle."),
        (Link(need_id=workshop.need.id, proposal_id=workshop.proposal.id), "not both"),
    ]
    for link, message in refusals:
        with pytest.raises(InvalidInput) as refused:
            workshops.add_idea(workshop.event, workshop.facilitator, "An idea", link)
        assert refused.value.field == "link" and message in refused.value.message
        with pytest.raises(InvalidInput):
            workshops.link_idea(workshop.idea, workshop.facilitator, link)
    assert workshop.idea.need_id is None and workshop.idea.proposal_id is None
    for text, message in (("   ", "Write down the idea."), ("x" * 1_001, "Keep the idea to 1,000 characters")):
        with pytest.raises(InvalidInput) as refused:
            workshops.add_idea(workshop.event, workshop.facilitator, text)
        assert refused.value.field == "text" and message in refused.value.message
    assert workshops.add_idea(workshop.event, workshop.facilitator, "x" * 1_000).text == "x" * 1_000


def test_a_form_choice_becomes_a_link_or_is_refused() -> None:
    assert Link.parse("need-3") == Link(need_id=3) and Link.parse("proposal-5") == Link(proposal_id=5)
    assert Link.parse("") == Link() and Link(proposal_id=5).choice == "proposal-5" and Link().choice == ""
    for choice in ("need-", "theme-2", "need-3-4", "proposal-99999999999", "need-٣"):
        with pytest.raises(InvalidInput) as refused:
            Link.parse(choice)
        assert refused.value.field == "link"


def test_ideas_are_linked_after_the_event_once_the_proposals_exist(workshop) -> None:
    # The workshop's stage (priorities) has closed; the proposal came later.
    assert stage_of(workshop.event).state == "closed"
    workshops.link_idea(workshop.idea, workshop.facilitator, Link(proposal_id=workshop.proposal.id))
    assert workshop.idea.proposal_id == workshop.proposal.id
    workshops.link_idea(workshop.idea, workshop.facilitator, Link(need_id=workshop.need.id))
    assert (workshop.idea.need_id, workshop.idea.proposal_id) == (workshop.need.id, None)
    workshops.link_idea(workshop.idea, workshop.facilitator, Link())
    assert (workshop.idea.need_id, workshop.idea.proposal_id) == (None, None)
    of_the_idea = select(AuditEntry.action).where(AuditEntry.subject == f"workshop idea {workshop.idea.id}")
    actions = db.session.scalars(of_the_idea.order_by(AuditEntry.seq)).all()
    assert actions == ["events.add_idea", "events.link_idea", "events.link_idea", "events.link_idea"]


def test_an_idea_recorded_by_mistake_is_removed(workshop, commissioner) -> None:
    typo = workshops.add_idea(workshop.event, workshop.facilitator, "A crosing", Link(need_id=workshop.need.id))
    assert [r.idea.text for r in workshops.ideas_of(workshop.event, commissioner)] == [
        "A crossing by the school", "A crosing"]
    workshops.remove_idea(typo, workshop.facilitator)
    assert db.session.get(WorkshopIdea, typo.id) is None
    assert [r.idea.text for r in workshops.ideas_of(workshop.event, commissioner)] == ["A crossing by the school"]
    assert workshops.ideas_for_needs(workshop.cycle) == {}


def test_an_idea_is_found_only_through_its_own_event(workshop, commissioner) -> None:
    other = create_event(workshop.cycle.stage_of_kind(StageKind.PROPOSALS), commissioner,
                         title="Another", venue="Elsewhere", starts_at=STARTS, ends_at=ENDS,
                         facilitator_ids=[commissioner.id])
    assert workshops.get_idea(workshop.event, workshop.idea.id) is workshop.idea
    with pytest.raises(NotFound):
        workshops.get_idea(other, workshop.idea.id)


def test_nothing_is_recorded_before_the_events_stage_opens(workshop, commissioner) -> None:
    deliberation = workshop.cycle.stage_of_kind(StageKind.DELIBERATION)
    planned = create_event(deliberation, commissioner, title="Later", venue="Hall", starts_at=STARTS, ends_at=ENDS,
                           facilitator_ids=[workshop.facilitator.id])
    with pytest.raises(StageNotOpen):
        workshops.record_workshop(planned, workshop.facilitator, notes="Early", attendance=3)
    with pytest.raises(StageNotOpen):
        workshops.add_idea(planned, workshop.facilitator, "Early")


def test_linked_ideas_are_public_by_workshop_and_date_never_by_who_wrote_them(workshop, commissioner) -> None:
    workshops.add_idea(workshop.event, workshop.facilitator, "Paint it bright", Link(proposal_id=workshop.proposal.id))
    workshops.add_idea(workshop.event, commissioner, "Lollipop person too", Link(need_id=workshop.need.id))
    [raised] = workshops.ideas_for_proposal(workshop.proposal)
    assert (raised.text, raised.event_title, raised.held_at.date()) == ("Paint it bright", "Ideas evening",
                                                                         STARTS.date())
    assert not hasattr(raised, "recorded_by")
    needs = workshops.ideas_for_needs(workshop.cycle)
    assert [i.text for i in needs[workshop.need.id]] == ["Lollipop person too"]  # not the unlinked idea
    summary = workshops.summary(workshop.event)
    assert (summary.ideas, summary.linked, summary.has_notes, summary.attendance) == (3, 2, False, None)


# Views


def test_a_facilitator_records_notes_and_attendance_through_the_page(client, login_as, workshop) -> None:
    login_as(workshop.facilitator)
    dashboard = client.get(f"/cycles/{workshop.cycle.id}/events/{workshop.event.id}").get_data(as_text=True)
    assert "Workshop record" in dashboard and "not recorded yet" in dashboard and "1 idea raised" in dashboard
    page = client.get(_base(workshop))
    assert page.status_code == 200 and "Save the notes and attendance" in page.get_data(as_text=True)
    saved = client.submit(_base(workshop), {"notes": "Crossing came up first.", "attendance": "23"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(_base(workshop))
    page = client.get(_base(workshop)).get_data(as_text=True)
    assert "Crossing came up first." in page and 'value="23"' in page and "are saved" in page
    dashboard = client.get(f"/cycles/{workshop.cycle.id}/events/{workshop.event.id}").get_data(as_text=True)
    assert "23 people in the room" in dashboard and "Notes written" in dashboard


@pytest.mark.parametrize(("attendance", "message"), [
    ("lots", "Enter a number of people, like 25"),
    ("-4", "Enter a number of people, like 25"),
    ("100001", "a number from 0 to 100,000"),
])
def test_a_wrong_attendance_comes_back_with_the_notes_kept(client, login_as, workshop, attendance,
                                                           message) -> None:
    login_as(workshop.facilitator)
    refused = client.submit(_base(workshop), {"notes": "Kept <b>safe</b>", "attendance": attendance})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "There is a problem" in page and 'id="attendance-error"' in page
    assert message in page and "Kept &lt;b&gt;safe&lt;/b&gt;" in page and f'value="{attendance}"' in page
    db.session.expire_all()
    assert db.session.get(Event, workshop.event.id).notes == ""


def test_adding_an_idea_with_and_without_htmx(client, login_as, workshop) -> None:
    login_as(workshop.facilitator)
    plain = client.submit(f"{_base(workshop)}/ideas", {"text": "Slow the traffic", "link": f"need-{workshop.need.id}"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/workshop#ideas")
    fragment = client.submit(f"{_base(workshop)}/ideas", {"text": "Paint it", "link": ""}, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and fragment.headers["HX-Trigger"] == "ideas-changed"
    assert html.lstrip().startswith('<section id="ideas"') and "<html" not in html
    assert "Ideas raised in the room (3)" in html and "Slow the traffic" in html
    assert re.search(r'<div hx-swap-oob="innerHTML:#ideas-status">.*The idea is recorded\.', html, re.S)
    assert re.search(r'<option selected value="need-\d+">A safe way', html)  # the first idea's link, shown
    # An empty idea: the same fragment, with the error and the chosen link kept.
    refused = client.submit(f"{_base(workshop)}/ideas", {"text": " ", "link": f"proposal-{workshop.proposal.id}"},
                            headers=HX)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and html.lstrip().startswith('<section id="ideas"')
    assert 'id="text-error"' in html and "Write down the idea." in html
    assert f'<option selected value="proposal-{workshop.proposal.id}">' in html
    without_js = client.submit(f"{_base(workshop)}/ideas", {"text": "", "link": ""})
    assert without_js.status_code == 422 and "<html" in without_js.get_data(as_text=True)
    assert len(workshops.ideas_of(workshop.event, workshop.facilitator)) == 3


def test_another_cycles_need_or_proposal_is_refused_through_the_forms(client, login_as, workshop, elsewhere) -> None:
    login_as(workshop.facilitator)
    refused = client.submit(f"{_base(workshop)}/ideas",
                            {"text": "Borrowed", "link": f"proposal-{elsewhere.proposal.id}"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Choose a proposal of this cycle." in page and "Borrowed" in page
    relink = client.submit(f"{_base(workshop)}/ideas/{workshop.idea.id}/link", {"link": f"need-{elsewhere.need.id}"},
                           headers=HX)
    html = relink.get_data(as_text=True)
    assert relink.status_code == 422 and "Choose a need or an asset of this cycle." in html
    assert f'id="link-{workshop.idea.id}-error"' in html and "There is a problem" in html
    db.session.expire_all()
    assert db.session.get(WorkshopIdea, workshop.idea.id).need_id is None
    assert len(workshops.ideas_of(workshop.event, workshop.facilitator)) == 1


def test_relinking_and_removing_through_the_page(client, login_as, workshop) -> None:
    login_as(workshop.facilitator)
    idea_url = f"{_base(workshop)}/ideas/{workshop.idea.id}"
    linked = client.submit(f"{idea_url}/link", {"link": f"proposal-{workshop.proposal.id}"}, headers=HX)
    html = linked.get_data(as_text=True)
    assert linked.status_code == 200 and "Linked to the proposal" in html and "Zebra crossing</a>" in html
    plain = client.submit(f"{idea_url}/link", {"link": ""})
    assert plain.status_code == 303
    assert "Not linked yet" in client.get(_base(workshop)).get_data(as_text=True)
    polled = client.get(_base(workshop), headers=HX).get_data(as_text=True)
    assert polled.lstrip().startswith('<section id="ideas"') and "Not linked yet" in polled and "<html" not in polled
    removed = client.submit(f"{idea_url}/remove", headers=HX)
    assert removed.status_code == 200 and "No ideas recorded yet." in removed.get_data(as_text=True)
    assert client.submit(f"{idea_url}/remove").status_code == 404


def test_residents_and_other_facilitators_are_refused_at_every_workshop_route(client, login_as, workshop, resident,
                                                                              make_user) -> None:
    idea_url = f"{_base(workshop)}/ideas/{workshop.idea.id}"
    signed_out = client.get(_base(workshop))
    assert signed_out.status_code in (302, 303) and "/sign-in" in signed_out.headers["Location"]
    for person in (resident, make_user(Role.FACILITATOR, cycle=workshop.cycle)):
        login_as(person)
        assert client.get(_base(workshop)).status_code == 403
        assert client.submit(_base(workshop), {"notes": "Mine", "attendance": "2"}).status_code == 403
        assert client.submit(f"{_base(workshop)}/ideas", {"text": "Mine"}).status_code == 403
        assert client.submit(f"{idea_url}/link", {"link": f"need-{workshop.need.id}"}).status_code == 403
        assert client.submit(f"{idea_url}/remove", headers=HX).status_code == 403
        client.submit("/sign-out")
        client.csrf = None
    db.session.expire_all()
    assert db.session.get(WorkshopIdea, workshop.idea.id).need_id is None
    assert db.session.get(Event, workshop.event.id).notes == ""


def test_before_the_stage_opens_the_page_reads_but_offers_no_forms(client, login_as, workshop, commissioner) -> None:
    deliberation = workshop.cycle.stage_of_kind(StageKind.DELIBERATION)
    planned = create_event(deliberation, commissioner, title="Later", venue="Hall", starts_at=STARTS, ends_at=ENDS,
                           facilitator_ids=[workshop.facilitator.id])
    db.session.commit()
    login_as(workshop.facilitator)
    url = f"/cycles/{workshop.cycle.id}/events/{planned.id}/workshop"
    page = client.get(url).get_data(as_text=True)
    assert "once the deliberation stage has opened" in page and "Add the idea" not in page
    assert client.submit(url, {"notes": "Early", "attendance": "2"}).status_code == 409


def test_linked_ideas_show_on_the_proposal_page_and_the_needs_list(client, workshop, commissioner) -> None:
    workshops.record_workshop(workshop.event, workshop.facilitator, notes="Private: Mrs Jones spoke", attendance=9)
    workshops.link_idea(workshop.idea, workshop.facilitator, Link(proposal_id=workshop.proposal.id))
    workshops.add_idea(workshop.event, commissioner, "Lollipop person too", Link(need_id=workshop.need.id))
    workshops.add_idea(workshop.event, workshop.facilitator, "An unlinked thought")
    db.session.commit()
    proposal = client.get(f"/cycles/{workshop.cycle.id}/proposals/{workshop.proposal.id}").get_data(as_text=True)
    assert "From workshops" in proposal and "A crossing by the school" in proposal
    assert "Raised at a workshop: Ideas evening, 1 December 2026" in proposal
    needs_url = f"/cycles/{workshop.cycle.id}/priorities"
    for headers in ({}, HX):
        needs = client.get(needs_url, headers=headers).get_data(as_text=True)
        card = needs[needs.index(f'id="need-{workshop.need.id}"'):]
        assert "Lollipop person too" in card and "Raised at a workshop: Ideas evening, 1 December 2026" in card
    events = client.get(f"/cycles/{workshop.cycle.id}/events").get_data(as_text=True)
    for public in (proposal, needs, events):
        assert "An unlinked thought" not in public and "Mrs Jones" not in public and "Ffion Facilitator" not in public
