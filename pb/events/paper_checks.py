"""Checking paper ballots: mismatches side by side and their resolution, the hand counts, the reconciliation.

The reconciliation sets what the facilitators counted by hand at the event (ballots handed out,
ballots in the box) against what was keyed in: every returned ballot should end up counted or
spoilt, nothing should wait for a second entry or a resolution, and the vote should hold one
paper ballot for each one counted here. Each discrepancy is named in plain words.
See docs/events.md, "Paper ballots".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage
from pb.db import session, utcnow
from pb.errors import Conflict, InvalidInput, NotAuthorised, NotFound
from pb.events.models import Event, PaperBallot, PaperBatch, PaperCount, PaperEntry, PaperStatus
from pb.events.paper import (
    count_reading,
    entries_of,
    format_serial,
    hold_writes,
    paper_batches,
    read_ballot,
    reading_of,
)
from pb.events.services import require_running, stage_of
from pb.mandates.authority import Action
from pb.proposals.models import Proposal
from pb.voting.models import Ballot
from pb.voting.services import ballot_options

MAX_COUNT = 100_000


# --- mismatches ---------------------------------------------------------------------------


def get_paper_ballot(event: Event, serial: int, *, lock: bool = False) -> PaperBallot:
    """Raises NotFound, also for a serial keyed at another event."""
    query = select(PaperBallot).where(PaperBallot.event_id == event.id, PaperBallot.serial == serial)
    if lock:
        query = query.with_for_update()
    paper = session().scalar(query.options(selectinload(PaperBallot.entries)).execution_options(populate_existing=True))
    if paper is None:
        raise NotFound(_("No ballot with that serial number has been keyed in at this event."))
    return paper


def to_check(event: Event, status: PaperStatus) -> list[PaperBallot]:
    """The event's paper ballots in one state (mismatches, or those waiting for a second entry), by serial."""
    query = (select(PaperBallot).where(PaperBallot.event_id == event.id, PaperBallot.status == status)
             .options(selectinload(PaperBallot.entries)).order_by(PaperBallot.serial))
    return list(session().scalars(query))


Resolution = Literal["first", "second", "spoilt"]


ALL_RESOLUTIONS = ("first", "second", "correct", "spoilt")  # "correct": a corrected reading


def allowed_resolutions(entries: list[PaperEntry], actor: User) -> tuple[str, ...]:
    """How `actor` may settle a mismatch. Double entry means no one person decides a ballot: a keyer
    may only accept the other keyer's reading (their own, a correction or spoiling it is for someone
    else), and whoever keyed both entries may not settle it at all."""
    keyed = [entry.entered_by_id for entry in entries]
    if actor.id not in keyed:
        return ALL_RESOLUTIONS
    if keyed.count(actor.id) > 1:
        return ()
    return ("second",) if keyed[0] == actor.id else ("first",)


def _require_unbiased(entries: list[PaperEntry], actor: User, choose: Resolution | Mapping[int, int]) -> None:
    """Raises NotAuthorised (clause `paper.double_entry`) for a way `allowed_resolutions` does not allow."""
    if ("correct" if isinstance(choose, Mapping) else choose) not in allowed_resolutions(entries, actor):
        raise NotAuthorised(
            _("You keyed this ballot, so you may only accept the other entry. Ask another of the event's "
              "facilitators, or a commissioner, to read the paper and settle it."),
            field="choose",
            clause="paper.double_entry",
        )


