from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from pb.forms import MoneyField


class ProposalForm(FlaskForm):
    title = StringField(
        "Title",
        description="A short name for your idea.",
        validators=[
            DataRequired("Enter a title for your proposal."),
            Length(max=120, message="The title must be 120 characters or fewer."),
        ],
    )
    summary = TextAreaField(
        "Describe your proposal",
        description="What would be done, where, and who it helps.",
        validators=[
            DataRequired("Describe your proposal."),
            Length(max=2000, message="The description must be 2000 characters or fewer."),
        ],
    )
    cost = MoneyField(
        "Estimated cost, in pounds",
        description="For example, 4500.",
        validators=[InputRequired("Enter the estimated cost.")],
    )


class ReviewForm(FlaskForm):
    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice("eligible", "Eligible: put it on the ballot"), SelectChoice("ruled_out", "Rule it out")],
        validators=[InputRequired("Choose eligible or rule it out.")],
    )
    # The review mandate, not the form, decides which grounds are allowed (with the clause that says so).
    ground = SelectField("Ground", choices=[], validate_choice=False)
    reason = TextAreaField("Public reason", description="Residents will see this.")
    new_cost = MoneyField(
        "Revised cost, in pounds", description="Leave empty to keep the cost.", validators=[Optional()]
    )
    cost_reason = TextAreaField("Why the cost changes", description="Residents will see this.")
