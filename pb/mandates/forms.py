from __future__ import annotations

from typing import ClassVar

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from pb.cycles.models import StageKind
from pb.forms import MoneyField
from pb.mandates.boundaries import COUNTING_RULES


class MandateForm(FlaskForm):
    """Purpose and roles for every kind; the boundary fields that apply to the stage's kind."""

    purpose = TextAreaField(
        "Purpose",
        description="What this stage is for, in plain words.",
        validators=[DataRequired("Enter the purpose of this stage.")],
    )
    roles = TextAreaField(
        "Roles",
        description="Who takes part and what each does. One role a line.",
        validators=[DataRequired("Enter who takes part and what each does.")],
    )
    # proposals
    max_cost = MoneyField(
        "Most a single proposal may cost, in pounds",
        description="Leave empty for no cap below the cycle's budget.",
        validators=[Optional()],
    )
    # review
    rule_out_grounds = TextAreaField(
        "Grounds on which commissioners may rule a proposal out",
        description="One ground a line. Leave empty to allow none.",
    )
    # vote
    binding = RadioField(
        "Is the vote binding?",
        choices=[
            SelectChoice("yes", "Yes: the council funds what the vote selects"),
            SelectChoice("no", "No: the vote advises the council"),
        ],
        default="yes",
    )
    budget = MoneyField("Budget residents allocate, in pounds", validators=[Optional()])
    min_choices = IntegerField(
        "Fewest projects a voter must choose",
        default=1,
        validators=[Optional(), NumberRange(min=0, max=100)],
        render_kw={"inputmode": "numeric"},
    )
    max_choices = IntegerField(
        "Most projects a voter may choose",
        default=3,
        validators=[Optional(), NumberRange(min=1, max=100)],
        render_kw={"inputmode": "numeric"},
    )
    counting_rule = SelectField(
        "Counting rule", choices=[SelectChoice(rule, label) for rule, label in COUNTING_RULES.items()]
    )

    FIELDS_BY_KIND: ClassVar[dict[StageKind, tuple[str, ...]]] = {
        StageKind.PROPOSALS: ("max_cost",),
        StageKind.REVIEW: ("rule_out_grounds",),
        StageKind.VOTE: ("binding", "budget", "min_choices", "max_choices", "counting_rule"),
    }

    def boundary_fields(self, kind: StageKind) -> list[str]:
        return list(self.FIELDS_BY_KIND.get(kind, ()))

    def boundaries_data(self, kind: StageKind) -> dict[str, object]:
        """The boundary values typed for the stage kind, mapped explicitly from the form."""
        if kind == StageKind.PROPOSALS:
            return {"max_cost": self.max_cost.data}
        if kind == StageKind.REVIEW:
            lines = (self.rule_out_grounds.data or "").splitlines()
            return {"rule_out_grounds": [line.strip() for line in lines if line.strip()]}
        if kind == StageKind.VOTE:
            return {
                "binding": self.binding.data == "yes",
                "budget": self.budget.data or 0,
                "ballot_format": "approval",
                "min_choices": self.min_choices.data if self.min_choices.data is not None else 1,
                "max_choices": self.max_choices.data or 0,
                "counting_rule": self.counting_rule.data,
            }
        return {}


class SignForm(FlaskForm):
    side = HiddenField(validators=[InputRequired()])
    version = HiddenField(validators=[InputRequired()])


class ConfirmForm(FlaskForm):
    """A bare form for a button that changes state: CSRF and nothing else."""
