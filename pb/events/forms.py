from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from pb.forms import IntegerField, Length, NumberRange


class EventForm(FlaskForm):
    stage = SelectField(_l("Stage"), description=_l("The stage the event belongs to."), validate_choice=False)
    title = StringField(_l("Name of the event"), validators=[Length(max=120)])
    venue = StringField(
        _l("Where"),
        description=_l("The building and address, for example: Grangetown Hub, Havelock Place."),
        validators=[Length(max=200)],
    )
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    expected_attendance = IntegerField(
        _l("How many people you expect"), default=0, validators=[Optional(), NumberRange(min=0, max=100_000)]
    )
    facilitators = SelectMultipleField(
        _l("Who runs it"),
        description=_l("The cycle's facilitators and commissioners."),
        validate_choice=False,
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )


class FindAttendeeForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET) changes nothing

    q = StringField(_l("Find someone by name or postcode"), validators=[Length(max=120)])


class RegisterAttendeeForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("As they would like to be called."), validators=[Length(max=120)])
    postcode = StringField(
        _l("Postcode"),
        description=_l("Optional. Only if they want to give it: the whole postcode, or its first half."),
        validators=[Length(max=10)],
    )
    # Shown only where the vote's mandate has the desk check a minimum age (its label names the age).
    old_enough = BooleanField(_l("They say they are old enough to vote"))
    submission = HiddenField()
    check_in = SubmitField(_l("Check in and give a voting code"))
    register_only = SubmitField(_l("Add to the list without checking in"))


class CheckInForm(FlaskForm):
    """A button: check in someone already on the list (with a postcode and their age, where the desk checks them)."""

    postcode = StringField(_l("Postcode"), validators=[Length(max=10)])
    old_enough = BooleanField(_l("Old enough to vote"))
