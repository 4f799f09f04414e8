"""Casting, revising and checking ballots, with the ballot kept apart from the voter."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage
from pb.db import session
from pb.errors import Conflict, InvalidBallot
from pb.mandates.authority import Action, require
from pb.proposals.models import Proposal, ProposalStatus
from pb.voting.models import Ballot, BallotChoice, Participation

# No 0/O, 1/I/L: a receipt read aloud or copied from a phone must not be mistyped.
RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 10
_RETRIES = 3


def voter_key(stage: Stage, user: User) -> str:
    """The pseudonym a person's ballot is stored under in one vote.

    An HMAC under BALLOT_KEY_SECRET: without that secret the database alone cannot link a
    ballot to a person, and keys of different votes cannot be linked to each other.
    """
    secret = current_app.config["BALLOT_KEY_SECRET"].encode()
    return hmac.new(secret, f"ballot:{stage.id}:{user.id}".encode(), hashlib.sha256).hexdigest()


def new_receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def normalise_receipt(text: str) -> str:
    code = "".join(ch for ch in text.upper() if ch.isalnum())
    return f"{code[:5]}-{code[5:]}" if len(code) == RECEIPT_LENGTH else text.strip().upper()


def ballot_options(stage: Stage) -> list[Proposal]:
    """The proposals on the ballot: those the review found eligible."""
    query = (
        select(Proposal)
        .where(Proposal.cycle_id == stage.cycle_id, Proposal.status == ProposalStatus.ELIGIBLE)
        .order_by(Proposal.title, Proposal.id)
    )
    return list(session().scalars(query))


def cast_ballot(stage: Stage, voter: User, choices: Collection[int], channel: str = "online") -> str:
    """Cast or replace the voter's ballot; return its receipt code. The last ballot counts.

    Raises StageNotOpen, NotAuthorised, InvalidBallot (over the limits, or naming a project
    that is not on the ballot) or Conflict (the same voter's ballots collided repeatedly).
    """
    chosen = set(choices)
    if len(chosen) != len(list(choices)):
        raise InvalidBallot("Choose each project only once.", field="choices")
    require(voter, Action.CAST_BALLOT, stage, choices=chosen)
    on_ballot = {p.id for p in ballot_options(stage)}
    if not chosen <= on_ballot:
        raise InvalidBallot(
            "One of your choices is not on this ballot. Choose again from the list.",
            field="choices",
            clause="review.eligible",
        )

    key = voter_key(stage, voter)
    db = session()
    for _attempt in range(_RETRIES):
        try:
            with db.begin_nested():
                revised = db.execute(
                    update(Ballot)
                    .where(Ballot.stage_id == stage.id, Ballot.voter_key == key, Ballot.replaced.is_(False))
                    .values(replaced=True)
                ).rowcount
                ballot = Ballot(
                    id=secrets.token_hex(16), stage_id=stage.id, voter_key=key, receipt=new_receipt(), channel=channel
                )
                ballot.choices = [BallotChoice(proposal_id=pid) for pid in sorted(chosen)]
                db.add(ballot)
                db.flush()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict(
            "Your ballot could not be saved because another one was being saved at the same time. Try again."
        )
    _record_participation(stage, voter, channel)
    # The audit log says a ballot was cast or revised in this stage: never by whom, never what.
    record("ballot.revise" if revised else "ballot.cast", actor=None, stage=stage, detail={"channel": channel})
    return ballot.receipt


def _record_participation(stage: Stage, voter: User, channel: str) -> None:
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


def current_choices(stage: Stage, voter: User) -> set[int]:
    """The project ids on the voter's active ballot (empty if they have not voted)."""
    query = (
        select(BallotChoice.proposal_id)
        .join(Ballot)
        .where(Ballot.stage_id == stage.id, Ballot.voter_key == voter_key(stage, voter), Ballot.replaced.is_(False))
    )
    return set(session().scalars(query))


def has_voted(stage: Stage, voter: User) -> bool:
    return bool(
        session().scalar(select(exists().where(Participation.stage_id == stage.id, Participation.user_id == voter.id)))
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


def active_ballots(stage: Stage) -> list[list[int]]:
    """Every active ballot's chosen project ids (ordered by random ballot id, so by nobody)."""
    query = (
        select(BallotChoice.ballot_id, BallotChoice.proposal_id)
        .join(Ballot)
        .where(Ballot.stage_id == stage.id, Ballot.replaced.is_(False))
        .order_by(BallotChoice.ballot_id, BallotChoice.proposal_id)
    )
    by_ballot: dict[str, list[int]] = defaultdict(list)
    for ballot_id, proposal_id in session().execute(query):
        by_ballot[ballot_id].append(proposal_id)
    empty = session().scalars(
        select(Ballot.id).where(Ballot.stage_id == stage.id, Ballot.replaced.is_(False), ~Ballot.choices.any())
    )
    return list(by_ballot.values()) + [[] for _ in empty]


def turnout(stage: Stage) -> int:
    """How many people have voted in the stage (revisions count once)."""
    query = select(func.count()).select_from(Participation).where(Participation.stage_id == stage.id)
    return session().scalar(query) or 0
