"""Kiosks: a shared device at an event that runs the ballot for one voter after another.

Starting a kiosk gives the device a random token, kept only in the device's session; the
database holds its SHA-256 and the facilitator's PIN as an argon2 hash. A kiosk voter is a
voting code entered on the device, whose ballot carries the channel "kiosk" and the event.
Nothing here records anything about a voter. See docs/events.md, "Kiosk mode".
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from pb.accounts.models import User
from pb.accounts.services import hasher
from pb.audit.services import record
from pb.cycles.models import StageKind
from pb.db import session, utcnow
from pb.errors import N_, Conflict, InvalidInput, NotFound, PBError
from pb.events.models import Event, Kiosk
from pb.events.services import require_running, stage_of
from pb.mandates.authority import Action
from pb.voting.codes import redeem_code
from pb.voting.models import Ballot
from pb.voting.services import Voter

MAX_LABEL = 60
PIN_PATTERN = re.compile(r"[0-9]{4,8}")
# Five guesses at a 4-digit PIN succeed one time in 2,000; after that only a facilitator, from
# the event's page on another device, can end kiosk mode (by stopping the kiosk).
MAX_PIN_TRIES = 5


class KioskEnded(Conflict):
    """The device's session names a kiosk that was stopped, or whose token is not this one."""

    title = N_("Kiosk mode has ended")


class KioskLocked(Conflict):
    """Too many wrong PINs: the PIN is refused until a facilitator stops the kiosk."""


def guessable(pin: str) -> bool:
    """The PINs a voter at the kiosk would try first: one digit repeated (0000), or a run up or down (1234, 9876)."""
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    return steps in ({0}, {1}, {-1})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_kiosk(event: Event, actor: User, label: str, pin: str) -> tuple[Kiosk, str]:
    """Start a kiosk at the event; return it and the device's token, to keep in that device's session only.

    Only the token's SHA-256 and the PIN's argon2 hash are stored. Raises NotAuthorised (not a
    commissioner of the cycle nor a facilitator of the event), StageNotOpen, OutsideMandate (the
    vote takes no voting codes: `vote.eligibility`) or InvalidInput (naming `kiosk_label`, or
    `kiosk_pin` for a PIN that is not 4 to 8 digits or is one of the first a voter would try).
    """
    verdict = require_running(event, actor, Action.START_KIOSK)
    label = " ".join(label.split())
    if len(label) > MAX_LABEL:
        raise InvalidInput(_("Name the kiosk in %(most)d characters or fewer.", most=MAX_LABEL), field="kiosk_label")
    if not PIN_PATTERN.fullmatch(pin):
        raise InvalidInput(_("Choose a PIN of 4 to 8 digits, 0 to 9."), field="kiosk_pin")
    if guessable(pin):
        raise InvalidInput(
            _("Choose a PIN that is harder to guess: not one digit repeated, nor digits in a row like 1234."),
            field="kiosk_pin",
        )
    if not label:
        started = session().scalar(select(func.count()).select_from(Kiosk).where(Kiosk.event_id == event.id)) or 0
        label = _("Kiosk %(number)d", number=started + 1)
    token = secrets.token_urlsafe(32)
    kiosk = Kiosk(
        event_id=event.id,
        label=label,
        token_hash=_token_hash(token),
        pin_hash=hasher().hash(pin),
        started_by_id=actor.id,
    )
    session().add(kiosk)
    session().flush()
    record(
        "kiosk.start",
        actor=actor,
        role=verdict.role,
        stage=stage_of(event),
        subject=f"kiosk {kiosk.id}",
        detail={"event": event.id, "label": label},
    )
    return kiosk, token


def stop_kiosk(kiosk: Kiosk, actor: User) -> bool:
    """Stop a kiosk from the event's page; the device leaves kiosk mode on its next request.

    Returns False if it had already stopped (a second press changes nothing).
    Raises NotAuthorised (not one of the people who run the event).
    """
    event = kiosk_event(kiosk)
    verdict = require_running(event, actor)
    if kiosk.stopped_at is not None:
        return False
    kiosk.stopped_at = utcnow()
    session().flush()
    record("kiosk.stop", actor=actor, role=verdict.role, stage=stage_of(event), subject=f"kiosk {kiosk.id}")
    return True


def kiosks_of(event: Event) -> list[Kiosk]:
    """The event's running kiosks, oldest first."""
    query = (
        select(Kiosk).where(Kiosk.event_id == event.id, Kiosk.stopped_at.is_(None)).order_by(Kiosk.started_at, Kiosk.id)
    )
    return list(session().scalars(query))


def get_kiosk(event: Event, kiosk_id: int) -> Kiosk:
    """Raises NotFound, also for a kiosk of another event."""
    kiosk = session().get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.event_id != event.id:
        raise NotFound(_("There is no such kiosk at this event."))
    return kiosk


def kiosk_event(kiosk: Kiosk) -> Event:
    event = session().get(Event, kiosk.event_id)
    assert event is not None  # the foreign key cascades: a kiosk never outlives its event
    return event


