from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from pb.delivery.models import DeliveryStatus
from pb.delivery.services import MAX_HOURS, STATUS_WORDS
from pb.forms import IntegerField, Length, MoneyField, NumberRange

RATINGS = [
    SelectChoice("5", _l("5 – Very good")),
    SelectChoice("4", _l("4 – Good")),
    SelectChoice("3", _l("3 – All right")),
    SelectChoice("2", _l("2 – Poor")),
    SelectChoice("1", _l("1 – Very poor")),
]


class UpdateForm(FlaskForm):
    status = RadioField(
        _l("Where the project is now"),
        choices=[SelectChoice(s.value, STATUS_WORDS[s]) for s in DeliveryStatus],
        validators=[InputRequired(_l("Say where the project is now."))],
    )
    body = TextAreaField(
        _l("What has happened"),
        description=_l("Plain words residents can follow. If the project stopped, say why."),
        validators=[InputRequired(_l("Say what has happened since the last update.")), Length(max=5000)],
    )
    milestone = StringField(
        _l("Milestone"), description=_l("Optional. For example: benches installed."), validators=[Length(max=120)]
    )
    milestone_due = DateField(_l("When the milestone is due"), description=_l("Optional."), validators=[Optional()])
    spend_to_date = MoneyField(
        _l("The council's spend on it so far, in pounds"), description=_l("Optional. The total to date."), minimum=0
    )


def _hours_field(label: object, description: object) -> IntegerField:
    """The hours a pledge offers: a whole number from 0 (materials only) to MAX_HOURS."""
    return IntegerField(
        label,
        description=description,
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_HOURS, message=_l("Enter a number of hours from 0 to %(max)s.", max=f"{MAX_HOURS:,}")
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )


class PledgeForm(FlaskForm):
    hours = _hours_field(_l("Hours you will give"), _l("Leave at 0 if you are giving materials only."))
    materials = TextAreaField(
        _l("Materials, tools or space you will give"),
        description=_l("Optional. For example: 20 bulbs, the use of a van for a day."),
        validators=[Length(max=1000)],
    )
    given = BooleanField(_l("I have given this"))


class RecordPledgeForm(FlaskForm):
    """A pledge made in person by someone without an account, keyed in by a commissioner."""

    name = StringField(
        _l("Name of the person who pledged"),
        description=_l("As they gave it. Only the cycle's commissioners see it."),
        validators=[InputRequired(_l("Enter the name of the person who made the pledge.")), Length(max=120)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    hours = _hours_field(_l("Hours they will give"), _l("Leave at 0 if they are giving materials only."))
    materials = TextAreaField(
        _l("Materials, tools or space they will give"),
        description=_l("Optional. For example: the church hall on Tuesday evenings."),
        validators=[Length(max=1000)],
    )
    given = BooleanField(_l("They have given this already"))


class AssessmentForm(FlaskForm):
    rating = RadioField(
        _l("How well was it delivered?"),
        choices=RATINGS,
        validators=[InputRequired(_l("Choose a rating from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Your comment"),
        description=_l("Optional. What worked, and what should the next cycle do differently? It is published."),
        validators=[Length(max=2000)],
    )


class LessonForm(FlaskForm):
    body = TextAreaField(
        _l("What we learned"),
        description=_l("Published on this cycle's delivery page and on the next cycle's page."),
        validators=[InputRequired(_l("Write what you learned.")), Length(max=5000)],
    )
