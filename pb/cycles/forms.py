from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from pb.cycles.models import StageKind
from pb.forms import GroupErrors, MoneyField
from pb.mandates.templates import TEMPLATES

STAGE_LABELS = {
    StageKind.PRIORITIES: "Priorities: map needs and local assets, agree themes",
    StageKind.PROPOSALS: "Proposals: residents submit ideas with a cost",
    StageKind.DELIBERATION: "Deliberation: discuss, question and improve proposals",
    StageKind.REVIEW: "Review: commissioners check feasibility, with public reasons",
    StageKind.VOTE: "Vote: residents choose what is funded",
    StageKind.DECISION: "Decision: the count and the council's decision",
    StageKind.DELIVERY: "Delivery: progress reports and residents' contributions",
    StageKind.ASSESSMENT: "Assessment: residents rate what was delivered",
}
PLACES = [SelectChoice("", "Not in this cycle")] + [SelectChoice(str(n), f"Stage {n}") for n in range(1, 9)]


class TemplateChoiceForm(FlaskForm):
    """Step one (a GET form): which starting point the new cycle's mandates come from."""

    class Meta:
        csrf = False  # it only chooses what the next page shows

    template = SelectField(
        "Start from",
        choices=[SelectChoice(t.name, t.title) for t in TEMPLATES.values()]
        + [SelectChoice("", "A blank cycle (default wording)")],
    )


class CycleForm(FlaskForm):
    template = HiddenField()
    title = StringField("Title", validators=[DataRequired("Enter a title."), Length(max=200)])
    purpose = TextAreaField("What is this cycle for?", validators=[DataRequired("Enter the purpose of the cycle.")])
    area = StringField(
        "Area",
        description="For example, a ward or a town.",
        validators=[DataRequired("Enter the area."), Length(max=200)],
    )
    areas = TextAreaField(
        "Neighbourhoods within it",
        description="Optional. One a line. Needs and proposals are then placed in one of them.",
        validators=[Length(max=4000)],
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
    kinds = GroupErrors("Stages")  # errors about the order as a whole

    def ordered_kinds(self) -> list[StageKind] | None:
        """The stages in the places chosen; None (with an error on the form) if two share a place."""
        placed: dict[int, StageKind] = {}
        for kind in StageKind:
            value = self[f"place_{kind.value}"].data
            if not value:
                continue
            if int(value) in placed:
                self.kinds.errors = [f"Give the {placed[int(value)].value} and {kind.value} stages different places."]
                return None
            placed[int(value)] = kind
        return [placed[n] for n in sorted(placed)]

    def place_kinds(self, kinds: list[StageKind]) -> None:
        for n, kind in enumerate(kinds, start=1):
            self[f"place_{kind.value}"].data = str(n)


for _kind in StageKind:
    setattr(CycleForm, f"place_{_kind.value}", SelectField(STAGE_LABELS[_kind], choices=PLACES, default=""))


class RepresentativeForm(FlaskForm):
    email = EmailField(
        "Email address of the resident representative", validators=[DataRequired("Enter their email address.")]
    )
