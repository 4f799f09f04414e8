"""Forms of the vote: entering a voting code, generating a batch of codes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired

from pb.forms import IntegerField, Length, NumberRange
from pb.voting.codes import MAX_BATCH


class CodeForm(FlaskForm):
    code = StringField(
        _l("Voting code"),
        description=_l("12 letters and numbers, like ABCD-EFGH-JKMN."),
        validators=[
            DataRequired(_l("Enter your voting code.")),
            Length(max=40, message=_l("A voting code has 12 letters and numbers: this has %(length)d characters. "
                                      "Check it and try again.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class CodeBatchForm(FlaskForm):
    size = IntegerField(
        _l("How many codes"),
        description=_l("Up to %(most)d in one batch.", most=MAX_BATCH),
        validators=[
            InputRequired(_l("Enter how many codes to make.")),
            NumberRange(min=1, max=MAX_BATCH, message=_l("Enter a number from 1 to %(most)d.", most=MAX_BATCH)),
        ],
        render_kw={"inputmode": "numeric"},
    )
    label = StringField(
        _l("Name of the batch"),
        description=_l("For example: Grangetown community centre, 14 March."),
        validators=[Length(max=120)],
    )
    layout = RadioField(
        _l("Print them as"),
        choices=[
            SelectChoice("letters", _l("Letters: one code a page, with how to vote")),
            SelectChoice("cards", _l("Cards with a QR code each, to print from this browser")),
            SelectChoice("pdf", _l("A PDF of cards to download")),
        ],
        default="cards",
        validators=[InputRequired(_l("Choose how to print the codes."))],
    )
