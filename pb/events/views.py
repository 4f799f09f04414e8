"""Events: planning them, the facilitator's dashboard, the check-in desk and the live view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from pb.cycles.models import Cycle, StageState
from pb.cycles.services import get_cycle
from pb.db import session
from pb.errors import InvalidInput, PBError
from pb.events import live, services
from pb.events.forms import CheckInForm, EventForm, FindAttendeeForm, RegisterAttendeeForm
from pb.events.models import Event
from pb.mandates.authority import Action, allowed
from pb.templating import STAGE_NAMES
from pb.voting import printing
from pb.web import done, go_to, render, show_on_form, wants_fragment

bp = Blueprint("events", __name__)


@bp.get("/cycles/<int:cycle_id>/events")
def list_events(cycle_id: int) -> Response:
    """The cycle's events; commissioners plan new ones here."""
    cycle = get_cycle(cycle_id)
    return _list_page(cycle, _event_form(cycle, EventForm(formdata=None)))


@bp.post("/cycles/<int:cycle_id>/events")
@login_required
def create_event(cycle_id: int) -> Response:
    """Commissioners plan an event in a stage."""
    cycle = get_cycle(cycle_id)
    form = _event_form(cycle, EventForm())
    if form.validate_on_submit():
        stage = next((s for s in cycle.stages if s.kind == form.stage.data), None)
        if stage is None:
            form.stage.errors = [_("Choose the stage the event belongs to.")]
            return _list_page(cycle, form, status=422)
        try:
            event = services.create_event(
                stage,
                current_user,
                title=form.title.data or "",
                venue=form.venue.data or "",
                starts_at=_aware(form.starts_at.data),
                ends_at=_aware(form.ends_at.data),
                expected_attendance=form.expected_attendance.data or 0,
                facilitator_ids=list(form.facilitators.data or []),
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("The event is planned."), "success")
            return done("events.show_event", cycle_id=cycle.id, event_id=event.id)
    return _list_page(cycle, form, status=422)


@bp.get("/cycles/<int:cycle_id>/events/<int:event_id>")
@login_required
def show_event(cycle_id: int, event_id: int) -> Response:
    """The facilitator's dashboard; htmx (polling) gets only the counts."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    services.require_running(event, current_user)
    return render("events/show.html", "events/_counts.html", **_event_page(cycle, event))


@bp.get("/cycles/<int:cycle_id>/events/<int:event_id>/check-in")
@login_required
def check_in_desk(cycle_id: int, event_id: int) -> Response:
    """Find someone on the list, or add them; htmx gets only the search results."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    services.require_running(event, current_user)
    return _desk(cycle, event, RegisterAttendeeForm(formdata=None, submission=services.new_submission()))


@bp.post("/cycles/<int:cycle_id>/events/<int:event_id>/attendees")
@login_required
def register_attendee(cycle_id: int, event_id: int) -> Response:
    """Add someone with a name (and a postcode if they give one) and check them in: the code shows once."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    form = RegisterAttendeeForm()
    if form.validate_on_submit():
        try:
            result = services.register_attendee(
                event,
                current_user,
                name=form.name.data or "",
                postcode=form.postcode.data or "",
                check_in=not form.register_only.data,
                submission=form.submission.data or None,
                old_enough=bool(form.old_enough.data),
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            if result.attendee.checked_in_at is None:
                flash(_("%(name)s is on the list.", name=result.attendee.name), "success")
                return done("events.check_in_desk", cycle_id=cycle.id, event_id=event.id)
            return _checked_in(cycle, event, result)
    return _desk(cycle, event, form, status=422)


@bp.post("/cycles/<int:cycle_id>/events/<int:event_id>/attendees/<int:attendee_id>/check-in")
@login_required
def check_in_attendee(cycle_id: int, event_id: int, attendee_id: int) -> Response:
    """Check in someone already on the list: the code shows once."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    attendee = services.get_attendee(event, attendee_id)
    form = CheckInForm()  # CSRFProtect has checked the token; the service checks the postcode
    try:
        checked_in = services.check_in_attendee(
            event, attendee, current_user, postcode=form.postcode.data or None, old_enough=bool(form.old_enough.data)
        )
    except InvalidInput as error:
        if error.field != "postcode":
            raise
        session().rollback()
        # The desk again, with the message beside this person's postcode and what was typed kept.
        row = RowError(attendee_id, error.message, form.postcode.data or "")
        return _desk(cycle, event, RegisterAttendeeForm(formdata=None, submission=services.new_submission()),
                     status=422, row_error=row)
    return _checked_in(cycle, event, checked_in)


