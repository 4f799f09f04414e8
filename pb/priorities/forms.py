from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from pb.priorities.models import AssetType, NeedKind


class NeedForm(FlaskForm):
    kind = RadioField(
        "What are you recording?",
        default=NeedKind.NEED.value,
        choices=[
            SelectChoice(NeedKind.NEED.value, "A need: something the area lacks"),
            SelectChoice(NeedKind.ASSET.value, "An asset: something the area already has"),
        ],
    )
    asset_type = RadioField(
        "If it is an asset, what kind?",
        validate_choice=False,
        choices=[
            SelectChoice(AssetType.PLACE.value, "A place"),
            SelectChoice(AssetType.GROUP.value, "A group"),
            SelectChoice(AssetType.SKILL.value, "A skill residents offer"),
            SelectChoice(AssetType.OTHER.value, "Something else"),
        ],
    )
    title = StringField("In a few words", validators=[Length(max=120)])
    description = TextAreaField("Tell us more", description="Optional.", validators=[Length(max=2000)])
    area = SelectField("Area", validate_choice=False)
    theme_id = SelectField(
        "Theme", validate_choice=False, coerce=lambda v: int(v) if v not in (None, "", "None") else None
    )


class ThemeForm(FlaskForm):
    name = StringField(
        "Theme", description="For example: green spaces, young people, getting around.", validators=[Length(max=80)]
    )
    description = TextAreaField("What it covers", description="Optional.", validators=[Length(max=1000)])
    needs = SelectMultipleField(
        "Needs and assets it gathers",
        validate_choice=False,
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
