"""The form on which commissioners enter the area's population, one figure per answer of each question."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from pb.forms import Length
from pb.mandates.boundaries.demographics import Question
from pb.results.demographics import figure_field


def parse_figure(text: str) -> int | None:
    """A figure as typed ("18.3", "18.3%", "12,345") in hundredths; None when empty.

    Raises ValueError with a message for the person.
    """
    cleaned = text.strip().replace(",", "").replace("%", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(str(_l("Enter a number, like 1250 or 18.5."))) from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")) or value > 100_000_000:
        raise ValueError(str(_l("Enter a number from 0 to 100,000,000, with at most two decimal places.")))
    return int(value * 100)


class FigureField(Field):
    """A count or a percentage typed by a person, held in hundredths."""

    widget = TextInput()
    data: int | None

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.parse_error: str | None = None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        whole, part = divmod(self.data, 100)
        return f"{whole}" if part == 0 else f"{whole}.{part:02d}".rstrip("0")

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data, self.parse_error = None, None
        if not valuelist:
            return
        try:
            self.data = parse_figure(str(valuelist[0]))
        except ValueError as error:
            self.parse_error = str(error)

    def pre_validate(self, form: Any) -> None:
        if self.parse_error:
            raise ValidationError(self.parse_error)


class PopulationForm(FlaskForm):
    """Where the figures come from, and `for_questions()` adds a figure for each answer."""

    source = StringField(
        _l("Where the figures come from"),
        description=_l("For example: Census 2021, Cardiff."),
        validators=[Length(max=200, message=_l("Keep it under 200 characters."))],
    )

    question_fields: tuple[tuple[Question, tuple[str, ...]], ...] = ()

    @classmethod
    def for_questions(cls, questions: list[Question], **kwargs: Any) -> PopulationForm:
        attrs: dict[str, Any] = {}
        layout = []
        for question in questions:
            names = []
            for key, words in question.population_answers.items():
                name = figure_field(question.key, key)
                attrs[name] = FigureField(words)
                names.append(name)
            layout.append((question, tuple(names)))
        attrs["question_fields"] = tuple(layout)
        return type("PopulationForm", (cls,), attrs)(**kwargs)  # type: ignore[no-any-return]

    def figures(self) -> dict[str, dict[str, int | None]]:
        """Question → answer → hundredths (None where empty), as the service takes them."""
        return {
            question.key: {key: self[figure_field(question.key, key)].data for key in question.population_answers}
            for question, _names in self.question_fields
        }

    def fill(self, entered: dict[str, tuple[dict[str, int], str]]) -> None:
        """Show what was entered before."""
        for question, _names in self.question_fields:
            values, source = entered.get(question.key, ({}, ""))
            for key in question.population_answers:
                self[figure_field(question.key, key)].data = values.get(key)
            self.source.data = self.source.data or source
