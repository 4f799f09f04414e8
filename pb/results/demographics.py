"""Who took part, by the optional answers voters gave about themselves, beside the area's population.

The answers are totals (`pb.voting.demographics`); this module turns them into what may be
shown, and keeps the population figures commissioners enter to compare them with.

**Small numbers.** A total of one or two people can point at someone ("the one disabled
voter from this street"). So, after the Higher Education Statistics Agency's published rounding
method: every count is rounded to the nearest 5; a count of 1 to 4 is shown only as "fewer
than 5"; and shares (and their difference from the population) are shown only once at least
20 people have given an answer to the question, worked out from the rounded counts so that they
cannot undo the rounding. Rounding, unlike hiding single cells, leaves no total from which a
hidden cell could be worked out by subtraction, and one more answer rarely moves a rounded
figure, so watching the dashboard while someone answers rarely tells what they said. The same
figures go on the dashboard and into the exports. See docs/dashboard.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage
from pb.db import session, utcnow
from pb.errors import InvalidInput, OutsideMandate
from pb.mandates.authority import Action, require_cycle_action
from pb.mandates.boundaries.demographics import PREFER_NOT_TO_SAY, Question
from pb.results.models import PopulationFigures
from pb.voting.demographics import ASKED_CHANNELS, answer_counts, questions_asked

ROUND_TO = 5
FEWER_THAN = 5  # counts of 1 to this less one are shown as "fewer than 5"
SHARES_FROM = 20  # people who gave an answer to a question before its shares are shown
MAX_FIGURE = 100_000_000_00  # in hundredths: a hundred million people is more than any area


def rounded(n: int) -> int | None:
    """A count as it may be shown: 0 stays 0, 1 to 4 is None ("fewer than 5"), else the nearest 5."""
    if n <= 0:
        return 0
    if n < FEWER_THAN:
        return None
    return (n + ROUND_TO // 2) // ROUND_TO * ROUND_TO


def whole_percent(value: Fraction | None) -> int | None:
    """A share in whole per cent, halves rounded up (as people expect, not to even)."""
    return None if value is None else int(value * 100 + Fraction(1, 2))


def figure_field(question: str, answer: str) -> str:
    """The name of the population form's input for one answer (and of errors about it)."""
    return f"{question}-{answer}"


@dataclass(frozen=True)
class AnswerFigure:
    """One answer: how many gave it (rounded), their share, and the population's share."""

    key: str
    label: str
    count: int | None  # None: fewer than 5
    share: Fraction | None  # of those who gave an answer; None while too few have
    population: Fraction | None  # None: no population figures entered

    @property
    def difference(self) -> Fraction | None:
        """Participants' share less the population's: above zero, this group took part more."""
        if self.share is None or self.population is None:
            return None
        return self.share - self.population

    @property
    def share_percent(self) -> int | None:
        return whole_percent(self.share)

    @property
    def population_percent(self) -> int | None:
        return whole_percent(self.population)

    @property
    def difference_points(self) -> int | None:
        """The difference in whole percentage points (of the rounded shares, so the row adds up)."""
        share, population = self.share_percent, self.population_percent
        return None if share is None or population is None else share - population


@dataclass(frozen=True)
class QuestionFigures:
    question: Question
    answers: list[AnswerFigure]  # every answer but "Prefer not to say", in the question's order
    answered: int | None  # (rounded) how many gave one of those answers
    prefer_not: int | None  # (rounded) how many preferred not to say
    shares_shown: bool
    source: str  # where the population figures come from; "" when there are none

    @property
    def has_population(self) -> bool:
        return any(a.population is not None for a in self.answers)


@dataclass(frozen=True)
class WhoTookPart:
    questions: list[QuestionFigures]
    respondents: int | None  # (rounded) voters who answered at least one question
    asked: int  # voters who were asked: those who voted on their own device
    not_asked: int  # ballots cast at a kiosk or on paper, whose voters are not asked


def who_took_part(stage: Stage, by_channel: Mapping[str, int]) -> WhoTookPart | None:
    """The vote's answers, rounded and compared with the population; None when it asks nothing.

    `by_channel` is the vote's active ballots by channel (`exports.turnout_by_channel`).
    """
    asked = questions_asked(stage, agreed_only=False)
    if not asked:
        return None
    counts = answer_counts(stage)
    population = _population(stage)
    respondents = max((sum(counts.get(q.key, {}).values()) for q in asked), default=0)
    return WhoTookPart(
        questions=[_figures(q, counts.get(q.key, {}), population.get(q.key)) for q in asked],
        respondents=rounded(respondents),
        asked=sum(n for channel, n in by_channel.items() if channel in ASKED_CHANNELS),
        not_asked=sum(n for channel, n in by_channel.items() if channel not in ASKED_CHANNELS),
    )