def resolve_paper_ballot(
    event: Event,
    actor: User,
    serial: int,
    choose: Resolution | Mapping[int, int],
    *,
    spoilt_reason: str = "",
) -> PaperBallot:
    """A facilitator settles a mismatch with the paper in hand: one entry's reading, a corrected
    reading (`choose` the choices), or spoilt (with a reason). The ballot is then counted or spoilt.

    A facilitator who keyed it may only accept the other entry (`_require_unbiased`).
    Raises NotAuthorised, StageNotOpen, NotFound, InvalidInput (no reason for a spoilt ballot;
    an unknown choice), InvalidBallot (a corrected reading outside the limits) or Conflict
    (not a mismatch, or resolved by someone else a moment ago).
    """
    verdict = require_running(event, actor, Action.RESOLVE_PAPER_BALLOT)
    stage = stage_of(event)
    hold_writes(stage)
    paper = get_paper_ballot(event, serial, lock=True)
    if paper.status != PaperStatus.MISMATCH:
        raise Conflict(_("Ballot %(serial)s has no mismatch to resolve.", serial=format_serial(serial)))
    entries = entries_of(paper)
    _require_unbiased(entries, actor, choose)
    if isinstance(choose, Mapping):
        how, reading = "corrected", read_ballot(stage, event, serial, choose)
    elif choose in ("first", "second"):
        how, reading = choose, reading_of(entries[0 if choose == "first" else 1])
    elif choose == "spoilt":
        how, reading = "spoilt", read_ballot(stage, event, serial, None, spoilt=True, spoilt_reason=spoilt_reason)
    else:
        raise InvalidInput(_("Choose which reading is right, or that the ballot is spoilt."), field="choose")
    status = PaperStatus.SPOILT if reading.spoilt else PaperStatus.COUNTED
    claimed = session().execute(
        update(PaperBallot)
        .where(PaperBallot.id == paper.id, PaperBallot.status == PaperStatus.MISMATCH)
        .values(status=status, spoilt_reason=reading.spoilt_reason, resolved_by_id=actor.id, resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise Conflict(_("Someone resolved ballot %(serial)s a moment ago.", serial=format_serial(serial)))
    session().refresh(paper)
    if not reading.spoilt:
        count_reading(stage, event, paper, reading)
    session().flush()
    record("paper.resolve", actor=actor, role=verdict.role, stage=stage, subject=f"event {event.id}",
           detail={"serial": serial, "reading": how, "outcome": str(status)})
    return paper


def withdraw_paper_entry(event: Event, actor: User, serial: int) -> None:
    """Take back a ballot keyed once under a serial that is not in the box (a mistyped serial
    whose check digit happened to fit, a ballot keyed at the wrong event's desk).

    Raises NotAuthorised, StageNotOpen, NotFound or Conflict (keyed twice already).
    """
    verdict = require_running(event, actor, Action.RESOLVE_PAPER_BALLOT)
    stage = stage_of(event)
    hold_writes(stage)
    paper = get_paper_ballot(event, serial, lock=True)
    if paper.status != PaperStatus.PENDING:
        raise Conflict(_("Ballot %(serial)s has been keyed twice: resolve it instead of withdrawing it.",
                         serial=format_serial(serial)))
    db = session()
    db.execute(delete(PaperEntry).where(PaperEntry.paper_ballot_id == paper.id)
               .execution_options(synchronize_session=False))
    gone = db.execute(delete(PaperBallot).where(PaperBallot.id == paper.id, PaperBallot.status == PaperStatus.PENDING)
                      .execution_options(synchronize_session=False)).rowcount
    if not gone:
        raise Conflict(_("Someone keyed ballot %(serial)s again a moment ago.", serial=format_serial(serial)))
    db.expunge(paper)
    record("paper.withdraw", actor=actor, role=verdict.role, stage=stage, subject=f"event {event.id}",
           detail={"serial": serial})


@dataclass(frozen=True)
class Compared:
    """One project of a keyed ballot: what each entry read for it (None: not chosen)."""

    number: int  # its place on the printed ballot
    proposal: Proposal
    first: int | None
    second: int | None

    @property
    def differs(self) -> bool:
        return self.first != self.second


@dataclass(frozen=True)
class Comparison:
    """A keyed ballot's entries side by side, project by project, in the printed ballot's order."""

    paper: PaperBallot
    entries: list[PaperEntry]
    keyers: list[str]  # who keyed each entry
    rows: list[Compared]

    @property
    def spoilt_differs(self) -> bool:
        return len({e.spoilt for e in self.entries}) > 1


def comparison(event: Event, paper: PaperBallot) -> Comparison:
    entries = entries_of(paper)
    readings = [e.choices for e in entries] + [{}, {}]
    keyers = [(session().get(User, e.entered_by_id) if e.entered_by_id else None) for e in entries]
    rows = [
        Compared(n, p, readings[0].get(str(p.id)), readings[1].get(str(p.id)))
        for n, p in enumerate(ballot_options(stage_of(event)), start=1)
    ]
    return Comparison(paper, entries, [k.name if k else _("someone no longer here") for k in keyers], rows)


# --- the hand counts and the reconciliation ------------------------------------------------


def record_paper_count(event: Event, actor: User, *, issued: int, returned: int) -> PaperCount:
    """Record what was counted by hand at the event: ballots handed out, and ballots in the box.

    Raises NotAuthorised, StageNotOpen or InvalidInput (naming the field).
    """
    verdict = require_running(event, actor, Action.KEY_PAPER_BALLOT)
    for name, value in (("issued", issued), ("returned", returned)):
        if not 0 <= value <= MAX_COUNT:
            raise InvalidInput(_("Enter a number from 0 to %(most)d.", most=MAX_COUNT), field=name)
    hold_writes(stage_of(event))
    db = session()
    for _attempt in range(2):
        count = db.get(PaperCount, event.id, populate_existing=True)
        try:
            with db.begin_nested():
                if count is None:
                    count = PaperCount(event_id=event.id)
                    db.add(count)
                count.issued, count.returned = issued, returned
                count.updated_by_id, count.updated_at = actor.id, utcnow()
                db.flush()
        except IntegrityError:  # a colleague saved the first count at the same moment: update theirs
            db.expire_all()
            continue
        break
    else:
        raise Conflict(_("The counts were being saved by someone else. Save them again."))
    record("paper.count", actor=actor, role=verdict.role, stage=stage_of(event), subject=f"event {event.id}",
           detail={"issued": issued, "returned": returned})
    return count


@dataclass(frozen=True)
class Reconciliation:
    """The event's paper ballots from printing to the count, and what does not add up."""

    printed: int
    ranges: tuple[tuple[int, int], ...]
    issued: int | None  # None: the hand counts are not recorded yet
    returned: int | None
    pending: int  # keyed once
    mismatches: int
    spoilt: int
    settled: int  # keyed twice (or resolved) and counted
    counted: int  # the event's paper ballots in the vote's count
    discrepancies: tuple[str, ...]

    @property
    def keyed(self) -> int:
        return self.settled + self.spoilt + self.pending + self.mismatches

    @property
    def not_returned(self) -> int | None:
        return None if self.issued is None or self.returned is None else self.issued - self.returned

    @property
    def balances(self) -> bool:
        return not self.discrepancies


def reconciliation(event: Event) -> Reconciliation:
    """Printed, handed out, returned, keyed (counted, spoilt, waiting, mismatched) and in the count."""
    db = session()
    batches = paper_batches(event)
    by_status = dict(db.execute(
        select(PaperBallot.status, func.count()).where(PaperBallot.event_id == event.id).group_by(PaperBallot.status)
    ).tuples().all())
    counted = db.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.event_id == event.id, Ballot.channel == "paper", Ballot.replaced.is_(False))) or 0
    hand = db.get(PaperCount, event.id)
    figures = {
        "printed": sum(b.size for b in batches),
        "issued": hand.issued if hand else None,
        "returned": hand.returned if hand else None,
        "pending": by_status.get(PaperStatus.PENDING, 0),
        "mismatches": by_status.get(PaperStatus.MISMATCH, 0),
        "spoilt": by_status.get(PaperStatus.SPOILT, 0),
        "settled": by_status.get(PaperStatus.COUNTED, 0),
        "counted": counted,
    }
    return Reconciliation(ranges=tuple((b.first_serial, b.last_serial) for b in batches),
                          discrepancies=tuple(_discrepancies(**figures)), **figures)


