"""Workshops: the record facilitators keep of an event (notes, attendance) and the ideas raised in the room.

Registered on the events blueprint. The page is for the people who run the event; ideas linked
to a need or a proposal appear on its public page (see `pb.events.workshops`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, flash
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from pb.cycles.models import Cycle
from pb.cycles.services import get_cycle
from pb.errors import PBError
from pb.events import live, services, workshops
from pb.events.models import Event
from pb.events.views import bp
from pb.events.workshop_forms import IdeaForm, LinkIdeaForm, WorkshopForm
from pb.mandates.authority import Action
from pb.web import done, render, show_on_form, updated, wants_fragment

WORKSHOP = "/cycles/<int:cycle_id>/events/<int:event_id>/workshop"


@bp.context_processor
def _workshop_helpers() -> dict[str, Any]:
    # The dashboard (events.show_event) includes the workshop panel, which asks for its own counts.
    return {"workshop_summary": workshops.summary}


@bp.get(WORKSHOP)
@login_required
def show_workshop(cycle_id: int, event_id: int) -> Response:
    """The workshop's notes, attendance and ideas; htmx gets only the ideas."""
    cycle, event = _load(cycle_id, event_id)
    return render("events/workshop.html", "events/_workshop_ideas.html", **_context(cycle, event))


@bp.post(WORKSHOP)
@login_required
def record_workshop(cycle_id: int, event_id: int) -> Response:
    """Save the notes and how many people were in the room."""
    cycle, event = _load(cycle_id, event_id)
    form = WorkshopForm()
    if form.validate_on_submit():
        try:
            workshops.record_workshop(event, current_user, notes=form.notes.data or "", attendance=form.attendance.data)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("The workshop's notes and attendance are saved."), "success")
            return done("events.show_workshop", cycle_id=cycle.id, event_id=event.id)
    return render("events/workshop.html", status=422, **_context(cycle, event, record_form=form))


@bp.post(f"{WORKSHOP}/ideas")
@login_required
def add_idea(cycle_id: int, event_id: int) -> Response:
    """Record an idea raised in the room; htmx gets the list of ideas back."""
    cycle, event = _load(cycle_id, event_id)
    form = IdeaForm()
    if form.validate_on_submit():
        try:
            workshops.add_idea(event, current_user, form.text.data or "", workshops.Link.parse(form.link.data))
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            return _changed(cycle, event, _("The idea is recorded."))
    return render(
        "events/workshop.html", "events/_workshop_ideas.html", status=422, **_context(cycle, event, idea_form=form)
    )


@bp.post(f"{WORKSHOP}/ideas/<int:idea_id>/link")
@login_required
def link_idea(cycle_id: int, event_id: int, idea_id: int) -> Response:
    """Link an idea to a need or a proposal, move its link, or unlink it; htmx gets the list back."""
    cycle, event = _load(cycle_id, event_id)
    idea = workshops.get_idea(event, idea_id)
    form = LinkIdeaForm()
    if form.validate_on_submit():
        try:
            workshops.link_idea(idea, current_user, workshops.Link.parse(form.link.data))
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            return _changed(cycle, event, _("The idea's link is saved."))
    return render(
        "events/workshop.html",
        "events/_workshop_ideas.html",
        status=422,
        **_context(cycle, event, link_form=(idea.id, form)),
    )


@bp.post(f"{WORKSHOP}/ideas/<int:idea_id>/remove")
@login_required
def remove_idea(cycle_id: int, event_id: int, idea_id: int) -> Response:
    """Take back an idea recorded by mistake; htmx gets the list back."""
    cycle, event = _load(cycle_id, event_id)
    idea = workshops.get_idea(event, idea_id)
    LinkIdeaForm()  # CSRFProtect has checked the token
    workshops.remove_idea(idea, current_user)
    return _changed(cycle, event, _("The idea is removed."))


def _load(cycle_id: int, event_id: int) -> tuple[Cycle, Event]:
    """The cycle and its event, for someone who runs it: NotFound, NotAuthorised otherwise."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    services.require_running(event, current_user)
    return cycle, event


def _changed(cycle: Cycle, event: Event, message: str) -> Response:
    """After a change to the ideas: the list as it now is for htmx, else back to the page."""
    if wants_fragment():
        return updated("events/_workshop_ideas.html", trigger="ideas-changed", **_context(cycle, event, said=message))
    flash(message, "success")
    return done("events.show_workshop", cycle_id=cycle.id, event_id=event.id, _anchor="ideas")


def _context(
    cycle: Cycle,
    event: Event,
    *,
    record_form: WorkshopForm | None = None,
    idea_form: IdeaForm | None = None,
    link_form: tuple[int, LinkIdeaForm] | None = None,
    said: str = "",
) -> dict[str, object]:
    rows = workshops.ideas_of(event, current_user)
    choices = _link_choices(cycle)
    if record_form is None:
        record_form = WorkshopForm(formdata=None, notes=event.notes, attendance=event.attendance)
    if idea_form is None:
        idea_form = IdeaForm(formdata=None)
    idea_form.link.choices = choices
    link_forms = {}
    for number, row in enumerate(rows, start=1):
        if link_form is not None and link_form[0] == row.idea.id:
            form = link_form[1]
        else:
            form = LinkIdeaForm(formdata=None, link=workshops.link_of(row.idea).choice)
        form.link.choices = choices
        form.link.id = f"link-{row.idea.id}"  # one form an idea: each select needs its own id
        form.link.label.text = _("Link idea %(num)d to", num=number)
        link_forms[row.idea.id] = form
    return {
        "cycle": cycle,
        "event": event,
        "stage": services.stage_of(event),
        "counts": live.event_counts(event),
        "rows": rows,
        "record_form": record_form,
        "idea_form": idea_form,
        "link_forms": link_forms,
        "link_error": link_forms.get(link_form[0]) if link_form else None,
        "can_record": services.may_run(event, current_user, Action.RECORD_WORKSHOP),
        "said": said,
        "htmx": wants_fragment(),
    }


def _link_choices(cycle: Cycle) -> list[SelectChoice]:
    needs, proposals = workshops.link_targets(cycle)
    needs_group, proposals_group = _("Needs and assets"), _("Proposals")
    return [
        SelectChoice("", _("Nothing yet")),
        *(SelectChoice(f"need-{n.id}", n.title, optgroup=needs_group) for n in needs),
        *(SelectChoice(f"proposal-{p.id}", p.title, optgroup=proposals_group) for p in proposals),
    ]
