from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address.")],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password.")], render_kw={"autocomplete": "current-password"}
    )


class SignUpForm(FlaskForm):
    name = StringField(
        "Your name", validators=[DataRequired("Enter your name."), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address in the correct format, like name@example.com.", check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    password = PasswordField(
        "Create a password",
        description="At least 10 characters.",
        validators=[
            DataRequired("Enter a password."),
            Length(min=10, message="Your password must be at least 10 characters."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
