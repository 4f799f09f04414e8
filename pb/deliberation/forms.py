from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from pb.deliberation.models import CommentKind


class CommentForm(FlaskForm):
    kind = RadioField(
        "This is",
        choices=[
            SelectChoice(CommentKind.COMMENT.value, "A comment"),
            SelectChoice(CommentKind.QUESTION.value, "A question"),
        ],
        default=CommentKind.COMMENT.value,
    )
    body = TextAreaField("Your comment", validators=[Length(max=4000, message="Keep it under 4000 characters.")])
    parent_id = HiddenField()


class HideForm(FlaskForm):
    ground = SelectField("Ground", validate_choice=False)
    note = TextAreaField("Public note", description="It stays in the comment's place, for everyone to read.")


class MergeForm(FlaskForm):
    target = SelectField("Merge this proposal into", validate_choice=False)
    reason = TextAreaField("Why they belong together", validators=[Length(max=2000)])
