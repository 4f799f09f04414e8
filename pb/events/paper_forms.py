"""Forms of the paper ballot pages. The ballot's own fields (`choices`, `rank-<id>`, `points-<id>`) are read
with `pb.voting.services.choices_from_form`, as on the online ballot."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired

from pb.forms import IntegerField, Length, NumberRange


class PrintPaperForm(FlaskForm):
    size = IntegerField(
        _l("How many ballots to print"),
        description=_l("From 1 to 2000. They are numbered after every ballot already printed for this vote."),
        validators=[InputRequired(_l("Enter how many ballots to print.")), NumberRange(min=1, max=2000)],
    )


class KeyPaperForm(FlaskForm):
    serial = StringField(
        _l("Serial number"),
        description=_l("As printed at the top of the ballot, with the digit after the dash, like 0042-7."),
        validators=[Length(max=20)],
    )
    spoilt = BooleanField(_l("Spoilt"))
    spoilt_reason = StringField(
        _l("Why it is spoilt"),
        description=_l("For example: more ticks than allowed, no marks, name written on it, marks unclear."),
        validators=[Length(max=200)],
    )


class ResolvePaperForm(FlaskForm):
    choose = RadioField(
        _l("Which reading is right?"),
        choices=[
            SelectChoice("first", _l("Entry 1")),
            SelectChoice("second", _l("Entry 2")),
            SelectChoice("correct", _l("Neither: I key in the right reading below")),
            SelectChoice("spoilt", _l("The ballot is spoilt")),
        ],
        validators=[InputRequired(_l("Choose which reading is right, or that the ballot is spoilt."))],
    )
    spoilt_reason = StringField(
        _l("Why it is spoilt"), description=_l("Only if the ballot is spoilt."), validators=[Length(max=200)]
    )


class PaperCountForm(FlaskForm):
    issued = IntegerField(
        _l("Ballots handed out"),
        description=_l("Counted by hand: the ballots given to people at the event."),
        validators=[InputRequired(_l("Enter how many ballots were handed out.")), NumberRange(min=0, max=100_000)],
    )
    returned = IntegerField(
        _l("Ballots returned"),
        description=_l("Counted by hand: the ballots in the box, before any were keyed in."),
        validators=[InputRequired(_l("Enter how many ballots came back.")), NumberRange(min=0, max=100_000)],
    )


class WithdrawPaperForm(FlaskForm):
    """A button: take back a ballot keyed once under a serial that is not in the box."""
