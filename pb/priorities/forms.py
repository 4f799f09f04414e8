from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from pb.forms import Length
from pb.priorities.models import AssetType, NeedKind


class NeedForm(FlaskForm):
    kind = RadioField(
        _l("What are you recording?"),
        default=NeedKind.NEED.value,
        choices=[
            SelectChoice(NeedKind.NEED.value, _l("A need: something the area lacks")),
            SelectChoice(NeedKind.ASSET.value, _l("An asset: something the area already has")),
        ],
    )
    asset_type = RadioField(
        _l("If it is an asset, what kind?"),
        validate_choice=False,
        choices=[
            SelectChoice(AssetType.PLACE.value, _l("A place")),
            SelectChoice(AssetType.GROUP.value, _l("A group")),
            SelectChoice(AssetType.SKILL.value, _l("A skill residents offer")),
            SelectChoice(AssetType.OTHER.value, _l("Something else")),
        ],
    )
    title = StringField(_l("In a few words"), validators=[Length(max=120)])
    description = TextAreaField(_l("Tell us more"), description=_l("Optional."), validators=[Length(max=2000)])
    area = SelectField(_l("Area"), validate_choice=False)
    theme_id = SelectField(
        _l("Theme"), validate_choice=False, coerce=lambda v: int(v) if v not in (None, "", "None") else None
    )


class ThemeForm(FlaskForm):
    name = StringField(
        _l("Theme"),
        description=_l("For example: green spaces, young people, getting around."),
        validators=[Length(max=80)],
    )
    description = TextAreaField(_l("What it covers"), description=_l("Optional."), validators=[Length(max=1000)])
    needs = SelectMultipleField(
        _l("Needs and assets it gathers"),
        validate_choice=False,
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
