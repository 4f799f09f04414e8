"""The form fields shared across domains (pb/forms.py)."""

from __future__ import annotations

import pytest

from pb.forms import parse_pounds


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("1500", 150_000), ("£1,250.50", 125_050), (" 40.5 ", 4_050), ("0", 0), ("-5", -500),
     ("1000000000", 100_000_000_000)],
)
def test_an_amount_in_pounds_becomes_pence(typed: str, pence: int) -> None:
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Enter an amount in pounds, like 1500"),
        ("NaN", "Enter an amount in pounds, like 1500"),
        ("Infinity", "Enter an amount in pounds, like 1500"),
        ("10.555", "pounds and pence"),
        ("1e-30", "pounds and pence"),
        ("1000000000.01", "under £1,000,000,000"),
        ("1e308", "under £1,000,000,000"),  # was a 500: quantize cannot hold it (found by tests/test_fuzz.py)
        ("-1e308", "under £1,000,000,000"),
    ],
)
def test_an_amount_that_is_not_pounds_and_pence_is_refused_with_the_reason(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pounds(typed)


def test_too_long_or_out_of_range_says_what_to_do_in_the_sites_words_and_language(app) -> None:
    from flask_babel import force_locale
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import StringField

    from pb.forms import IntegerField, Length, NumberRange

    class Form(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("Name", validators=[Length(max=5)])
        size = IntegerField("How many", validators=[NumberRange(min=1, max=2000)])

    with app.test_request_context():
        form = Form(formdata=MultiDict({"name": "Rhiannon", "size": "2001"}))
        assert not form.validate()
        assert form.name.errors == ["Write 5 characters or fewer: this has 8."]
        assert form.size.errors == ["Enter a number from 1 to 2,000."]
        with force_locale("cy"):
            welsh = Form(formdata=MultiDict({"name": "Rhiannon", "size": "0"}))
            assert not welsh.validate()
            assert "Write" not in welsh.name.errors[0] and "Enter a number" not in welsh.size.errors[0]


@pytest.mark.parametrize(
    ("typed", "ranged"), [("2.5", True), ("ten", True), ("2.5", False), ("1_000", True), ("+5", True), ("７", True)]
)
def test_a_number_that_is_not_whole_gets_one_message_in_the_sites_words(app, typed: str, ranged: bool) -> None:
    from flask_babel import force_locale
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict
    from wtforms import validators
    from wtforms.validators import InputRequired

    from pb.forms import IntegerField, NumberRange

    class Form(FlaskForm):
        class Meta:
            csrf = False

        size = IntegerField("How many", validators=[InputRequired("Enter how many."),
                                                     *([NumberRange(min=1, max=10)] if ranged else [])])

    with app.test_request_context():
        form = Form(formdata=MultiDict({"size": typed}))
        assert not form.validate() and form.size.data is None
        assert form.size.errors == ["Enter a whole number from 1 to 10." if ranged else "Enter a whole number, like 3."]
        assert Form(formdata=MultiDict({"size": " 7 "})).validate()
        for spaces in ("", "   "):
            empty = Form(formdata=MultiDict({"size": spaces}))
            assert not empty.validate() and empty.size.errors == ["Enter how many."]  # the field's own words

        class Optional(FlaskForm):
            class Meta:
                csrf = False

            hours = IntegerField("Hours", validators=[validators.Optional(), NumberRange(min=0, max=10)])

        assert Optional(formdata=MultiDict({"hours": ""})).validate()  # left empty is fine where it may be
        with force_locale("cy"):
            welsh = Form(formdata=MultiDict({"size": typed}))
            assert not welsh.validate() and "Enter a whole number" not in welsh.size.errors[0]


def test_a_whole_number_may_have_thousands_commas(app) -> None:
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    from pb.forms import IntegerField, NumberRange

    class Form(FlaskForm):
        class Meta:
            csrf = False

        people = IntegerField("People", validators=[NumberRange(min=0, max=100_000)])

    with app.test_request_context():
        for typed, number in (("12,500", 12_500), ("12500", 12_500), ("-3", -3)):
            form = Form(formdata=MultiDict({"people": typed}))
            form.validate()
            assert form.people.data == number
        wrong = Form(formdata=MultiDict({"people": "1,25"}))
        assert not wrong.validate() and wrong.people.errors == ["Enter a whole number from 0 to 100,000."]
