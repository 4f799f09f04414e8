"""Voting codes: printed in batches or handed out one at a check-in desk, then entered to vote.

Only a code's HMAC is stored (`code_hash`); the ballot it casts is stored under another HMAC of
it (`code_voter_key`), so neither leads to the other. A signed-in person who enters a code links
it to their account (`redeem_code`): one person, one ballot, whichever way they vote.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage
from pb.db import session
from pb.errors import Conflict, InvalidInput
from pb.events.models import Event, EventCodeBatch
from pb.mandates.authority import Action, require
from pb.voting.models import Ballot, CodeBatch, CodeLink, CodeStatus, VotingCode
from pb.voting.services import (
    RETRIES,
    Voter,
    keyed_hash,
    lock_voter,
    random_code,
    record_participation,
    vote_boundaries,
    voter_key,
)

CODE_LENGTH = 12  # 31**12 ≈ 2**59: guessing is hopeless, and entry is rate-limited too
MAX_BATCH = 2000


def code_voter_key(stage: Stage, code: str) -> str:
    """The pseudonym of a code voter: an HMAC of the plain code, which the database never holds."""
    return keyed_hash(f"ballot:{stage.id}:code:{normalise_code(code)}")


def code_hash(code: str) -> str:
    """How a voting code is stored: an HMAC of it, unrelated to the voter key it gives."""
    return keyed_hash(f"code:{normalise_code(code)}")


def normalise_code(text: str) -> str:
    """A code as typed ("abcd efgh-jkmn") in its stored form ("ABCDEFGHJKMN")."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """ABCD-EFGH-JKMN: groups of four, easier to copy."""
    code = normalise_code(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def batch_name(batch: CodeBatch) -> str:
    """The name the batch was given, or one in the reader's language ("10 codes") where none was."""
    return batch.label or ngettext("%(num)d code", "%(num)d codes", batch.size)


def issue_codes(stage: Stage, actor: User, size: int, label: str) -> tuple[CodeBatch, list[str]]:
    """Generate a batch of single-use voting codes; return the batch and the plain codes.

    The plain codes are returned once, to be printed: only their HMACs are stored.
    Raises NotAuthorised, StageNotOpen (closed), OutsideMandate (the mandate uses no codes)
    or InvalidInput (a batch size out of range).
    """
    verdict = require(actor, Action.ISSUE_VOTING_CODES, stage)
    if not 1 <= size <= MAX_BATCH:
        raise InvalidInput(_("Enter a number of codes from 1 to %(most)d.", most=MAX_BATCH), field="size")
    batch = CodeBatch(
        stage_id=stage.id, label=label.strip()[:120], size=size, created_by_id=actor.id  # none: see batch_name
    )
    codes: set[str] = set()
    while len(codes) < size:
        codes.add(random_code(CODE_LENGTH))
    batch.codes = [VotingCode(stage_id=stage.id, code_hash=code_hash(code)) for code in sorted(codes)]
    session().add(batch)
    session().flush()
    record(
        "codes.issue",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"batch {batch.id}",
        detail={"size": size, "label": batch.label},
    )
    return batch, [format_code(code) for code in sorted(codes, key=lambda _c: secrets.randbits(32))]


# A desk's codes take random row ids from the top half of the id range, far above the ones numbered in
# order: a code's row then says nothing about when it was handed over, so nor about to whom.
_DESK_CODE_IDS = (2**30, 2**31 - 1)


def issue_desk_code(stage: Stage, actor: User, label: str, batch: CodeBatch | None = None) -> tuple[CodeBatch, str]:
    """One single-use code for a check-in desk, added to the desk's `batch` (or a new batch of one
    named `label`); return the batch and the code, formatted, to show once.

    Only the code's HMAC is stored, under a random row id, so the batch's rows keep no order of
    handing out. Raises NotAuthorised, StageNotOpen, OutsideMandate (the mandate uses no codes)
    or Conflict (no free id after several tries, which does not happen in practice).
    """
    verdict = require(actor, Action.ISSUE_VOTING_CODES, stage)
    db = session()
    if batch is None:
        batch = CodeBatch(stage_id=stage.id, label=label.strip()[:120] or "Desk", size=1, created_by_id=actor.id)
        db.add(batch)
        db.flush()
    else:
        db.execute(update(CodeBatch).where(CodeBatch.id == batch.id).values(size=CodeBatch.size + 1))
    for _attempt in range(RETRIES):
        code = random_code(CODE_LENGTH)
        row = VotingCode(
            id=secrets.randbelow(_DESK_CODE_IDS[1] - _DESK_CODE_IDS[0]) + _DESK_CODE_IDS[0],
            stage_id=stage.id,
            batch_id=batch.id,
            code_hash=code_hash(code),
        )
        try:
            with db.begin_nested():
                db.add(row)
                db.flush()
            break
        except IntegrityError:  # that id (or, astronomically rarely, that code) is taken: draw again
            continue
    else:
        raise Conflict(_("The code could not be made. Try again."))
    db.refresh(batch)
    record("codes.issue", actor=actor, role=verdict.role, stage=stage, subject=f"batch {batch.id}",
           detail={"size": 1, "label": batch.label})
    return batch, format_code(code)