def _figures(question: Question, counts: Mapping[str, int], population: PopulationFigures | None) -> QuestionFigures:
    answers = question.population_answers
    exact = {key: counts.get(key, 0) for key in answers}
    shown = {key: rounded(n) for key, n in exact.items()}
    answered = sum(exact.values())
    base = rounded(answered)
    shares_shown = answered >= SHARES_FROM and bool(base)
    figures = {k: int(v) for k, v in (population.figures if population else {}).items() if k in answers}
    total = sum(figures.values())
    return QuestionFigures(
        question=question,
        answers=[
            AnswerFigure(
                key,
                str(label),
                shown[key],
                Fraction(shown[key] or 0, base) if shares_shown and base and shown[key] is not None else None,
                Fraction(figures.get(key, 0), total) if total else None,
            )
            for key, label in answers.items()
        ],
        answered=base,
        prefer_not=rounded(counts.get(PREFER_NOT_TO_SAY, 0)),
        shares_shown=shares_shown,
        source=population.source if population and total else "",
    )


def _population(stage: Stage) -> dict[str, PopulationFigures]:
    rows = session().scalars(select(PopulationFigures).where(PopulationFigures.stage_id == stage.id))
    return {row.question: row for row in rows}


def population_of(stage: Stage) -> dict[str, tuple[dict[str, int], str]]:
    """What was entered, to fill the form again: question → (answer → hundredths, source)."""
    return {q: ({k: int(v) for k, v in row.figures.items()}, row.source) for q, row in _population(stage).items()}


def enter_population(
    stage: Stage, actor: User, figures: Mapping[str, Mapping[str, int | None]], source: str = ""
) -> None:
    """Record the area's population for the questions the vote asks, replacing what was there.

    `figures` maps question → answer → the figure in hundredths (a count or a percentage:
    only their proportions matter), None for an empty input; a question left wholly empty has
    its figures removed. Raises NotAuthorised (only the cycle's commissioners may),
    OutsideMandate (the vote asks no questions) or InvalidInput (naming the input at fault).
    """
    verdict = require_cycle_action(actor, Action.ENTER_POPULATION, stage.cycle)
    asked = questions_asked(stage, agreed_only=False)
    if not asked:
        raise OutsideMandate(_("This vote's mandate asks voters no questions about themselves."),
                             clause="vote.demographics")
    source = " ".join(source.split())[:200]
    db = session()
    existing = _population(stage)
    entered: dict[str, Any] = {}
    for question in asked:
        values = _checked(question, figures.get(question.key) or {})
        row = existing.get(question.key)
        if values is None:
            if row is not None:
                db.execute(delete(PopulationFigures).where(PopulationFigures.id == row.id))
            continue
        if row is None:
            row = PopulationFigures(stage_id=stage.id, question=question.key, figures={})
            db.add(row)
        row.figures, row.source, row.entered_by_id = values, source, actor.id
        row.entered_at = utcnow()
        entered[question.key] = values
    db.flush()
    record(
        "population.enter",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject="population figures",
        detail={"figures": entered, "source": source},
    )


def _checked(question: Question, given: Mapping[str, int | None]) -> dict[str, int] | None:
    """One question's figures, all present and in range, or None when all are empty. Raises InvalidInput."""
    values = {key: given.get(key) for key in question.population_answers}
    if all(v is None for v in values.values()):
        return None
    first = next(iter(values))
    for key, value in values.items():
        if value is None:
            raise InvalidInput(
                _("Enter a figure for every answer to “%(question)s”, or leave them all empty.",
                  question=question.title),
                field=figure_field(question.key, key),
            )
        if not 0 <= value <= MAX_FIGURE:
            raise InvalidInput(_("Enter a figure from 0 to 100,000,000."), field=figure_field(question.key, key))
    if not sum(v or 0 for v in values.values()):
        raise InvalidInput(
            _("The figures for “%(question)s” add up to nothing. Enter people or percentages.",
              question=question.title),
            field=figure_field(question.key, first),
        )
    return {key: int(v or 0) for key, v in values.items()}


def percent(value: Fraction | None, places: int = 1) -> float | None:
    """A share as a percentage, rounded (for the exports)."""
    return None if value is None else round(float(value * 100), places)


def demographics_record(stage: Stage, by_channel: Mapping[str, int]) -> dict[str, Any] | None:
    """The same rounded figures as the dashboard, as plain data for the exports; None when nothing is asked."""
    who = who_took_part(stage, by_channel)
    if who is None:
        return None
    return {
        "rounding": f"counts rounded to the nearest {ROUND_TO}; null where fewer than {FEWER_THAN}; "
        f"shares (per cent) only once {SHARES_FROM} people have answered a question",
        "asked": who.asked,
        "not_asked": who.not_asked,
        "respondents": who.respondents,
        "questions": [
            {
                "question": q.question.key,
                "title": str(q.question.title),
                "answered": q.answered,
                "prefer_not_to_say": q.prefer_not,
                "population_source": q.source or None,
                "answers": [
                    {
                        "answer": a.key,
                        "label": a.label,
                        "count": a.count,
                        "share": percent(a.share),
                        "population_share": percent(a.population),
                        "difference": percent(a.difference),
                    }
                    for a in q.answers
                ],
            }
            for q in who.questions
        ],
    }
