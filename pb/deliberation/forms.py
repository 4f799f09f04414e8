from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, TextAreaField

from pb.deliberation.models import CommentKind
from pb.forms import Length


class CommentForm(FlaskForm):
    kind = RadioField(
        _l("This is"),
        choices=[
            SelectChoice(CommentKind.COMMENT.value, _l("A comment")),
            SelectChoice(CommentKind.QUESTION.value, _l("A question")),
        ],
        default=CommentKind.COMMENT.value,
    )
    body = TextAreaField(
        _l("Your comment"), validators=[Length(max=4000, message=_l("Keep it under 4000 characters."))]
    )
    parent_id = HiddenField()


class HideForm(FlaskForm):
    ground = SelectField(_l("Ground"), validate_choice=False)
    note = TextAreaField(_l("Public note"), description=_l("It stays in the comment's place, for everyone to read."))


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge this proposal into"), validate_choice=False)
    reason = TextAreaField(_l("Why they belong together"), validators=[Length(max=2000)])
