"""Paper ballots at an event: printing numbered ballots, keying each in twice, resolving mismatches.

A paper ballot is known only by its serial number: a one-time credential, like a voting code,
that nobody records against a person. Two different people key every returned ballot; when
their readings agree, the ballot is cast (`cast_ballot`, channel "paper", tagged with the
event) and counted with the online ones. When they differ, a facilitator running the event
resolves it (`pb.events.paper_checks`, with the hand counts and the reconciliation).
See docs/events.md, "Paper ballots".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _
from sqlalchemy import false, func, select, text, update
from sqlalchemy.exc import IntegrityError

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage, StageState
from pb.db import session
from pb.errors import Conflict, InvalidBallot, InvalidInput, MandateNotAgreed, NotFound, StageNotOpen
from pb.events.models import Event, PaperBallot, PaperBatch, PaperEntry, PaperStatus
from pb.events.services import require_running, stage_of
from pb.mandates.authority import Action, Verdict
from pb.mandates.boundaries import VoteBoundaries
from pb.voting.services import Choices, Voter, cast_ballot, check_ballot, paper_voter_key

MAX_BATCH = 2000
MAX_REASON = 200
_RETRIES = 3
_LOCK_NAMESPACE = 0x5050  # the first key of PostgreSQL's two-key advisory locks, for paper ballots

# Damm's check digit: catches every single wrong digit and every swap of two neighbours.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

Outcome = Literal["first", "counted", "spoilt", "mismatch"]


# --- serial numbers -----------------------------------------------------------------------


def check_digit(serial: int) -> int:
    interim = 0
    for digit in str(serial):
        interim = _DAMM[interim][int(digit)]
    return interim


def format_serial(serial: int) -> str:
    """How a serial is printed and shown: four digits at least, a dash, its check digit ("0042-7")."""
    return f"{serial:04d}-{check_digit(serial)}"


def parse_serial(text: str) -> int:
    """A serial as typed ("0042-7", "00427", "42 7") without its check digit.

    Raises InvalidInput (field `serial`) when the check digit does not fit: a digit mistyped
    or two swapped, or the check digit left off.
    """
    digits = "".join(ch for ch in text if not ch.isspace() and ch not in "-–—")
    if not (digits.isdigit() and digits.isascii()) or not 5 <= len(digits) <= 10:
        raise InvalidInput(
            _("Enter the serial number as printed on the ballot, with the digit after the dash, like 0042-7."),
            field="serial",
        )
    serial, check = int(digits[:-1]), int(digits[-1])
    if serial < 1 or check_digit(serial) != check:
        raise InvalidInput(
            _("%(typed)s is not a serial number Cyd printed: check each digit, and the one after the dash.",
              typed=text.strip()),
            field="serial",
        )
    return serial


def hold_writes(stage: Stage) -> None:
    """Begin the transaction by taking the vote's paper lock: one paper write at a time, all of it atomic.

    PostgreSQL: a transaction-scoped advisory lock on the stage, so printers never collide on
    their serials and keyers of one serial wait for each other. SQLite: a write that matches
    nothing, first, so that its single write lock is held from here (as `cast_ballot` does) and
    nothing read after it goes stale. The unique constraints on serials and rounds remain the backstop.
    """
    db = session()
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:namespace, :stage)"),
                   {"namespace": _LOCK_NAMESPACE, "stage": stage.id})
    else:
        db.execute(update(PaperBatch).where(PaperBatch.stage_id == stage.id, false()).values(size=PaperBatch.size))
    # The vote may have closed while this waited for the lock (closing takes it too): look again.
    db.refresh(stage, ["state"])
    if stage.state == StageState.CLOSED:
        raise StageNotOpen(_("The vote has closed: paper ballots can no longer be changed."), clause="stage.state")


# --- printing -----------------------------------------------------------------------------


def paper_batches(event: Event) -> list[PaperBatch]:
    query = select(PaperBatch).where(PaperBatch.event_id == event.id).order_by(PaperBatch.first_serial)
    return list(session().scalars(query))


def get_paper_batch(event: Event, batch_id: int) -> PaperBatch:
    """Raises NotFound, also for a batch of another event."""
    batch = session().get(PaperBatch, batch_id)
    if batch is None or batch.event_id != event.id:
        raise NotFound(_("There is no such batch of paper ballots at this event."))
    return batch


def print_paper_ballots(event: Event, actor: User, size: int) -> PaperBatch:
    """Number `size` paper ballots for the event with the stage's next free serials.

    Two facilitators printing at once get different ranges: a batch's first serial is unique
    in the stage, and a collision is retried with the serials after it.
    Raises NotAuthorised, StageNotOpen (not the vote, closed, or the review not over),
    MandateNotAgreed, OutsideMandate (the vote takes no credentials) or InvalidInput (`size`).
    """
    verdict = require_printing(event, actor)
    stage = stage_of(event)
    if not 1 <= size <= MAX_BATCH:
        raise InvalidInput(_("Enter a number of ballots from 1 to %(most)d.", most=MAX_BATCH), field="size")
    hold_writes(stage)
    db = session()
    for _attempt in range(_RETRIES):
        batch = PaperBatch(stage_id=stage.id, event_id=event.id, first_serial=next_free_serial(stage), size=size,
                           created_by_id=actor.id)
        try:
            with db.begin_nested():
                db.add(batch)
                db.flush()
        except IntegrityError:
            continue
        break
    else:
        raise Conflict(_("Others were printing ballots at the same moment. Try again."))
    record("paper.print", actor=actor, role=verdict.role, stage=stage, subject=f"event {event.id}",
           detail={"first": batch.first_serial, "last": batch.last_serial, "size": size})
    return batch


def next_free_serial(stage: Stage) -> int:
    """The serial after every one printed for the vote, at any of its events."""
    query = select(func.max(PaperBatch.first_serial + PaperBatch.size)).where(PaperBatch.stage_id == stage.id)
    return session().scalar(query) or 1


def require_printing(event: Event, actor: User | None) -> Verdict:
    """A printed ballot cannot change: its format, limits and projects must be settled.

    Raises NotAuthorised, StageNotOpen, MandateNotAgreed or OutsideMandate.
    """
    verdict = require_running(event, actor, Action.PRINT_PAPER_BALLOTS)
    stage = stage_of(event)
    if stage.state == StageState.DRAFT or stage.agreed_mandate is None:
        raise MandateNotAgreed(
            _("Print paper ballots once the vote's mandate is agreed: the ballot's format and limits come from it."),
            clause="mandate.agreed",
        )
    if any(s.position < stage.position and s.state != StageState.CLOSED for s in stage.cycle.stages):
        raise StageNotOpen(
            _("Print paper ballots once the stages before the vote have closed, so that every project is known."),
            clause="cycle.stage_order",
        )
    return verdict


def limits(stage: Stage) -> VoteBoundaries:
    mandate = stage.agreed_mandate
    if mandate is None or not isinstance(mandate.boundaries, VoteBoundaries):
        raise MandateNotAgreed(_("This vote's mandate has not been agreed."), clause="mandate.agreed")
    return mandate.boundaries


# --- keying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Keyed:
    """What saving one entry did: `outcome` is "first", or after the second entry "counted",
    "spoilt" or "mismatch"."""

    paper_ballot: PaperBallot
    round: int
    outcome: Outcome


@dataclass(frozen=True)
class Reading:
    """One reading of a paper ballot, checked against the vote's limits."""

    choices: dict[str, int]
    spoilt: bool = False
    spoilt_reason: str = ""


