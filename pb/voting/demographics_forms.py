"""The receipt page's optional questions: one set of GOV.UK radios for each question the vote asks."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import Optional

from pb.mandates.boundaries.demographics import Question


class AnswersForm(FlaskForm):
    """Every question optional; `for_questions()` adds those the vote's mandate asks, in its order."""

    question_keys: tuple[str, ...] = ()

    @classmethod
    def for_questions(cls, questions: list[Question], **kwargs: Any) -> AnswersForm:
        attrs: dict[str, Any] = {
            q.key: RadioField(
                q.label,
                description=q.hint,
                choices=[SelectChoice(key, words) for key, words in q.answers.items()],
                validators=[Optional()],  # skipping a question is always allowed
                validate_choice=False,  # the service refuses an answer not offered, in the reader's language
            )
            for q in questions
        }
        attrs["question_keys"] = tuple(q.key for q in questions)
        return type("AnswersForm", (cls,), attrs)(**kwargs)  # type: ignore[no-any-return]

    def answers(self) -> dict[str, str]:
        """Question key → answer key, "" for a question left unanswered."""
        return {key: self[key].data or "" for key in self.question_keys}