@bp.get("/cycles/<int:cycle_id>/events/<int:event_id>/attendees")
@bp.get("/cycles/<int:cycle_id>/events/<int:event_id>/attendees/<int:attendee_id>/check-in")
@login_required
def back_to_the_desk(cycle_id: int, event_id: int, attendee_id: int | None = None) -> Response:
    """The address a check-in leaves in the browser, opened again (a reload, a bookmark): the desk.

    A check-in's answer shows the voting code once and is never kept, so there is nothing to show again.
    """
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    if attendee_id is not None:
        services.get_attendee(event, attendee_id)  # another event's person: not found, as everywhere
    return go_to(url_for("events.check_in_desk", cycle_id=cycle.id, event_id=event.id))


@dataclass(frozen=True)
class RowError:
    """A check-in on the list refused for what was typed on its row: shown on that row."""

    attendee_id: int
    message: str
    postcode: str


@bp.get("/cycles/<int:cycle_id>/events/<int:event_id>/live")
@login_required
def live_event(cycle_id: int, event_id: int) -> Response:
    """The projector: turnout by channel, the event's codes and, if the mandate allows, running counts."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    services.require_running(event, current_user)
    return render("events/live.html", "events/_live.html", cycle=cycle, event=event, live=live.live_view(event))


def _checked_in(cycle: Cycle, event: Event, result: services.CheckIn) -> Response:
    """The code in this response only (never redirected, stored or cached); then the commit.

    Committed last (pb/web.py, `done`): the check-in is kept only if the page showing its code was made.
    """
    qr = None
    entry = url_for("voting.enter_code", cycle_id=cycle.id, _external=True)
    if result.code:
        qr = printing.qr_svg(f"{entry}#{result.code}")
    context = {**_event_page(cycle, event), "result": result, "qr": qr, "entry": entry}
    if wants_fragment():
        response = render("events/_checked_in.html", **context)
    else:
        context.update(
            _desk_context(cycle, event, RegisterAttendeeForm(formdata=None, submission=services.new_submission()))
        )
        response = render("events/check_in.html", **context)
    response.headers["Cache-Control"] = "no-store"
    session().commit()
    return response


def _desk(cycle: Cycle, event: Event, form: RegisterAttendeeForm, status: int = 200,
          row_error: RowError | None = None) -> Response:
    context = {**_event_page(cycle, event), **_desk_context(cycle, event, form, row_error), "result": None,
               "qr": None, "entry": None}
    response = render("events/check_in.html", "events/_attendees.html", status=status, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _desk_context(cycle: Cycle, event: Event, form: RegisterAttendeeForm,
                  row_error: RowError | None = None) -> dict[str, object]:
    find = FindAttendeeForm(request.args)
    query = (find.q.data or "") if find.validate() else ""
    conditions = services.desk_conditions(event)  # the vote mandate's postcode and age checks, if the desk makes them
    if conditions and conditions.postcodes:
        form.postcode.description = _(
            "Needed for a voting code: this vote is for people who live in %(areas)s.",
            areas=", ".join(conditions.postcodes),
        )
    if conditions and conditions.minimum_age:
        form.old_enough.label.text = _("They say they are %(age)d or over", age=conditions.minimum_age)
    attendees = services.find_attendees(event, current_user, query)
    if row_error and all(a.id != row_error.attendee_id for a in attendees):
        attendees.insert(0, services.get_attendee(event, row_error.attendee_id))  # the row with the error is shown
    return {
        "codes_here": services.gives_codes(event, current_user),
        "conditions": conditions,
        "find_form": find,
        "form": form,
        "row_error": row_error,
        "attendees": attendees,
        "query": query,
        "can_check_in": services.may_run(event, current_user, Action.CHECK_IN_ATTENDEE),
    }


def _event_page(cycle: Cycle, event: Event) -> dict[str, object]:
    return {
        "cycle": cycle,
        "event": event,
        "stage": services.stage_of(event),
        "counts": live.event_counts(event),
        "can_check_in": services.may_run(event, current_user, Action.CHECK_IN_ATTENDEE),
    }


def _list_page(cycle: Cycle, form: EventForm, status: int = 200) -> Response:
    stages = [s for s in cycle.stages if s.state != StageState.CLOSED]
    can_create = any(allowed(current_user, Action.CREATE_EVENT, s) for s in stages)
    events = services.events_of(cycle)
    return render(
        "events/list.html",
        status=status,
        cycle=cycle,
        events=events,
        form=form if can_create else None,
        runs={e.id for e in events if services.may_run(e, current_user)},
    )


def _event_form(cycle: Cycle, form: EventForm) -> EventForm:
    form.stage.choices = [
        SelectChoice(s.kind.value, str(STAGE_NAMES[s.kind])) for s in cycle.stages if s.state != StageState.CLOSED
    ]
    form.facilitators.choices = [SelectChoice(str(p.id), p.name) for p in services.facilitator_choices(cycle)]
    return form


def _aware(value: datetime | None) -> datetime | None:
    """A time typed in the council's time zone."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))


# The kiosk, paper ballot and workshop routes live in modules of their own, on this blueprint.
from pb.events import kiosk_views, paper_views, workshop_views  # noqa: E402, F401
