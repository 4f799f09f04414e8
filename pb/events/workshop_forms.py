"""Forms of a workshop's record: the notes and head count, an idea raised in the room, an idea's link.

Lengths and ranges are the service's to check (`pb.events.workshops`), so its messages are the ones shown.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput


class CountField(Field):
    """A whole number typed by a person (GOV.UK: a text input with a numeric keyboard), or nothing."""

    widget = TextInput()
    data: int | None

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.parse_error = False

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data, self.parse_error = None, False
        text = str(valuelist[0]).strip().replace(",", "") if valuelist else ""
        if not text:
            return
        if text.isascii() and text.isdigit() and len(text) <= 18:
            self.data = int(text)
        else:
            self.parse_error = True

    def pre_validate(self, form: Any) -> None:
        if self.parse_error:
            raise ValidationError(str(_l("Enter a number of people, like 25, or leave it empty.")))


class WorkshopForm(FlaskForm):
    notes = TextAreaField(
        _l("Notes"),
        description=_l(
            "What was discussed and agreed. Only the people who run this event and the cycle's commissioners "
            "read the notes."
        ),
    )
    attendance = CountField(
        _l("How many people were in the room"),
        description=_l(
            "Everyone who took part, whether or not they were checked in. Leave it empty if nobody counted."
        ),
    )


class IdeaForm(FlaskForm):
    text = TextAreaField(
        _l("The idea"),
        description=_l(
            "In the words used in the room. Once it is linked to a need or a proposal, anyone can read it, "
            "so leave out people's names."
        ),
    )
    link = SelectField(
        _l("Link it to"),
        description=_l("A need or a proposal it fits. You can link it later, once the proposals exist."),
        validate_choice=False,
    )


class LinkIdeaForm(FlaskForm):
    link = SelectField(_l("Link it to"), validate_choice=False)