def current_kiosk(data: Mapping[str, Any] | Any) -> Kiosk:
    """The running kiosk a device's session names (`{"id": …, "token": …}`), its token checked.

    Raises KioskEnded when the kiosk was stopped or is gone, or the token is not its own.
    """
    ended = KioskEnded(_("Kiosk mode has ended on this device. If you came to vote, ask a facilitator."))
    if not isinstance(data, Mapping) or not isinstance(data.get("id"), int) or not isinstance(data.get("token"), str):
        raise ended
    kiosk = session().get(Kiosk, data["id"])
    if kiosk is None or kiosk.stopped_at is not None:
        raise ended
    if not hmac.compare_digest(kiosk.token_hash, _token_hash(data["token"])):
        raise ended
    return kiosk


def check_pin(kiosk: Kiosk, pin: str) -> None:
    """Check the PIN that ends kiosk mode. A wrong PIN is counted, and the caller commits the count.

    Raises KioskLocked (field `pin`) once MAX_PIN_TRIES wrong PINs have been tried, until a
    facilitator stops the kiosk, or InvalidInput (field `pin`) for a wrong PIN.
    """
    # Every try is counted before the PIN is checked, in one conditional write: tries sent at the
    # same moment each take one of the MAX_PIN_TRIES, and none gets past the limit.
    db = session()
    reserved = db.execute(
        update(Kiosk).where(Kiosk.id == kiosk.id, Kiosk.failed_pins < MAX_PIN_TRIES)
        .values(failed_pins=Kiosk.failed_pins + 1)
    ).rowcount
    db.refresh(kiosk)
    if not reserved:
        raise KioskLocked(
            _("Too many wrong PINs. A facilitator can stop this kiosk from the event's page on another device."),
            field="pin",
        )
    try:
        hasher().verify(kiosk.pin_hash, pin)
    except (VerificationError, InvalidHashError):
        left = MAX_PIN_TRIES - kiosk.failed_pins
        if left == 0:
            record("kiosk.lock", actor=None, stage=stage_of(kiosk_event(kiosk)), subject=f"kiosk {kiosk.id}")
            raise KioskLocked(
                _(
                    "That PIN is not right. The PIN is now locked: a facilitator can stop this kiosk from the "
                    "event's page on another device."
                ),
                field="pin",
            ) from None
        raise InvalidInput(
            ngettext(
                "That PIN is not right. You can try %(num)d more time.",
                "That PIN is not right. You can try %(num)d more times.",
                left,
            ),
            field="pin",
        ) from None
    db.execute(update(Kiosk).where(Kiosk.id == kiosk.id).values(failed_pins=Kiosk.failed_pins - 1))  # it was right
    db.refresh(kiosk)


def leave_kiosk(kiosk: Kiosk, pin: str) -> None:
    """End kiosk mode on the device with the facilitator's PIN: the kiosk stops.

    Raises KioskLocked or InvalidInput (a wrong PIN, counted), as `check_pin`.
    """
    check_pin(kiosk, pin)
    kiosk.stopped_at = utcnow()
    session().flush()
    # Whoever typed the PIN is not known to Cyd: the entry names the kiosk, not a person.
    record("kiosk.leave", actor=None, stage=stage_of(kiosk_event(kiosk)), subject=f"kiosk {kiosk.id}")


def redeem_at_kiosk(kiosk: Kiosk, text: str) -> Voter:
    """Check a voting code typed at the kiosk; return its voter, whose ballot is tagged "kiosk" and the event.

    Never linked to an account: nobody is signed in on a kiosk. Raises StageNotOpen,
    OutsideMandate or InvalidInput (field `code`), as `redeem_code`.
    """
    event = kiosk_event(kiosk)
    voter = redeem_code(stage_of(event), text, user=None)
    return replace(voter, channel="kiosk", event_id=event.id)


def kiosk_ballots(event: Event) -> int:
    """How many active ballots were cast at the event's kiosks (ballots carry the event, not the kiosk)."""
    query = (
        select(func.count())
        .select_from(Ballot)
        .where(Ballot.event_id == event.id, Ballot.channel == "kiosk", Ballot.replaced.is_(False))
    )
    return session().scalar(query) or 0


@dataclass(frozen=True)
class KioskRow:
    kiosk: Kiosk
    started_by: str
    locked: bool


@dataclass(frozen=True)
class KioskPanel:
    """The kiosks part of the event's dashboard."""

    shown: bool  # only events of the vote stage have kiosks
    problem: str  # why a kiosk cannot start now; empty when it can
    running: list[KioskRow]
    ballots: int


def kiosk_panel(event: Event, actor: User | None) -> KioskPanel:
    """What the dashboard shows about kiosks: whether one can start here and why not, and those running."""
    stage = stage_of(event)
    if stage.kind != StageKind.VOTE:
        return KioskPanel(False, "", [], 0)
    try:
        require_running(event, actor, Action.START_KIOSK)
        problem = ""
    except PBError as error:
        problem = error.message
    running = kiosks_of(event)
    starters = {k.started_by_id for k in running if k.started_by_id is not None}
    names = dict(session().execute(select(User.id, User.name).where(User.id.in_(starters))).tuples().all())
    rows = [KioskRow(k, names.get(k.started_by_id or 0, ""), k.failed_pins >= MAX_PIN_TRIES) for k in running]
    return KioskPanel(True, problem, rows, kiosk_ballots(event))
