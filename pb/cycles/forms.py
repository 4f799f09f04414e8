from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from pb.cycles.models import StageKind
from pb.cycles.services import AVAILABLE_KINDS
from pb.forms import MoneyField

STAGE_LABELS = {
    StageKind.PROPOSALS: "Proposals: residents submit ideas with a cost",
    StageKind.REVIEW: "Review: commissioners check feasibility, with public reasons",
    StageKind.VOTE: "Vote: residents choose what is funded",
    StageKind.DECISION: "Decision: the count and the council's decision",
}


class CycleForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=200)])
    purpose = TextAreaField("What is this cycle for?", validators=[DataRequired("Enter the purpose of the cycle.")])
    area = StringField(
        "Area",
        description="For example, a ward or a town.",
        validators=[DataRequired("Enter the area."), Length(max=200)],
    )
    budget = MoneyField("Budget, in pounds", validators=[InputRequired("Enter the budget.")])
    required_representatives = IntegerField(
        "How many resident representatives must sign each stage's mandate?",
        default=1,
        validators=[
            InputRequired("Enter a number, 1 or more."),
            NumberRange(min=1, max=50, message="Enter a number from 1 to 50."),
        ],
        render_kw={"inputmode": "numeric"},
    )
    kinds = SelectMultipleField(
        "Stages",
        choices=[SelectChoice(kind.value, STAGE_LABELS[kind]) for kind in AVAILABLE_KINDS],
        default=[kind.value for kind in AVAILABLE_KINDS],
        validators=[DataRequired("Choose at least one stage.")],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class RepresentativeForm(FlaskForm):
    email = EmailField(
        "Email address of the resident representative", validators=[DataRequired("Enter their email address.")]
    )