def void_batch(batch: CodeBatch, actor: User) -> int:
    """Withdraw a batch's unused codes (a lost or misprinted batch); return how many.

    Raises NotAuthorised or StageNotOpen.
    """
    stage = session().get(Stage, batch.stage_id)
    assert stage is not None
    verdict = require(actor, Action.ISSUE_VOTING_CODES, stage)
    voided = (
        session()
        .execute(
            update(VotingCode)
            .where(VotingCode.batch_id == batch.id, VotingCode.status == CodeStatus.UNUSED)
            .values(status=CodeStatus.VOID)
        )
        .rowcount
    )
    record(
        "codes.void",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"batch {batch.id}",
        detail={"voided": voided},
    )
    return voided


@dataclass(frozen=True)
class BatchSummary:
    batch: CodeBatch
    counts: dict[str, int] = field(default_factory=dict)
    event: str | None = None  # the event whose check-in desk gives this batch's codes, one a person


def code_batches(stage: Stage) -> list[BatchSummary]:
    """Each batch with how many of its codes are unused, used, linked to an account or void."""
    db = session()
    batches = list(db.scalars(select(CodeBatch).where(CodeBatch.stage_id == stage.id).order_by(CodeBatch.id)))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    query = (
        select(VotingCode.batch_id, VotingCode.status, func.count())
        .where(VotingCode.stage_id == stage.id)
        .group_by(VotingCode.batch_id, VotingCode.status)
    )
    for batch_id, status, n in db.execute(query):
        counts[batch_id][str(status)] = n
    desk_query = (
        select(EventCodeBatch.batch_id, Event.title)
        .join(Event, Event.id == EventCodeBatch.event_id)
        .where(Event.stage_id == stage.id)
    )
    desks = {batch_id: title for batch_id, title in db.execute(desk_query)}
    return [BatchSummary(b, counts[b.id], desks.get(b.id)) for b in batches]


def redeem_code(stage: Stage, text: str, user: User | None = None) -> Voter:
    """Check a voting code and return the voter it makes.

    Anonymous, or where the vote takes codes only, the code itself is the voter. A signed-in
    person in a vote open to both accounts and codes *links* the code to their account: the
    account votes from then on, a ballot already cast with the code moves to the account (or
    is replaced, if the account has voted too), and the code can never be used again — so
    nobody gets two ballots by using both channels with one code.
    Raises StageNotOpen, OutsideMandate (no codes in this vote) or InvalidInput (wrong, void
    or already linked code).
    """
    require(None, Action.CAST_CODE_BALLOT, stage)
    db = session()
    code = db.scalar(select(VotingCode).where(VotingCode.code_hash == code_hash(text), VotingCode.stage_id == stage.id))
    if code is None or code.status == CodeStatus.VOID or len(normalise_code(text)) != CODE_LENGTH:
        raise InvalidInput(_("That code is not right. Check it and try again."), field="code", clause="vote.codes")
    if code.status == CodeStatus.LINKED:
        raise InvalidInput(
            _("That code has already been linked to an account. Sign in to that account to vote."),
            field="code",
            clause="vote.codes",
        )
    boundaries = vote_boundaries(stage)
    key = code_voter_key(stage, text)
    if user is None or not boundaries.accepts_accounts:
        return Voter(key, "code", code_id=code.id)
    return _link_code(stage, code, key, user)


def _link_code(stage: Stage, code: VotingCode, code_key: str, user: User) -> Voter:
    db = session()
    account = voter_key(stage, user)
    for key in sorted((code_key, account)):  # always in the same order: no deadlock between the two
        lock_voter(db, stage, key)
    db.refresh(code)
    if code.status == CodeStatus.LINKED:
        raise InvalidInput(_("That code has already been linked to an account."), field="code", clause="vote.codes")
    if db.scalar(select(exists().where(CodeLink.stage_id == stage.id, CodeLink.user_id == user.id))):
        raise InvalidInput(
            _("Your account is already linked to a voting code in this vote. You can vote with your account."),
            field="code",
            clause="vote.codes",
        )
    active = Ballot.stage_id == stage.id, Ballot.replaced.is_(False)
    account_has_ballot = db.scalar(select(exists().where(*active, Ballot.voter_key == account)))
    if account_has_ballot:
        moved = 0
        db.execute(update(Ballot).where(*active, Ballot.voter_key == code_key).values(replaced=True))
    else:
        moved = db.execute(
            update(Ballot).where(*active, Ballot.voter_key == code_key).values(voter_key=account)
        ).rowcount
        if moved:
            record_participation(stage, user, "code")
    code.status = CodeStatus.LINKED
    db.add(CodeLink(stage_id=stage.id, user_id=user.id))
    db.flush()
    record("code.link", actor=None, stage=stage, detail={"ballot_moved": bool(moved)})
    return Voter(account, "online", user=user, verified_by_code=True)
