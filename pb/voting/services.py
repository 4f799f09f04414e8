"""Casting, revising and checking ballots, with the ballot kept apart from the voter.

A voter is an account or a voting code. Either way the ballot is stored under a voter key,
an HMAC under BALLOT_KEY_SECRET: of the stage and the account id, or of the stage and the
code. One active ballot per voter key is a partial unique index; casting takes a lock on the
voter key first, so concurrent submissions of one voter are applied one after another.
Voting codes are in pb/voting/codes.py; what the ballots add up to, in pb/voting/counts.py.
See docs/voting.md and docs/secrecy.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, false, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage
from pb.db import session
from pb.errors import Conflict, InvalidBallot, OutsideMandate, PBError
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import VoteBoundaries
from pb.proposals.models import Proposal, ProposalStatus
from pb.voting.models import Ballot, BallotChoice, CodeLink, CodeStatus, Participation, VotingCode

# No 0/O, 1/I/L: a code read aloud or copied from paper must not be mistyped.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 10
RETRIES = 3  # tries at a write that can collide with a concurrent one (a unique key drawn at random)
_LOCK_NAMESPACE = 0x5042  # the first key of PostgreSQL's two-key advisory locks, for ballots

Choices = dict[int, int]
"""A ballot's content: project id → 1 (approval), its rank (ranked) or its points (cumulative)."""


def keyed_hash(message: str) -> str:
    """An HMAC under BALLOT_KEY_SECRET: the one way a voter key or a stored code is made."""
    secret = current_app.config["BALLOT_KEY_SECRET"].encode()
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def voter_key(stage: Stage, user: User) -> str:
    """The pseudonym a person's ballot is stored under in one vote.

    An HMAC under BALLOT_KEY_SECRET: without that secret the database alone cannot link a
    ballot to a person, and keys of different votes cannot be linked to each other.
    """
    return keyed_hash(f"ballot:{stage.id}:{user.id}")


def paper_voter_key(stage: Stage, serial: int) -> str:
    """The pseudonym of a paper ballot: its serial number, which nobody records against a person."""
    return keyed_hash(f"ballot:{stage.id}:paper:{serial}")


@dataclass(frozen=True)
class Voter:
    """Who is casting, as far as the ballot is concerned: a voter key and a channel.

    `user` is set for an account voter (for eligibility and turnout), `code_id` for a code
    voter (to mark the code used). `verified_by_code`: the account proved it may vote with a code.
    `event_id` tags a ballot cast at an in-person event (a kiosk, a paper ballot keyed in).
    """

    key: str
    channel: str  # "online" (an account); "code", "kiosk" or "paper" (a one-time credential)
    user: User | None = None
    code_id: int | None = None
    verified_by_code: bool = False
    event_id: int | None = None

    @property
    def by_credential(self) -> bool:
        """A voting code or a paper ballot's serial, not an account, makes this voter."""
        return self.user is None


def account_voter(stage: Stage, user: User) -> Voter:
    linked = session().scalar(select(exists().where(CodeLink.stage_id == stage.id, CodeLink.user_id == user.id)))
    return Voter(voter_key(stage, user), "online", user=user, verified_by_code=bool(linked))


# --- receipts -----------------------------------------------------------------------


def random_code(length: int) -> str:
    """Random characters from RECEIPT_ALPHABET, for receipts and voting codes."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(length))


def new_receipt() -> str:
    code = random_code(RECEIPT_LENGTH)
    return f"{code[:5]}-{code[5:]}"


def normalise_receipt(text: str) -> str:
    code = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{code[:5]}-{code[5:]}" if len(code) == RECEIPT_LENGTH else text.strip().upper()


# --- the ballot ---------------------------------------------------------------------------


def vote_boundaries(stage: Stage) -> VoteBoundaries:
    """The agreed mandate's rules for the vote. Raises OutsideMandate if none is agreed."""
    mandate = stage.agreed_mandate
    if mandate is None or not isinstance(mandate.boundaries, VoteBoundaries):
        raise OutsideMandate(_("This vote's mandate has not been agreed."), clause="mandate.agreed")
    return mandate.boundaries


def ballot_options(stage: Stage) -> list[Proposal]:
    """The proposals on the ballot: those the review found eligible."""
    return list(session().scalars(select(Proposal).where(*_on_ballot(stage)).order_by(Proposal.title, Proposal.id)))


class BallotLine(NamedTuple):
    """What the meter and the checks need of a project on the ballot: far cheaper to load than a Proposal."""

    id: int
    title: str
    cost: int


