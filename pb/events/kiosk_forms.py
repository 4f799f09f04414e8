"""Forms of kiosk mode: starting a kiosk from the event's page, and the PIN that ends it on the device."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from pb.forms import Length

# A PIN is typed on a shared screen: hidden as it is typed, with a number keypad, never remembered.
PIN_KEYS = {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*"}


class StartKioskForm(FlaskForm):
    # Named kiosk_… so they cannot clash with the other forms of the event's page.
    kiosk_label = StringField(
        _l("Name of this kiosk"),
        description=_l("Optional. For example: Tablet by the door."),
        validators=[Length(max=60, message=_l("Name the kiosk in 60 characters or fewer."))],
    )
    kiosk_pin = PasswordField(
        _l("Choose a PIN"),
        description=_l("4 to 8 digits. You need it to leave kiosk mode on this device."),
        validators=[DataRequired(_l("Choose a PIN of 4 to 8 digits."))],
        render_kw=PIN_KEYS,
    )
    kiosk_pin_again = PasswordField(
        _l("The PIN again"),
        validators=[
            DataRequired(_l("Type the PIN again.")),
            EqualTo("kiosk_pin", message=_l("The two PINs are different. Type the same PIN twice.")),
        ],
        render_kw=PIN_KEYS,
    )


class LeaveKioskForm(FlaskForm):
    pin = PasswordField(
        _l("PIN"),
        description=_l("The PIN chosen when this kiosk was started."),
        validators=[DataRequired(_l("Enter the PIN.")), Length(max=40, message=_l("Enter the PIN."))],
        render_kw=PIN_KEYS,
    )
