"""The optional questions on the receipt page: who is asked, and counting their answers once.

Registered on the voting blueprint (see the end of pb/voting/views.py). The receipt page
(`ballot_cast`) includes `voting/_questions.html` with what `receipt_questions()` gives it.
A code voter's only record of having answered is a tag in their own session cookie; see
pb/voting/demographics.py and docs/secrecy.md, "Questions about voters".
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, flash, session
from flask_babel import gettext as _
from flask_login import current_user

from pb.cycles.models import Cycle, Stage, StageKind
from pb.cycles.services import get_cycle, get_stage
from pb.errors import PBError
from pb.voting import demographics
from pb.voting.demographics_forms import AnswersForm
from pb.voting.views import bp
from pb.web import done, render, show_on_form, updated, wants_fragment

ANSWERED = "answered_questions"  # the session's tags of voters on this device whose answers are counted
KEEP_TAGS = 20


@dataclass(frozen=True)
class Questions:
    """What the receipt page's questions section shows: the form, or a line saying what happened."""

    form: AnswersForm | None = None
    said: str = ""


def receipt_questions(cycle: Cycle, receipt: str) -> Questions | None:
    """The questions to ask the voter whose receipt this device holds, or None: nothing to ask.

    Nothing when the vote's mandate asks no questions, the vote is no longer open, the ballot
    was cast at a kiosk or on paper, or this voter's answers are already counted.
    """
    stage = get_stage(cycle, StageKind.VOTE.value)
    asked = demographics.questions_asked(stage)
    if not asked or not stage.is_open:
        return None
    respondent = demographics.respondent_for(stage, receipt, current_user)
    if respondent is None or demographics.has_answered(stage, respondent, _answered_tags()):
        return None
    return Questions(AnswersForm.for_questions(asked))


@bp.post("/cycles/<int:cycle_id>/vote/questions")
def answer_questions(cycle_id: int) -> Response:
    """Count the optional answers of the voter who has just voted on this device; htmx gets the thanks in place."""
    cycle = get_cycle(cycle_id)
    stage = get_stage(cycle, StageKind.VOTE.value)
    receipt = _receipt(cycle)
    respondent = demographics.respondent_for(stage, receipt, current_user) if receipt else None
    if respondent is None:  # no vote on this device (or a kiosk's, or paper): nothing to answer for
        return done("voting.ballot_cast", cycle_id=cycle.id)
    form = AnswersForm.for_questions(demographics.questions_asked(stage))
    if form.validate_on_submit():
        try:
            outcome = demographics.record_answers(stage, respondent, form.answers(), _answered_tags())
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            return _answered(cycle, stage, respondent, outcome)
    return _page(cycle, receipt, Questions(form), status=422)


def _answered(cycle: Cycle, stage: Stage, respondent: demographics.Respondent, outcome: str) -> Response:
    if outcome == "nothing to count":
        said = _("You did not choose any answers, so nothing was counted.")
        questions = Questions(AnswersForm.for_questions(demographics.questions_asked(stage), formdata=None), said)
    else:
        _remember(respondent.tag)
        said = _("Thank you. Your answers have been added to the totals.")
        questions = Questions(said=said)
    if wants_fragment():
        response = updated("voting/_questions.html", trigger="questions-answered", cycle=cycle, questions=questions)
        response.headers["Cache-Control"] = "no-store"
        return response
    flash(said, "success" if outcome != "nothing to count" else "info")
    return done("voting.ballot_cast", cycle_id=cycle.id)


def _page(cycle: Cycle, receipt: str, questions: Questions, status: int) -> Response:
    channel = (session.get("receipt") or {}).get("channel")
    response = render(
        "voting/done.html",
        "voting/_questions.html",
        status=status,
        cycle=cycle,
        receipt=receipt,
        by_code=channel == "code",
        questions=questions,
    )
    response.headers["Cache-Control"] = "no-store"  # a shared device must not show someone's answers
    return response


def _receipt(cycle: Cycle) -> str:
    receipt = session.get("receipt") or {}
    return str(receipt.get("code") or "") if receipt.get("cycle") == cycle.id else ""


def _answered_tags() -> list[str]:
    tags = session.get(ANSWERED)
    return [str(t) for t in tags] if isinstance(tags, list) else []


def _remember(tag: str) -> None:
    session[ANSWERED] = [*(t for t in _answered_tags() if t != tag), tag][-KEEP_TAGS:]
