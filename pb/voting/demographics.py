"""The optional questions voters may answer about themselves after voting, kept only as totals.

Which questions a vote asks is a clause of its mandate (`vote.demographics`). A voter who
has just voted on their own device is asked them once, on the receipt page; what they answer
adds one to a count per (vote, question, answer) in `demographic_counts` and is never stored
as a row of its own, beside their ballot, their name or a time. All that is kept of the voter
is *that* they answered, so that reloading, sending twice or revising the ballot cannot count
them again: on an account voter's participation, and for a voting code's holder in their own
session (the database has nothing that could say which code answered). Kiosk and paper
voters are not asked. See docs/secrecy.md, "Questions about voters".
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pb.accounts.models import User
from pb.cycles.models import Stage
from pb.db import session
from pb.errors import InvalidInput, NotAuthorised
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import VoteBoundaries
from pb.mandates.boundaries.demographics import QUESTIONS, Question
from pb.voting.models import Ballot, DemographicCount, Participation
from pb.voting.services import normalise_receipt, voter_key

SKIPPED = "skipped"  # a question left unanswered by someone who answered another
ASKED_CHANNELS = ("online", "code")  # a voter's own device; never a kiosk's shared screen, never paper

Outcome = Literal["counted", "already counted", "nothing to count"]


def questions_asked(stage: Stage, *, agreed_only: bool = True) -> list[Question]:
    """The questions the vote's agreed mandate asks (or, with `agreed_only=False`, its newest draft's)."""
    mandate = stage.agreed_mandate if agreed_only else (stage.agreed_mandate or stage.mandate)
    boundaries = mandate.boundaries if mandate is not None else None
    if not isinstance(boundaries, VoteBoundaries):
        return []
    return [QUESTIONS[key] for key in boundaries.demographics if key in QUESTIONS]


@dataclass(frozen=True)
class Respondent:
    """A voter who may answer, as far as counting them once needs: an account, or a tag for their session.

    `tag` is an HMAC of the voter key of the ballot they cast, under its own purpose, so the
    same code voter revising their ballot on the same device has the same tag, and a second
    person voting with another code on that device has another.
    """

    tag: str
    user: User | None = None


def respondent_for(stage: Stage, receipt: str, user: User | None) -> Respondent | None:
    """Who cast the ballot whose receipt this device holds, if they are to be asked; else None.

    None for a kiosk or paper ballot, a receipt of no ballot in this vote, or an account's
    ballot when that account is not the one signed in.
    """
    ballot = session().scalar(
        select(Ballot).where(Ballot.stage_id == stage.id, Ballot.receipt == normalise_receipt(receipt))
    )
    if ballot is None or ballot.channel not in ASKED_CHANNELS:
        return None
    tag = _tag(ballot.voter_key)
    if user is not None and getattr(user, "is_authenticated", False) and voter_key(stage, user) == ballot.voter_key:
        return Respondent(tag, user)  # an account's ballot (or a code's, linked to the account since)
    if ballot.channel == "online":
        return None
    return Respondent(tag)


def _tag(key: str) -> str:
    secret = current_app.config["BALLOT_KEY_SECRET"].encode()
    return hmac.new(secret, f"questions:{key}".encode(), hashlib.sha256).hexdigest()[:20]


def has_answered(stage: Stage, respondent: Respondent, answered_tags: Collection[str]) -> bool:
    """Whether this voter's answers are already counted: their participation, or their session, says so."""
    if respondent.tag in answered_tags:
        return True
    if respondent.user is None:
        return False
    return bool(
        session().scalar(
            select(Participation.answered_questions).where(
                Participation.stage_id == stage.id, Participation.user_id == respondent.user.id
            )
        )
    )


def record_answers(
    stage: Stage, respondent: Respondent, answers: Mapping[str, str], answered_tags: Collection[str] = ()
) -> Outcome:
    """Add one voter's answers to the vote's totals, once; say whether anything was counted.

    `answers` maps a question's key to an answer's key ("" or missing: not answered).
    `answered_tags` are the tags the voter's session says have answered (a code voter's only record).
    Nothing is counted when every question is skipped, nor a second time.
    Raises StageNotOpen, OutsideMandate (the mandate asks nothing), InvalidInput (an answer the
    question does not offer, naming the question) or NotAuthorised (an account that has not voted).
    """
    require(None, Action.ANSWER_QUESTIONS, stage)
    asked = questions_asked(stage)
    chosen: dict[str, str] = {}
    for question in asked:
        answer = (answers.get(question.key) or "").strip()
        if answer and answer not in question.answers:
            raise InvalidInput(_("Choose one of the answers, or leave it."), field=question.key)
        chosen[question.key] = answer or SKIPPED
    if all(answer == SKIPPED for answer in chosen.values()):
        return "nothing to count"
    if respondent.tag in answered_tags or not _mark_answered(stage, respondent):
        return "already counted"
    db = session()
    _make_cells(stage, asked)
    for question, answer in chosen.items():
        db.execute(
            update(DemographicCount)
            .where(
                DemographicCount.stage_id == stage.id,
                DemographicCount.question == question,
                DemographicCount.answer == answer,
            )
            .values(count=DemographicCount.count + 1)
        )
    db.flush()
    # Not in the audit log: an entry would put a time beside the totals, and answering uses no authority.
    return "counted"


def _mark_answered(stage: Stage, respondent: Respondent) -> bool:
    """Record on an account's participation that it answered; False if it already had.

    One UPDATE that changes the row only while it says "not answered": of two requests at once,
    the second finds it changed (PostgreSQL re-reads the row it waited for; SQLite has one writer).
    """
    if respondent.user is None:
        return True  # a code voter: their session keeps it (see the module's docstring)
    db = session()
    changed = db.execute(
        update(Participation)
        .where(
            Participation.stage_id == stage.id,
            Participation.user_id == respondent.user.id,
            Participation.answered_questions.is_(False),
        )
        .values(answered_questions=True)
    ).rowcount
    if changed:
        return True
    voted = db.scalar(
        select(Participation.id).where(Participation.stage_id == stage.id, Participation.user_id == respondent.user.id)
    )
    if voted is None:
        raise NotAuthorised(_("Only people who have voted can answer these questions."), clause="vote.demographics")
    return False


def _make_cells(stage: Stage, asked: list[Question]) -> None:
    """Create every (question, answer) count of the vote at zero, all at once, the first time.

    So the rows' existence and physical order say nothing about which answer came first.
    """
    db = session()
    existing = set(
        db.execute(
            select(DemographicCount.question, DemographicCount.answer).where(DemographicCount.stage_id == stage.id)
        ).tuples()
    )
    missing = [
        (question.key, answer)
        for question in asked
        for answer in [*question.answers, SKIPPED]
        if (question.key, answer) not in existing
    ]
    if not missing:
        return
    try:
        with db.begin_nested():
            db.add_all(DemographicCount(stage_id=stage.id, question=q, answer=a, count=0) for q, a in missing)
            db.flush()
    except IntegrityError:
        pass  # another voter's answers made them at the same moment


def answer_counts(stage: Stage) -> dict[str, dict[str, int]]:
    """The vote's totals: question → answer (including `SKIPPED`) → how many. Exact: suppress before showing."""
    counts: dict[str, dict[str, int]] = {}
    query = select(DemographicCount.question, DemographicCount.answer, DemographicCount.count).where(
        DemographicCount.stage_id == stage.id
    )
    for question, answer, n in session().execute(query):
        counts.setdefault(question, {})[answer] = n
    return counts
