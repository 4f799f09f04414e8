"""What a person wrote in a form that could not be taken, given back on the page that says so.

A form refused for a reason that is not one of its fields (the stage closed while they typed,
the session ran out, the page was out of date) cannot come back with the words in place: the
page that says why is another page. So that page shows the words, ready to copy, and nothing of
the form is saved. An htmx form needs none of this: it stays on its page as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

# Never given back, even to the person who typed it: a page can be read over a shoulder.
SECRET = re.compile(r"(^|_)(password|pin|code|csrf_token)(_|$)")


@dataclass(frozen=True)
class Words:
    label: str
    text: str


def remember_form(form: FlaskForm) -> None:
    """Name the form this request sent, so that the words it gives back carry the form's labels."""
    g.unsent_form = form


def words_sent() -> list[Words]:
    """What the person wrote in the form this request sent: each answer of more than one word.

    Answers of one word are left out: they are choices, numbers, codes and stamps the page
    made, not writing, and quick to give again. Secrets (passwords, PINs, voting codes) never
    come back. The labels are the form's, if the view named it; otherwise "Your words", in
    numbered parts if there are several.
    """
    if request.method != "POST":
        return []
    form: FlaskForm | None = g.get("unsent_form")
    sent = [
        (name, value.strip())
        for name, value in request.form.items(multi=True)
        if not SECRET.search(name) and any(character.isspace() for character in value.strip())
    ]

    def label(name: str, number: int) -> str:
        if form is not None and name in form:
            return str(form[name].label.text)
        return _("Your words") if len(sent) == 1 else _("Your words, part %(number)d", number=number)

    return [Words(label(name, number), text) for number, (name, text) in enumerate(sent, start=1)]