def _discrepancies(
    *,
    printed: int,
    issued: int | None,
    returned: int | None,
    pending: int,
    mismatches: int,
    spoilt: int,
    settled: int,
    counted: int,
) -> list[str]:
    found = []
    if issued is None or returned is None:
        found.append(_("The ballots handed out and returned have not been counted by hand and recorded yet."))
    else:
        if issued > printed:
            found.append(_("%(issued)d ballots were handed out, but only %(printed)d were printed.",
                           issued=issued, printed=printed))
        if returned > issued:
            found.append(_("%(returned)d ballots came back, but only %(issued)d were handed out.",
                           returned=returned, issued=issued))
        finished = settled + spoilt
        if returned > finished:
            found.append(ngettext(
                "%(num)d returned ballot is not yet counted or spoilt: "
                "%(returned)d came back, %(settled)d are counted and %(spoilt)d spoilt.",
                "%(num)d returned ballots are not yet counted or spoilt: "
                "%(returned)d came back, %(settled)d are counted and %(spoilt)d spoilt.",
                returned - finished, returned=returned, settled=settled, spoilt=spoilt))
        elif returned < finished:
            found.append(ngettext(
                "%(num)d more ballot is counted or spoilt than came back: check the serial numbers "
                "against the ballots in the box, and the hand count.",
                "%(num)d more ballots are counted or spoilt than came back: check the serial numbers "
                "against the ballots in the box, and the hand count.",
                finished - returned))
    if pending:
        found.append(ngettext("%(num)d ballot has been keyed once: someone else must key it again.",
                              "%(num)d ballots have been keyed once: someone else must key them again.", pending))
    if mismatches:
        found.append(ngettext("%(num)d ballot's two entries differ: a facilitator must resolve it.",
                              "%(num)d ballots' two entries differ: a facilitator must resolve them.", mismatches))
    if counted != settled:
        found.append(_("%(settled)d paper ballots are marked counted here, but the vote holds %(counted)d of them.",
                       settled=settled, counted=counted))
    return found


