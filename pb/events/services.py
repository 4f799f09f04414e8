"""In-person events: creating them, checking people in with a voting code each, and their counts.

A check-in that hands over a voting code adds it to the event's one desk batch (labelled with the
event) with `issue_desk_code`: only the code's HMAC is stored, as for printed codes, under a
random row id, so the batch keeps no order of who was given which; the plain code is returned
once, to be shown on the facilitator's screen. See docs/events.md.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError

from pb.accounts.models import Role, User
from pb.accounts.services import has_role, people_with_role
from pb.audit.services import record
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import has_every_word, session, utcnow
from pb.errors import Conflict, InvalidInput, NotAuthorised, NotFound, PBError
from pb.events.models import Attendee, Event, EventCodeBatch, EventFacilitator
from pb.mandates.authority import Action, Verdict, allowed, require
from pb.mandates.boundaries import VoteBoundaries, normalise_postcode, postcode_in_areas
from pb.voting.codes import issue_desk_code
from pb.voting.models import CodeBatch

MAX_TITLE = 120
MAX_VENUE = 200
MAX_NAME = 120
MAX_ATTENDANCE = 100_000


def facilitator_choices(cycle: Cycle) -> list[User]:
    """Who may run an event of the cycle: its facilitators and its commissioners."""
    people = people_with_role(Role.FACILITATOR, cycle.id) + people_with_role(Role.COMMISSIONER, cycle.id)
    unique = {p.id: p for p in people}
    return sorted(unique.values(), key=lambda p: (p.name, p.id))


def create_event(
    stage: Stage,
    actor: User,
    *,
    title: str,
    venue: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    expected_attendance: int = 0,
    facilitator_ids: list[int] | None = None,
) -> Event:
    """Commissioners plan an event in a stage, naming who runs it.

    Raises NotAuthorised, StageNotOpen (the stage has closed) or InvalidInput (naming the field).
    """
    verdict = require(actor, Action.CREATE_EVENT, stage)
    title, venue = title.strip(), venue.strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(_("Name the event in %(most)d characters or fewer.", most=MAX_TITLE), field="title")
    if not venue or len(venue) > MAX_VENUE:
        raise InvalidInput(_("Say where the event is, in %(most)d characters or fewer.", most=MAX_VENUE), field="venue")
    if starts_at is None:
        raise InvalidInput(_("Enter when the event starts."), field="starts_at")
    if ends_at is None or ends_at <= starts_at:
        raise InvalidInput(_("The event must end after it starts."), field="ends_at")
    if not 0 <= expected_attendance <= MAX_ATTENDANCE:
        raise InvalidInput(
            _("Enter a number of people from 0 to %(most)d.", most=MAX_ATTENDANCE), field="expected_attendance"
        )
    choices = {p.id: p for p in facilitator_choices(stage.cycle)}
    chosen = sorted(set(facilitator_ids or []))
    if not chosen or not set(chosen) <= set(choices):
        raise InvalidInput(
            _("Choose who runs the event, from the cycle's facilitators and commissioners."), field="facilitators"
        )
    event = Event(
        cycle_id=stage.cycle_id,
        stage_id=stage.id,
        title=title,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        expected_attendance=expected_attendance,
        created_by_id=actor.id,
    )
    session().add(event)
    session().flush()
    session().add_all(EventFacilitator(event_id=event.id, user_id=uid) for uid in chosen)
    session().flush()
    session().refresh(event)
    record(
        "events.create",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"event {event.id}",
        detail={"facilitators": chosen},
    )
    return event


def events_of(cycle: Cycle) -> list[Event]:
    query = select(Event).where(Event.cycle_id == cycle.id).order_by(Event.starts_at, Event.id)
    return list(session().scalars(query))


def get_event(cycle: Cycle, event_id: int) -> Event:
    """Raises NotFound, also for an event of another cycle."""
    event = session().get(Event, event_id)
    if event is None or event.cycle_id != cycle.id:
        raise NotFound(_("There is no event with that number in this cycle."))
    return event


def stage_of(event: Event) -> Stage:
    stage = session().get(Stage, event.stage_id)
    assert stage is not None
    return stage


def require_running(event: Event, actor: User | None, action: Action = Action.RUN_EVENT) -> Verdict:
    """The cycle's commissioners, and the facilitators named for this event, run it.

    Raises NotAuthorised (naming `events.facilitators` for a facilitator of another event) or
    StageNotOpen (checking in outside an open stage).
    """
    stage = stage_of(event)
    verdict = require(actor, action, stage)
    if has_role(actor, Role.COMMISSIONER, event.cycle_id):
        return verdict
    if actor is None or actor.id not in {f.id for f in event.facilitators}:
        raise NotAuthorised(_("Only the people named to run this event can do this."), clause="events.facilitators")
    return Verdict("events.facilitators", verdict.role)


def may_run(event: Event, actor: User | None, action: Action = Action.RUN_EVENT) -> bool:
    """For showing or hiding a link, never for deciding."""
    try:
        require_running(event, actor, action)
    except PBError:
        return False
    return True


def find_attendees(event: Event, actor: User, query: str = "") -> list[Attendee]:
    """Attendees of the event whose name or postcode starts with or contains `query`, by name.

    Raises NotAuthorised.
    """
    require_running(event, actor)
    select_attendees = select(Attendee).where(Attendee.event_id == event.id)
    if (found := has_every_word(query[:MAX_NAME], Attendee.name, Attendee.postcode)) is not None:
        select_attendees = select_attendees.where(found)
    return list(session().scalars(select_attendees.order_by(Attendee.name, Attendee.id).limit(50)))


# What a desk takes as a postcode: a whole one ("CF10 5AB") or its first half ("CF10"), which is
# enough where the vote's areas are districts; someone may rather not give the rest.
DESK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9][A-Z]{2})?$")


def _given_postcode(text: str | None) -> str:
    """The postcode someone gave at the desk, tidied ("cf105ab" → "CF10 5AB"); "" for none.
    Raises InvalidInput for anything that cannot be a postcode."""
    postcode = normalise_postcode(text or "")
    if postcode and not DESK_POSTCODE.match(postcode):
        raise InvalidInput(
            _("Enter a postcode like CF10 5AB, or its first half like CF10, or leave it empty."), field="postcode"
        )
    return postcode


def get_attendee(event: Event, attendee_id: int) -> Attendee:
    """Raises NotFound, also for an attendee of another event."""
    attendee = session().get(Attendee, attendee_id)
    if attendee is None or attendee.event_id != event.id:
        raise NotFound(_("There is no such attendee at this event."))
    return attendee


@dataclass(frozen=True)
class CheckIn:
    """A check-in as the desk sees it once: `code` is the plain voting code, never stored."""

    attendee: Attendee
    code: str | None = None
    no_code_reason: str = ""


def register_attendee(
    event: Event,
    actor: User,
    *,
    name: str,
    postcode: str = "",
    check_in: bool = True,
    submission: str | None = None,
    old_enough: bool = False,
) -> CheckIn:
    """Add someone to the event with a name and, if they give one, a postcode; check them in at once.

    `submission` is the random token of the form: sent again (a reload), it adds nobody and
    issues no second code. `old_enough`: they told the desk they meet the vote's minimum age.
    Raises NotAuthorised, StageNotOpen, InvalidInput or Conflict.
    """
    require_running(event, actor, Action.CHECK_IN_ATTENDEE)
    name, postcode = " ".join(name.split()), _given_postcode(postcode)
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(_("Enter a name, in %(most)d characters or fewer.", most=MAX_NAME), field="name")
    attendee = Attendee(event_id=event.id, name=name, postcode=postcode or None, submission=submission or None)
    try:
        with session().begin_nested():
            session().add(attendee)
            session().flush()
    except IntegrityError:
        raise Conflict(
            _("This form was already sent: that person is on the list. Search for them by name."), field="name"
        ) from None
    record("events.register", actor=actor, stage=stage_of(event), subject=f"event {event.id}")
    if not check_in:
        return CheckIn(attendee)
    return check_in_attendee(event, attendee, actor, old_enough=old_enough)


@dataclass(frozen=True)
class DeskConditions:
    """What the check-in desk must hear before it gives a voting code (the vote mandate's
    `desk_checks_conditions`): a postcode in `postcodes`, if any, and an age of `minimum_age` or more."""

    postcodes: list[str]
    minimum_age: int


def desk_conditions(event: Event) -> DeskConditions | None:
    """The conditions the desk checks at this event, or None where it checks none."""
    stage = stage_of(event)
    mandate = stage.agreed_mandate if stage.kind == StageKind.VOTE else None
    boundaries = mandate.boundaries if mandate is not None else None
    if not isinstance(boundaries, VoteBoundaries) or not boundaries.desk_checks:
        return None
    return DeskConditions([normalise_postcode(p) for p in boundaries.postcodes], boundaries.minimum_age)


def _unmet_condition(conditions: DeskConditions | None, postcode: str | None, old_enough: bool) -> str:
    """Why the desk may not give this person a code under the mandate ("" if it may)."""
    if conditions is None:
        return ""
    areas = ", ".join(conditions.postcodes)
    if conditions.postcodes and not postcode:
        return _("The vote's mandate asks for a postcode in %(areas)s before a code is given.", areas=areas)
    if conditions.postcodes and postcode and not postcode_in_areas(postcode, conditions.postcodes):
        if " " not in postcode and any(" " in area for area in conditions.postcodes):
            # Its first half alone cannot say: the areas are sectors of a district ("CF10 5").
            return _("The vote is open to %(areas)s: ask for the whole postcode, like CF10 5AB.", areas=areas)
        return _("%(postcode)s is not in %(areas)s, where this vote is open to.", postcode=postcode, areas=areas)
    if conditions.minimum_age and not old_enough:
        return _("The vote is for people aged %(age)d or over: ask whether they are.", age=conditions.minimum_age)
    return ""


def check_in_attendee(
    event: Event, attendee: Attendee, actor: User, *, postcode: str | None = None, old_enough: bool = False
) -> CheckIn:
    """Record the attendee's arrival and, where the event is in a vote that takes codes, issue one code.

    Where the vote's mandate has the desk check its conditions, the code is given only to someone
    with a postcode in its areas (`postcode` adds or corrects theirs) who says they are old enough
    (`old_enough`); anyone else is checked in without one, and the desk is told why. Someone
    checked in without a code can be given one later, once the desk has what it needs. The code
    is returned once, to show; only its HMAC is kept, in the event's desk batch, and the attendee
    row records only that a code was issued. Arriving and being given a code are each claimed
    with one conditional write, so a double tap checks in once and issues one code.
    Raises NotAuthorised, StageNotOpen, InvalidInput (a postcode too long) or Conflict (already
    checked in, or already given a code).
    """
    verdict = require_running(event, actor, Action.CHECK_IN_ATTENDEE)
    db = session()
    stage = stage_of(event)
    codes_here = gives_codes(event, actor)
    arriving = attendee.checked_in_at is None
    if not arriving and (attendee.code_issued or not codes_here):
        raise Conflict(_("%(name)s is already checked in.", name=attendee.name))
    if postcode := _given_postcode(postcode):
        attendee.postcode = postcode
    if arriving and not _claim(attendee, Attendee.checked_in_at.is_(None), checked_in_at=utcnow()):
        raise Conflict(_("%(name)s is already checked in.", name=attendee.name))
    code, reason = None, ""
    if stage.kind != StageKind.VOTE:
        reason = _("Voting codes are given out at events of the vote stage.")
    elif not codes_here:
        reason = _("This vote's mandate does not use voting codes: people vote with an account.")
    elif unmet := _unmet_condition(desk_conditions(event), attendee.postcode, old_enough):
        reason = unmet
    elif _claim(attendee, Attendee.code_issued.is_(False), code_issued=True):
        code = _desk_code(event, stage, actor)
    else:
        raise Conflict(_("%(name)s has already been given a voting code.", name=attendee.name))
    db.flush()
    if arriving or code:
        record(
            "events.check_in",
            actor=actor,
            role=verdict.role,
            stage=stage,
            subject=f"event {event.id}",
            detail={"code_issued": code is not None},
        )
    return CheckIn(attendee, code, reason)


def gives_codes(event: Event, actor: User | None) -> bool:
    """Whether this desk hands out voting codes: an event of a vote whose mandate takes them."""
    stage = stage_of(event)
    return stage.kind == StageKind.VOTE and allowed(actor, Action.ISSUE_VOTING_CODES, stage)


def _claim(attendee: Attendee, unless_done: ColumnElement[bool], **values: object) -> bool:
    """Set `values` on the attendee's row only if `unless_done` still holds; whether this request did."""
    db = session()
    db.flush()
    done = db.execute(update(Attendee).where(Attendee.id == attendee.id, unless_done).values(**values)).rowcount
    db.refresh(attendee)
    return bool(done)


def _desk_code(event: Event, stage: Stage, actor: User) -> str:
    """A new code from the event's one desk batch: nothing ties a code to the check-in it was handed over at.

    Raises what `issue_desk_code` raises.
    """
    batch = session().scalar(
        select(CodeBatch)
        .join(EventCodeBatch, EventCodeBatch.batch_id == CodeBatch.id)
        .where(EventCodeBatch.event_id == event.id)
        .order_by(CodeBatch.id)
        .limit(1)
    )
    made, code = issue_desk_code(stage, actor, f"Event {event.id}: {event.title}", batch)
    if batch is None:
        session().add(EventCodeBatch(batch_id=made.id, event_id=event.id))
        session().flush()
    return code


def new_submission() -> str:
    return secrets.token_hex(16)