def key_paper_ballot(
    event: Event,
    actor: User,
    serial: int,
    choices: Mapping[int, int] | None = None,
    *,
    spoilt: bool = False,
    spoilt_reason: str = "",
) -> Keyed:
    """Save one person's reading of a returned paper ballot: the first entry, or the second.

    The first creates the paper ballot, pending. The second must be by someone else: if both
    readings agree the ballot is cast and counted (or, both spoilt, recorded as spoilt);
    otherwise it waits, as a mismatch, for a facilitator to resolve it.
    Raises NotAuthorised, StageNotOpen, OutsideMandate, InvalidInput (a serial not printed
    for this event; a spoilt ballot with no reason), InvalidBallot (a reading outside the
    vote's limits: record it as spoilt) or Conflict (the same person twice, or keyed twice already).
    """
    verdict = require_running(event, actor, Action.KEY_PAPER_BALLOT)
    stage = stage_of(event)
    _require_printed_here(event, stage, serial)
    hold_writes(stage)
    keyed_before = _find(stage, serial)
    if keyed_before is not None:  # say it is keyed twice, or by this person, before judging the reading
        _first_entry_awaiting_second(keyed_before, actor)
    reading = read_ballot(stage, event, serial, choices, spoilt=spoilt, spoilt_reason=spoilt_reason)
    db = session()
    for _attempt in range(_RETRIES):
        paper = _find(stage, serial, lock=True)
        try:
            with db.begin_nested():
                if paper is None:
                    paper = PaperBallot(stage_id=stage.id, event_id=event.id, serial=serial)
                    db.add(paper)
                    db.flush()
                    first = None
                else:
                    first = _first_entry_awaiting_second(paper, actor)
                db.add(_entry(paper, 1 if first is None else 2, actor, reading))
                db.flush()
        except IntegrityError:  # someone keyed the same serial at the same moment: read it again
            db.expire_all()
            continue
        break
    else:
        raise Conflict(_("Serial %(serial)s was being saved by someone else. Save it again.",
                         serial=format_serial(serial)), field="serial")
    outcome: Outcome = "first" if first is None else _settle(stage, event, paper, reading_of(first), reading)
    record("paper.key", actor=actor, role=verdict.role, stage=stage, subject=f"event {event.id}",
           detail={"serial": serial, "round": 1 if first is None else 2, "spoilt": reading.spoilt,
                   "outcome": outcome})
    return Keyed(paper, 1 if first is None else 2, outcome)