def events_with_paper(stage: Stage) -> list[Event]:
    """The events of the vote that printed paper ballots, in order: those closing it waits for."""
    printed_at = select(PaperBatch.event_id).where(PaperBatch.stage_id == stage.id)
    return list(session().scalars(select(Event).where(Event.id.in_(printed_at)).order_by(Event.id)))


def require_paper_settled(stage: Stage) -> None:
    """Before the vote closes: every paper ballot keyed twice (or resolved), and every event that
    printed ballots balancing, so that nothing in a ballot box is left out of the count.

    Takes the vote's paper lock first, so no entry can slip in between this check and the close.
    Raises Conflict (clause `paper.pending` or `paper.reconciliation`).
    """
    hold_writes(stage)
    waiting = session().scalar(
        select(func.count())
        .select_from(PaperBallot)
        .where(PaperBallot.stage_id == stage.id, PaperBallot.status.in_((PaperStatus.PENDING, PaperStatus.MISMATCH)))
    )
    if waiting:
        raise Conflict(
            ngettext(
                "%(num)d paper ballot is still being keyed in: it needs a second entry or a facilitator to resolve "
                "it. Finish it at its event before closing the vote: its reconciliation report says what is left.",
                "%(num)d paper ballots are still being keyed in: they need a second entry or a facilitator to "
                "resolve them. Finish them at their events before closing the vote: their reconciliation reports say "
                "what is left.",
                waiting,
            ),
            clause="paper.pending",
        )
    for event in events_with_paper(stage):
        report = reconciliation(event)
        if not report.balances:
            raise Conflict(
                _("The paper ballots of “%(title)s” do not balance yet: %(problem)s Key them in, or correct the "
                  "hand counts, before closing the vote.", title=event.title, problem=report.discrepancies[0]),
                clause="paper.reconciliation",
            )