def ballot_lines(stage: Stage) -> list[BallotLine]:
    """The ballot's projects, in ballot_options' order, as (id, title, cost)."""
    query = select(Proposal.id, Proposal.title, Proposal.cost).where(*_on_ballot(stage))
    return [BallotLine(*row) for row in session().execute(query.order_by(Proposal.title, Proposal.id))]


def _on_ballot(stage: Stage) -> tuple[Any, ...]:
    return Proposal.cycle_id == stage.cycle_id, Proposal.status == ProposalStatus.ELIGIBLE


def choices_from_form(ballot_format: str, form: Mapping[str, Any]) -> Choices:
    """Read a ballot from form data: `choices` ticked; `rank-<id>` numbers; `points-<id>` numbers.

    Anything that is not a whole number is refused, never ignored. Raises InvalidBallot.
    """
    getlist = getattr(form, "getlist", lambda key: [form[key]] if key in form else [])
    if ballot_format in ("approval", "knapsack"):
        values = getlist("choices")
        if not all(str(v).isdigit() for v in values):
            raise InvalidBallot(
                _("One of your choices is not on this ballot. Choose again from the list."), field="choices"
            )
        ids = [int(v) for v in values]
        if len(set(ids)) != len(ids):
            raise InvalidBallot(_("Choose each project only once."), field="choices")
        return dict.fromkeys(ids, 1)
    prefix = "rank-" if ballot_format == "ranked" else "points-"
    chosen: Choices = {}
    for name in form:
        if not name.startswith(prefix):
            continue
        pid, value = name[len(prefix) :], str(getlist(name)[-1]).strip()
        if value in ("", "0"):
            continue
        if not (pid.isdigit() and value.isdigit() and len(value) <= 6):
            raise InvalidBallot(
                _("Enter whole numbers only, like 1, 2 or 3.")
                if pid.isdigit()
                else _("One of your choices is not on this ballot."),
                field="choices",
            )
        chosen[int(pid)] = int(value)
    return chosen


def _as_choices(choices: Collection[int] | Mapping[int, int]) -> Choices:
    if isinstance(choices, Mapping):
        return {int(k): int(v) for k, v in choices.items()}
    ids = list(choices)
    if len(set(ids)) != len(ids):
        raise InvalidBallot(_("Choose each project only once."), field="choices")
    return dict.fromkeys(ids, 1)


def check_ballot(stage: Stage, voter: Voter | User, choices: Collection[int] | Mapping[int, int]) -> Choices:
    """Check a ballot against the vote's mandate without casting it; return its choices.

    Raises StageNotOpen, NotAuthorised, OutsideMandate (not eligible) or InvalidBallot.
    """
    if isinstance(voter, User):
        voter = account_voter(stage, voter)
    chosen = _as_choices(choices)
    costs = {line.id: line.cost for line in ballot_lines(stage)}
    if voter.by_credential:
        require(None, Action.CAST_CODE_BALLOT, stage, choices=chosen, cost=_total(chosen, costs))
    else:
        require(
            voter.user,
            Action.CAST_BALLOT,
            stage,
            choices=chosen,
            cost=_total(chosen, costs),
            verified_by_code=voter.verified_by_code,
        )
    if not set(chosen) <= set(costs):
        raise InvalidBallot(
            _("One of your choices is not on this ballot. Choose again from the list."),
            field="choices",
            clause="review.eligible",
        )
    return chosen


def eligibility_problem(stage: Stage, voter: Voter) -> PBError | None:
    """Why this voter may not vote in the stage (not eligible, stage closed …), or None."""
    try:
        if voter.by_credential:
            require(None, Action.CAST_CODE_BALLOT, stage)
        else:
            require(voter.user, Action.CAST_BALLOT, stage, verified_by_code=voter.verified_by_code)
    except PBError as problem:
        return problem
    return None


def _total(chosen: Choices, costs: dict[int, int]) -> int:
    return sum(costs.get(pid, 0) for pid in chosen)


