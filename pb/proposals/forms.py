from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from pb.forms import IntegerField, Length, MoneyField, NumberRange
from pb.proposals.services import ProposalFields

LANGUAGE_CHOICES = [SelectChoice("en", _l("English")), SelectChoice("cy", _l("Cymraeg (Welsh)"))]


class ProposalForm(FlaskForm):
    """A proposal, written on a phone in a few minutes. Checked fully by the service on submission."""

    language = RadioField(_l("Which language are you writing in?"), choices=LANGUAGE_CHOICES, default="en")
    title = StringField(
        _l("Title"),
        description=_l("A short name for your idea."),
        validators=[Length(max=120, message=_l("The title must be 120 characters or fewer."))],
    )
    summary = TextAreaField(
        _l("Summary"),
        description=_l("One or two sentences: what, where, and who it helps."),
        validators=[Length(max=500, message=_l("The summary must be 500 characters or fewer."))],
    )
    description = TextAreaField(
        _l("More detail"),
        description=_l("Optional. How it would work, and why it matters."),
        validators=[Length(max=10_000)],
    )
    theme_id = SelectField(
        _l("Theme"), coerce=lambda v: int(v) if v not in (None, "", "None") else None, validate_choice=False
    )
    area = SelectField(_l("Area"), validate_choice=False)
    cost = MoneyField(_l("Estimated cost, in pounds"), description=_l("For example, 4500."), validators=[Optional()])
    volunteer_hours = IntegerField(
        _l("Volunteer hours residents would give"),
        description=_l("Optional. Your best guess, for example 40."),
        validators=[
            Optional(),
            NumberRange(min=0, max=100_000, message=_l("Enter a number of hours from 0 to 100,000.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    materials = TextAreaField(
        _l("Materials residents would give"),
        description=_l("Optional. For example, plants from the allotment society."),
        validators=[Length(max=2000)],
    )
    space = TextAreaField(
        _l("Space residents would offer"),
        description=_l("Optional. For example, the church hall on Saturdays."),
        validators=[Length(max=2000)],
    )
    title_translated = StringField(
        _l("Title in the other language"), description=_l("Optional."), validators=[Length(max=120)]
    )
    summary_translated = TextAreaField(_l("Summary in the other language"), validators=[Length(max=500)])
    description_translated = TextAreaField(_l("More detail in the other language"), validators=[Length(max=10_000)])
    image = FileField(
        _l("A picture"),
        description=_l("Optional. A JPG, PNG or WebP smaller than 5 MB."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    image_alt = StringField(
        _l("Describe the picture"), description=_l("For people who cannot see it."), validators=[Length(max=300)]
    )

    def fields_data(self) -> ProposalFields:
        """The proposal as typed, mapped field by field."""
        return ProposalFields(
            title=self.title.data or "",
            summary=self.summary.data or "",
            description=self.description.data or "",
            language=self.language.data or "en",
            title_translated=self.title_translated.data or "",
            summary_translated=self.summary_translated.data or "",
            description_translated=self.description_translated.data or "",
            theme_id=self.theme_id.data,
            area=(self.area.data or None) if "area" in self else None,
            cost=self.cost.data,
            volunteer_hours=self.volunteer_hours.data or 0,
            materials=self.materials.data or "",
            space=self.space.data or "",
        )

    def fill(self, data: ProposalFields) -> None:
        for name, value in data.to_dict().items():
            if name in self:
                self[name].data = value


class ReviewForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[
            SelectChoice("eligible", _l("Eligible: put it on the ballot")),
            SelectChoice("ruled_out", _l("Rule it out")),
        ],
        validators=[InputRequired(_l("Choose eligible or rule it out."))],
    )
    # The review mandate, not the form, decides which grounds are allowed (with the clause that says so).
    ground = SelectField(_l("Ground"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Public reason"), description=_l("Residents will see this."))
    new_cost = MoneyField(
        _l("Revised cost, in pounds"), description=_l("Leave empty to keep the cost."), validators=[Optional()]
    )
    cost_reason = TextAreaField(_l("Why the cost changes"), description=_l("Residents will see this."))


class ResponseForm(FlaskForm):
    response = TextAreaField(
        _l("Your response to the review"), description=_l("Everyone can read it."), validators=[Length(max=4000)]
    )
    revise = RadioField(
        _l("Do you want to change your proposal too?"),
        choices=[
            SelectChoice("no", _l("No, just respond")),
            SelectChoice("yes", _l("Yes, change it and send it back for review")),
        ],
        default="no",
    )
    summary = TextAreaField(_l("Summary"), validators=[Length(max=500)])
    cost = MoneyField(_l("Estimated cost, in pounds"), validators=[Optional()])
