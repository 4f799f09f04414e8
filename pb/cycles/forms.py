from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from pb.cycles.models import StageKind
from pb.forms import GroupErrors, IntegerField, Length, MoneyField, NumberRange
from pb.mandates.templates import Template
from pb.templating import stage_name

STAGE_LABELS = {
    StageKind.PRIORITIES: _l("Priorities: map needs and local assets, agree themes"),
    StageKind.PROPOSALS: _l("Proposals: residents submit ideas with a cost"),
    StageKind.DELIBERATION: _l("Deliberation: discuss, question and improve proposals"),
    StageKind.REVIEW: _l("Review: commissioners check feasibility, with public reasons"),
    StageKind.VOTE: _l("Vote: residents choose what is funded"),
    StageKind.DECISION: _l("Decision: the count and the council's decision"),
    StageKind.DELIVERY: _l("Delivery: progress reports and residents' contributions"),
    StageKind.ASSESSMENT: _l("Assessment: residents rate what was delivered"),
}
PLACES = [SelectChoice("", _l("Not in this cycle"))] + [
    SelectChoice(str(n), _l("Stage %(num)d", num=n)) for n in range(1, 9)
]


class TemplateChoiceForm(FlaskForm):
    """Step one (a GET form): which starting point the new cycle's mandates come from."""

    class Meta:
        csrf = False  # it only chooses what the next page shows

    template = SelectField(_l("Start from"))

    def offer(self, templates: list[Template]) -> None:
        """The built-in and imported templates, then a blank cycle."""
        self.template.choices = [SelectChoice(t.name, t.title) for t in templates] + [
            SelectChoice("", _l("A blank cycle (default wording)"))
        ]


class CycleForm(FlaskForm):
    template = HiddenField()
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    purpose = TextAreaField(
        _l("What is this cycle for?"), validators=[DataRequired(_l("Enter the purpose of the cycle."))]
    )
    area = StringField(
        _l("Area"),
        description=_l("For example, a ward or a town."),
        validators=[DataRequired(_l("Enter the area.")), Length(max=200)],
    )
    areas = TextAreaField(
        _l("Neighbourhoods within it"),
        description=_l("Optional. One a line. Needs and proposals are then placed in one of them."),
        validators=[Length(max=4000)],
    )
    budget = MoneyField(_l("Budget, in pounds"), validators=[InputRequired(_l("Enter the budget."))])
    required_representatives = IntegerField(
        _l("How many resident representatives must sign each stage's mandate?"),
        default=1,
        validators=[
            InputRequired(_l("Enter a number, 1 or more.")),
            NumberRange(min=1, max=50, message=_l("Enter a number from 1 to 50.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    kinds = GroupErrors(_l("Stages"))  # errors about the order as a whole

    def cycle_fields(self, kinds: list[StageKind]) -> dict[str, Any]:
        """The cycle as typed, mapped field by field to `create_cycle`'s arguments."""
        return {
            "title": self.title.data or "",
            "purpose": self.purpose.data or "",
            "area": self.area.data or "",
            "areas": [line.strip() for line in (self.areas.data or "").splitlines() if line.strip()],
            "budget": self.budget.data or 0,
            "kinds": kinds,
            "required_representatives": self.required_representatives.data or 1,
            "template": self.template.data or None,
        }

    def ordered_kinds(self) -> list[StageKind] | None:
        """The stages in the places chosen; None (with an error on the form) if two share a place."""
        placed: dict[int, StageKind] = {}
        for kind in StageKind:
            value = self[f"place_{kind.value}"].data
            if not value:
                continue
            if int(value) in placed:
                self.kinds.errors = [
                    _(
                        "Give the %(first)s and %(second)s stages different places.",
                        first=stage_name(placed[int(value)]).lower(),
                        second=stage_name(kind).lower(),
                    )
                ]
                return None
            placed[int(value)] = kind
        return [placed[n] for n in sorted(placed)]

    def place_kinds(self, kinds: list[StageKind]) -> None:
        for n, kind in enumerate(kinds, start=1):
            self[f"place_{kind.value}"].data = str(n)


for _kind in StageKind:
    setattr(CycleForm, f"place_{_kind.value}", SelectField(STAGE_LABELS[_kind], choices=PLACES, default=""))


class EndorsementForm(FlaskForm):
    statement = TextAreaField(
        _l("What you would like residents to read"),
        description=_l("Optional. Why you stand behind this cycle, and how residents can take part."),
    )


class RepresentativeForm(FlaskForm):
    email = EmailField(
        _l("Email address of the resident representative"), validators=[DataRequired(_l("Enter their email address."))]
    )
