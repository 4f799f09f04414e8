from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from pb.accounts.roles import ROLE_NAMES
from pb.accounts.services import MIN_PASSWORD_LENGTH
from pb.forms import Length


def new_password_field(label: str, missing: str) -> PasswordField:
    """A password being chosen, as long as accounts.services requires; password managers may fill it in."""
    shortest = MIN_PASSWORD_LENGTH
    return PasswordField(
        label,
        description=_l("At least %(num)d characters.", num=shortest),
        validators=[
            DataRequired(missing),
            Length(min=shortest, message=_l("Your password must be at least %(num)d characters.", num=shortest)),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _stripped(value: str | None) -> str | None:
    return value.strip() if value else value


def email_field(description: str = "", label: str = _l("Email address")) -> EmailField:
    """An email address someone types, checked for its shape (not whether it takes mail), without spaces around it."""
    return EmailField(
        label,
        description=description,
        filters=[_stripped],
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(
                _l("Enter an email address in the correct format, like name@example.com."), check_deliverability=False
            ),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class SignInForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[DataRequired(_l("Enter your email address."))],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class SignUpForm(FlaskForm):
    """Creating an account on one page, where Cyd sends no email (pb/accounts/sign_up_link.py)."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    email = email_field()
    password = new_password_field(_l("Create a password"), _l("Enter a password."))


class SignUpEmailForm(FlaskForm):
    """Creating an account where Cyd sends email: the address first, which a link sent to it confirms."""

    email = email_field(_l("We will send a link to this address. You finish creating your account from it."))


class FinishSignUpForm(FlaskForm):
    """The page the sign-up link opens: the rest of the account."""

    name = StringField(
        _l("Your name"),
        description=_l("As you would like it shown beside what you propose and say."),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password = new_password_field(_l("Create a password"), _l("Enter a password."))


class DetailsForm(FlaskForm):
    """What a vote's mandate may ask of an account holder: where they live and how old they are."""

    postcode = StringField(
        _l("Postcode"),
        description=_l("For example, CF11 6AB."),
        validators=[Optional(), Length(max=10, message=_l("Enter a real postcode, like CF11 6AB."))],
        render_kw={"autocomplete": "postal-code", "spellcheck": "false"},
    )
    date_of_birth = DateField(
        _l("Date of birth"),
        validators=[Optional()],
        render_kw={"autocomplete": "bday"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field(_l("New password"), _l("Enter a new password."))


class RoleForm(FlaskForm):
    """An administrator gives a person a role, in every cycle or in one (pb/accounts/roles.py)."""

    role = RadioField(
        _l("Which role?"),
        choices=[SelectChoice(role.value, name) for role, name in ROLE_NAMES.items()],
        validators=[InputRequired(_l("Choose a role."))],
    )
    cycle = SelectField(
        _l("In which cycle?"),
        description=_l("A role in one cycle gives no say in any other."),
        validators=[Optional()],
    )

    def offer_cycles(self, cycle_titles: dict[int, str]) -> None:
        self.cycle.choices = [SelectChoice("", _l("Every cycle"))] + [
            SelectChoice(str(i), title) for i, title in cycle_titles.items()
        ]


class ForgotPasswordForm(FlaskForm):
    email = email_field(_l("The address you created your account with."))


class ResetPasswordForm(FlaskForm):
    password = new_password_field(_l("New password"), _l("Enter a new password."))


class PersonDetailsForm(FlaskForm):
    """An administrator changes a person's name or email address (pb/accounts/people.py)."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the person's name.")), Length(max=120)],
        render_kw={"autocomplete": "off"},
    )
    email = email_field(_l("Emails about the account, such as a link to choose a new password, go here."))


class RemoveAccountForm(FlaskForm):
    """A person removes their own account, giving their password (pb/accounts/erasure.py)."""

    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class NameForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        description=_l("As you would like it shown beside what you propose and say."),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )


class EmailChangeForm(FlaskForm):
    """A person's new email address, with their password (pb/accounts/email_change.py)."""

    email = email_field(label=_l("New email address"))
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
