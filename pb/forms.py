"""Form fields shared across domains."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, fields, validators
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput


class Length(validators.Length):
    """wtforms' Length, saying what to do in the site's words, in its language.

    wtforms' own message is "Field cannot be longer than 120 characters.", and its Welsh names no field either.
    """

    def __init__(self, min: int = -1, max: int = -1, message: str | None = None) -> None:
        if message is None and min < 1:
            message = _l("Write %(max)d characters or fewer: this has %(length)d.")
        super().__init__(min=min, max=max, message=message)


class NumberRange(validators.NumberRange):
    """wtforms' NumberRange, in the site's words: "Enter a number from 1 to 2000."."""

    def __init__(self, min: int | None = None, max: int | None = None, message: str | None = None) -> None:
        if message is None and min is not None and max is not None:  # "from 0 to 100,000", as people write it
            message = _l("Enter a number from %(min)s to %(max)s.", min=f"{min:,}", max=f"{max:,}")
        super().__init__(min=min, max=max, message=message)


# A whole number as people type it: digits, perhaps a minus sign and thousands commas ("12,500").
WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})+$|^-?[0-9]+$")


class IntegerField(fields.IntegerField):
    """wtforms' IntegerField, whose "2.5" or "ten" gets one message in the site's words ("Enter a whole
    number from 1 to 10."), not wtforms' "Not a valid integer value." beside the range's own. It takes
    what people type ("12,500", " 7 ") and nothing else Python's int() would ("1_000", "+5", "７")."""

    parse_error: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.parse_error = None
        if not valuelist:
            return  # not sent at all: the field keeps its default, as wtforms' own does
        typed = str(valuelist[0]).strip()
        self.raw_data = [typed]  # spaces alone are nothing, for InputRequired
        self.data = None
        if not typed:
            return  # left empty: for Optional or InputRequired to say, as the field wants
        if WHOLE_NUMBER.match(typed):
            self.data = int(typed.replace(",", ""))
            return
        ranges = [v for v in self.validators if isinstance(v, validators.NumberRange)]
        if ranges and ranges[0].min is not None and ranges[0].max is not None:
            self.parse_error = _("Enter a whole number from %(min)s to %(max)s.",
                                 min=f"{ranges[0].min:,}", max=f"{ranges[0].max:,}")
        else:
            self.parse_error = _("Enter a whole number, like 3.")

    def pre_validate(self, form: Any) -> None:
        if self.parse_error:
            raise StopValidation(self.parse_error)


def parse_pounds(text: str) -> int:
    """An amount typed in pounds ("1,250", "£40.50") as integer pence.

    Raises ValueError with a message for the person.
    """
    cleaned = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("Enter an amount in pounds, like 1500 or 1500.50.")) from None
    if not amount.is_finite():
        raise ValueError(_("Enter an amount in pounds, like 1500 or 1500.50."))
    if amount.copy_abs() > Decimal("1000000000"):  # before quantize, which cannot hold "1e308" to the penny
        raise ValueError(_("Enter an amount under £1,000,000,000."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("Enter an amount in pounds and pence, like 1500.50."))
    return int(amount * 100)


class MoneyField(Field):
    """An amount in pounds typed by a person ("1,250", "£40.50"), held as integer pence."""

    widget = TextInput()
    data: int | None

    def __init__(self, label: str | None = None, validators: Any = None, *, minimum: int = 1, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum
        self.parse_error: str | None = None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        pounds, pence = divmod(self.data, 100)
        return f"{pounds}" if pence == 0 else f"{pounds}.{pence:02d}"

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        self.parse_error = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_pounds(valuelist[0])
        except ValueError as error:
            self.parse_error = str(error)

    def pre_validate(self, form: Any) -> None:
        if self.parse_error:
            raise ValidationError(self.parse_error)
        if self.data is not None and self.data < self.minimum:
            raise ValidationError(
                _("Enter an amount more than £0.")
                if self.minimum <= 1
                else _("Enter at least £%(amount)s.", amount=f"{self.minimum / 100:,.2f}")
            )


class GroupErrors(Field):
    """Holds errors about a group of inputs (a fieldset with this field's id); renders nothing itself."""

    def __call__(self, **kwargs: Any) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