def read_ballot(
    stage: Stage,
    event: Event,
    serial: int,
    choices: Mapping[int, int] | None,
    *,
    spoilt: bool = False,
    spoilt_reason: str = "",
) -> Reading:
    """Check one reading against the vote's limits, as a voting code's ballot would be checked.

    Raises InvalidInput (a spoilt ballot needs a reason) or InvalidBallot (outside the limits).
    """
    if spoilt:
        reason = " ".join(spoilt_reason.split())
        if not reason or len(reason) > MAX_REASON:
            raise InvalidInput(
                _("Say why the ballot is spoilt, in %(most)d characters or fewer.", most=MAX_REASON),
                field="spoilt_reason",
            )
        return Reading({}, True, reason)
    chosen = {int(pid): int(value) for pid, value in (choices or {}).items() if int(value) != 0}
    if limits(stage).ballot_format in ("approval", "knapsack"):
        chosen = dict.fromkeys(chosen, 1)
    try:
        check_ballot(stage, paper_voter(stage, event, serial), chosen)
    except InvalidBallot as error:
        raise InvalidBallot(
            _("This reading breaks the vote's rules: %(reason)s If that is what the paper says, "
              "tick “Spoilt” and give that as the reason.", reason=error.message),
            field="choices",
            clause=error.clause,
        ) from None
    return Reading({str(pid): value for pid, value in sorted(chosen.items())})


def paper_voter(stage: Stage, event: Event, serial: int) -> Voter:
    """The ballot's credential is its serial: the voter key is an HMAC of it."""
    return Voter(paper_voter_key(stage, serial), "paper", event_id=event.id)


