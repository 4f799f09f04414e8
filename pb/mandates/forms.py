"""The mandate editor's form, built for each stage kind from its boundaries' field specs."""

from __future__ import annotations

from dataclasses import Field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms import Field as FormField
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pb.cycles.models import StageKind
from pb.forms import IntegerField, Length, MoneyField, NumberRange
from pb.mandates.boundaries import BOUNDARIES_BY_KIND, Boundaries

# Welsh answers a mandate's yes-or-no questions with the neutral "Ie" and "Na".
YES_NO = [
    SelectChoice("yes", pgettext("a mandate question", "Yes")),
    SelectChoice("no", pgettext("a mandate question", "No")),
]


class MandateForm(FlaskForm):
    """Purpose, roles and timing; `for_kind()` adds the boundary fields of one stage kind."""

    purpose = TextAreaField(
        _l("Purpose"),
        description=_l("What this stage is for, in plain words."),
        validators=[DataRequired(_l("Enter the purpose of this stage."))],
    )
    roles = TextAreaField(
        _l("Roles"),
        description=_l("Who takes part and what each does. One role a line."),
        validators=[DataRequired(_l("Enter who takes part and what each does."))],
    )
    closes_on = DateField(
        _l("The stage is planned to close on"),
        description=_l("Optional. For example, 27 3 2027."),
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    based_on = HiddenField()  # the content_stamp of the mandate the editor opened
    amendment_reason = TextAreaField(
        _l("Why this amendment is needed"),
        description=_l("Residents will see this reason beside the amendment."),
        validators=[Length(max=2000)],
    )

    boundary_names: tuple[str, ...] = ()
    boundary_inputs: dict[str, str] = {}  # noqa: RUF012 - replaced per kind by for_kind()

    @classmethod
    def for_kind(cls, kind: StageKind, **kwargs: Any) -> MandateForm:
        """A form with the boundary fields of `kind`, in the order its specs give."""
        specs = BOUNDARIES_BY_KIND[kind].specs()
        attrs: dict[str, Any] = {s.name: _field_for(s) for s in specs}
        attrs["boundary_names"] = tuple(s.name for s in specs)
        attrs["boundary_inputs"] = {s.name: s.metadata["input"] for s in specs}
        form_class = type(f"{kind.value.title()}MandateForm", (cls,), attrs)
        return form_class(**kwargs)

    def boundaries_data(self) -> dict[str, Any]:
        """The boundary values, typed as the boundaries dataclass expects them."""
        data: dict[str, Any] = {}
        for name, kind in self.boundary_inputs.items():
            value = self[name].data
            if kind == "bool":
                data[name] = value == "yes"
            elif kind == "lines":
                data[name] = [line.strip() for line in (value or "").splitlines() if line.strip()]
            elif kind == "text":
                data[name] = (value or "").strip()
            elif kind == "int":
                data[name] = value if value is not None else 0
            elif kind == "multi":
                data[name] = list(value or [])
            else:
                data[name] = value
        return data

    def fill(self, boundaries: Boundaries) -> None:
        """Show stored boundaries in the form."""
        for name, kind in self.boundary_inputs.items():
            value = getattr(boundaries, name)
            if kind == "bool":
                value = "yes" if value else "no"
            elif kind == "lines":
                value = "\n".join(value)
            elif kind == "multi":
                value = list(value)
            self[name].data = value


def _field_for(spec: Field[Any]) -> FormField:
    meta = spec.metadata
    label, hint, kind = meta["label"], meta["hint"], meta["input"]
    if kind == "money":
        return MoneyField(label, description=hint, validators=[Optional()])
    if kind == "int":
        return IntegerField(
            label,
            description=hint,
            render_kw={"inputmode": "numeric"},
            validators=[
                InputRequired(_l("Enter a number.")),
                NumberRange(min=0, max=1000, message=_l("Enter a number from 0 to 1000.")),
            ],
        )
    if kind == "bool":
        return RadioField(label, description=hint, choices=YES_NO, validators=[InputRequired(_l("Choose yes or no."))])
    if kind == "choice":
        choices = [SelectChoice(value, text) for value, text in meta["choices"].items()]
        return RadioField(label, description=hint, choices=choices, validators=[InputRequired(_l("Choose an option."))])
    if kind == "multi":  # GOV.UK checkboxes; the boundaries' validation refuses anything not offered
        return SelectMultipleField(
            label,
            description=hint,
            choices=[SelectChoice(value, text) for value, text in meta["choices"].items()],
            option_widget=CheckboxInput(),
            widget=ListWidget(prefix_label=False),
        )
    return TextAreaField(label, description=hint)


class SignForm(FlaskForm):
    side = HiddenField(validators=[InputRequired()])
    version = HiddenField(validators=[InputRequired()])


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Add to the discussion"),
        validators=[
            DataRequired(_l("Write your comment.")),
            Length(max=4000, message=_l("Keep it under 4000 characters.")),
        ],
    )


class TemplateForm(FlaskForm):
    template = SelectField(_l("Start from a template"), validators=[DataRequired(_l("Choose a template."))])


class TemplateImportForm(FlaskForm):
    file = FileField(
        _l("Template file"),
        description=_l("A .json file another council (or this one) exported from Cyd."),
        render_kw={"accept": "application/json,.json"},
    )


class ConfirmForm(FlaskForm):
    """A bare form for a button that changes state: CSRF and nothing else."""
