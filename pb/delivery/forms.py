from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from pb.delivery.models import DeliveryStatus
from pb.delivery.services import MAX_HOURS, STATUS_WORDS
from pb.forms import MoneyField

RATINGS = [
    SelectChoice("5", "5 – Very good"),
    SelectChoice("4", "4 – Good"),
    SelectChoice("3", "3 – All right"),
    SelectChoice("2", "2 – Poor"),
    SelectChoice("1", "1 – Very poor"),
]


class UpdateForm(FlaskForm):
    status = RadioField(
        "Where the project is now",
        choices=[SelectChoice(s.value, STATUS_WORDS[s]) for s in DeliveryStatus],
        validators=[InputRequired("Say where the project is now.")],
    )
    body = TextAreaField(
        "What has happened",
        description="Plain words residents can follow. If the project stopped, say why.",
        validators=[InputRequired("Say what has happened since the last update."), Length(max=5000)],
    )
    milestone = StringField(
        "Milestone", description="Optional. For example: benches installed.", validators=[Length(max=120)]
    )
    milestone_due = DateField("When the milestone is due", description="Optional.", validators=[Optional()])
    spend_to_date = MoneyField(
        "The council's spend on it so far, in pounds", description="Optional. The total to date.", minimum=0
    )


class PledgeForm(FlaskForm):
    hours = IntegerField(
        "Hours you will give",
        description="Leave at 0 if you are giving materials only.",
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_HOURS, message=f"Enter a number of hours from 0 to {MAX_HOURS:,}."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    materials = TextAreaField(
        "Materials, tools or space you will give",
        description="Optional. For example: 20 bulbs, the use of a van for a day.",
        validators=[Length(max=1000)],
    )
    given = BooleanField("I have given this")


class AssessmentForm(FlaskForm):
    rating = RadioField(
        "How well was it delivered?", choices=RATINGS, validators=[InputRequired("Choose a rating from 1 to 5.")]
    )
    comment = TextAreaField(
        "Your comment",
        description="Optional. What worked, and what should the next cycle do differently? It is published.",
        validators=[Length(max=2000)],
    )


class LessonForm(FlaskForm):
    body = TextAreaField(
        "What we learned",
        description="Published on this cycle's delivery page and on the next cycle's page.",
        validators=[InputRequired("Write what you learned."), Length(max=5000)],
    )