def _require_printed_here(event: Event, stage: Stage, serial: int) -> None:
    """Raises InvalidInput naming the serial when no batch of this event printed it."""
    batch = session().scalar(select(PaperBatch).where(
        PaperBatch.stage_id == stage.id, PaperBatch.first_serial <= serial,
        PaperBatch.first_serial + PaperBatch.size > serial))
    if batch is not None and batch.event_id == event.id:
        return
    shown = format_serial(serial)
    if batch is not None:
        other = session().get(Event, batch.event_id)
        message = _("Ballot %(serial)s was printed for another event, “%(title)s”: key it in there.",
                    serial=shown, title=other.title if other else "")
    else:
        # As printed (with check digits), so the keyer can compare them with the paper in hand.
        ranges = ", ".join(f"{format_serial(b.first_serial)} – {format_serial(b.last_serial)}"
                           for b in paper_batches(event))
        message = (_("No ballot %(serial)s was printed for this event. Its ballots are numbered %(ranges)s.",
                     serial=shown, ranges=ranges) if ranges
                   else _("No ballot %(serial)s was printed for this event: no paper ballots were printed for it.",
                          serial=shown))
    raise InvalidInput(message, field="serial", clause="paper.serial")


def _find(stage: Stage, serial: int, *, lock: bool = False) -> PaperBallot | None:
    query = select(PaperBallot).where(PaperBallot.stage_id == stage.id, PaperBallot.serial == serial)
    if lock:  # PostgreSQL: one keyer of a serial at a time; SQLite has a single writer anyway
        query = query.with_for_update()
    return session().scalar(query.execution_options(populate_existing=True))


def entries_of(paper: PaperBallot) -> list[PaperEntry]:
    query = select(PaperEntry).where(PaperEntry.paper_ballot_id == paper.id).order_by(PaperEntry.round)
    return list(session().scalars(query.execution_options(populate_existing=True)))


def _first_entry_awaiting_second(paper: PaperBallot, actor: User) -> PaperEntry:
    """Raises Conflict unless the ballot waits for a second entry by someone other than its first keyer."""
    entries, shown = entries_of(paper), format_serial(paper.serial)
    if paper.status == PaperStatus.COUNTED:
        message = _("Ballot %(serial)s has been keyed twice and is counted. Go on to the next ballot.", serial=shown)
    elif paper.status == PaperStatus.SPOILT:
        message = _("Ballot %(serial)s has been keyed twice and recorded as spoilt.", serial=shown)
    elif paper.status == PaperStatus.MISMATCH or len(entries) != 1:
        message = _("Ballot %(serial)s has been keyed twice and the two entries differ: "
                    "a facilitator resolves it on the mismatches page.", serial=shown)
    elif entries[0].entered_by_id == actor.id:
        message = _("You made the first entry of ballot %(serial)s. Someone else must key it the second time, "
                    "so that two people read every ballot.", serial=shown)
    else:
        return entries[0]
    raise Conflict(message, field="serial", clause="paper.double_entry")


def _entry(paper: PaperBallot, round_: int, actor: User, reading: Reading) -> PaperEntry:
    return PaperEntry(paper_ballot_id=paper.id, round=round_, entered_by_id=actor.id, choices=reading.choices,
                      spoilt=reading.spoilt, spoilt_reason=reading.spoilt_reason)


def reading_of(entry: PaperEntry) -> Reading:
    return Reading(dict(entry.choices), entry.spoilt, entry.spoilt_reason)


def _settle(stage: Stage, event: Event, paper: PaperBallot, first: Reading, second: Reading) -> Outcome:
    """After the second entry: count the agreed reading, record an agreed spoilt ballot, or wait."""
    outcome: Outcome
    if first.spoilt and second.spoilt:
        reasons = dict.fromkeys((first.spoilt_reason, second.spoilt_reason))  # the same reason once
        paper.status, paper.spoilt_reason, outcome = PaperStatus.SPOILT, " / ".join(reasons)[:MAX_REASON], "spoilt"
    elif not first.spoilt and not second.spoilt and first.choices == second.choices:
        count_reading(stage, event, paper, first)
        outcome = "counted"
    else:
        paper.status, outcome = PaperStatus.MISMATCH, "mismatch"
    session().flush()
    return outcome


def count_reading(stage: Stage, event: Event, paper: PaperBallot, reading: Reading) -> None:
    choices: Choices = {int(pid): int(value) for pid, value in reading.choices.items()}
    cast_ballot(stage, paper_voter(stage, event, paper.serial), choices)
    paper.status = PaperStatus.COUNTED