def cast_ballot(
    stage: Stage,
    voter: Voter | User,
    choices: Collection[int] | Mapping[int, int],
    *,
    submission: str | None = None,
) -> str:
    """Cast or replace the voter's ballot; return its receipt code. The last ballot counts.

    `submission` is the token of the page the voter confirmed: sent twice (a double tap, a
    retry), it casts once and returns the same receipt.
    Raises StageNotOpen, NotAuthorised, OutsideMandate (not eligible, or a code withdrawn),
    InvalidBallot (outside the ballot's limits, or naming a project not on the ballot) or
    Conflict (the same voter's ballots collided repeatedly).
    """
    if isinstance(voter, User):
        voter = account_voter(stage, voter)
    chosen = check_ballot(stage, voter, choices)
    db = session()
    lock_voter(db, stage, voter.key)
    if submission:
        earlier = db.scalar(
            select(Ballot.receipt).where(
                Ballot.stage_id == stage.id, Ballot.voter_key == voter.key, Ballot.submission == submission
            )
        )
        if earlier:
            return earlier
    code = db.get(VotingCode, voter.code_id, populate_existing=True) if voter.code_id else None
    if code is not None and code.status not in (CodeStatus.UNUSED, CodeStatus.USED):
        raise OutsideMandate(_("This voting code can no longer be used."), clause="vote.codes")
    ranked = vote_boundaries(stage).ballot_format == "ranked"
    for _attempt in range(RETRIES):
        try:
            with db.begin_nested():
                revised = db.execute(
                    update(Ballot)
                    .where(Ballot.stage_id == stage.id, Ballot.voter_key == voter.key, Ballot.replaced.is_(False))
                    .values(replaced=True)
                ).rowcount
                ballot = Ballot(
                    id=secrets.token_hex(16),
                    stage_id=stage.id,
                    voter_key=voter.key,
                    receipt=new_receipt(),
                    channel=voter.channel,
                    event_id=voter.event_id,
                    submission=submission,
                )
                ballot.choices = [_choice(pid, value, ranked) for pid, value in sorted(chosen.items())]
                db.add(ballot)
                db.flush()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(
            _("Your ballot could not be saved because another one was being saved at the same time. Try again.")
        )
    if code is not None:
        code.status = CodeStatus.USED
    if voter.user is not None:
        record_participation(stage, voter.user, voter.channel)
    db.flush()
    # The audit log says a ballot was cast or revised in this stage: never by whom, never what.
    record("ballot.revise" if revised else "ballot.cast", actor=None, stage=stage, detail={"channel": voter.channel})
    return ballot.receipt


def _choice(pid: int, value: int, ranked: bool) -> BallotChoice:
    return BallotChoice(proposal_id=pid, rank=value) if ranked else BallotChoice(proposal_id=pid, points=value)


def lock_voter(db: Session, stage: Stage, key: str) -> None:
    """Serialise everything one voter does in a vote, until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock on the voter key (READ COMMITTED alone
    would let two submissions both see "no ballot yet"). SQLite: a write that matches nothing
    takes the database's single write lock now, so the check that follows cannot go stale.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": _LOCK_NAMESPACE, "key": int(key[:8], 16) - 2**31},
        )
    else:
        db.execute(update(Ballot).where(Ballot.stage_id == stage.id, false()).values(replaced=Ballot.replaced))


def record_participation(stage: Stage, voter: User, channel: str) -> None:
    """Note that this person has voted in the stage (for turnout), once, apart from their ballot."""
    db = session()
    already = db.scalar(select(exists().where(Participation.stage_id == stage.id, Participation.user_id == voter.id)))
    if already:
        return
    try:
        with db.begin_nested():
            db.add(Participation(stage_id=stage.id, user_id=voter.id, channel=channel))
            db.flush()
    except IntegrityError:
        pass  # a concurrent request of the same voter recorded it first


def current_choices(stage: Stage, voter: Voter | User) -> Choices:
    """The voter's active ballot: project id → 1, rank or points (empty if they have not voted)."""
    key = voter.key if isinstance(voter, Voter) else voter_key(stage, voter)
    query = (
        select(BallotChoice.proposal_id, BallotChoice.rank, BallotChoice.points)
        .join(Ballot)
        .where(Ballot.stage_id == stage.id, Ballot.voter_key == key, Ballot.replaced.is_(False))
    )
    return {pid: rank if rank is not None else points for pid, rank, points in session().execute(query)}


def has_voted(stage: Stage, voter: Voter | User) -> bool:
    """Whether this voter has an active ballot in the stage."""
    key = voter.key if isinstance(voter, Voter) else voter_key(stage, voter)
    return bool(
        session().scalar(
            select(exists().where(Ballot.stage_id == stage.id, Ballot.voter_key == key, Ballot.replaced.is_(False)))
        )
    )


@dataclass(frozen=True)
class ReceiptCheck:
    found: bool
    counted: bool  # False when a later ballot from the same voter replaced it


def check_receipt(stage: Stage, receipt: str) -> ReceiptCheck:
    """Tell whether a ballot with this receipt is in the count, without revealing its choices."""
    ballot = session().scalar(
        select(Ballot).where(Ballot.stage_id == stage.id, Ballot.receipt == normalise_receipt(receipt))
    )
    if ballot is None:
        return ReceiptCheck(found=False, counted=False)
    return ReceiptCheck(found=True, counted=not ballot.replaced)
