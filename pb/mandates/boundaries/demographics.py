"""The fixed catalogue of optional questions a vote's mandate may ask voters about themselves.

Standard UK and Welsh equality-monitoring questions with fixed answers, so that what voters
answer can be set beside the area's population (the 2021 Census's own categories where it
has them). A vote's mandate (`vote.demographics`) chooses which of them, if any, are asked:
residents and commissioners agree on it as they agree on the ballot. The keys are stable
(stored in the database, the mandate and the exports); the words are translated.

Every question has "Prefer not to say". Yes and no answers carry a context, because Welsh
answers with the question's verb ("Ydw", "Gallaf"): `pgettext` is Flask-Babel's lazy one,
imported under the name Babel's extractor already knows.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext

PREFER_NOT_TO_SAY = "prefer_not_to_say"


@dataclass(frozen=True)
class Question:
    """One monitoring question: its key, short title, the question as asked, a hint, the answers."""

    key: str
    title: str
    label: str
    answers: dict[str, str]  # answer key → words, in the order asked; "Prefer not to say" last
    hint: str = ""

    @property
    def population_answers(self) -> dict[str, str]:
        """The answers a population has shares of: all but "Prefer not to say"."""
        return {k: v for k, v in self.answers.items() if k != PREFER_NOT_TO_SAY}


def _prefer_not() -> dict[str, str]:
    return {PREFER_NOT_TO_SAY: _l("Prefer not to say")}


QUESTIONS: dict[str, Question] = {
    q.key: q
    for q in (
        Question(
            "age",
            _l("Age"),
            _l("How old are you?"),
            {
                "under_16": _l("Under 16"),
                "16_24": _l("16 to 24"),
                "25_34": _l("25 to 34"),
                "35_44": _l("35 to 44"),
                "45_54": _l("45 to 54"),
                "55_64": _l("55 to 64"),
                "65_74": _l("65 to 74"),
                "75_over": _l("75 or over"),
                **_prefer_not(),
            },
        ),
        Question(
            "gender",
            _l("Gender"),
            _l("What is your gender?"),
            {
                "woman": _l("Woman"),
                "man": _l("Man"),
                "another_way": _l("Non-binary, or in another way"),
                **_prefer_not(),
            },
        ),
        Question(
            "disability",
            _l("Disability"),
            _l("Are you disabled?"),
            {
                "yes": pgettext("are you disabled", "Yes"),
                "no": pgettext("are you disabled", "No"),
                **_prefer_not(),
            },
            hint=_l(
                "Under the Equality Act 2010 you are disabled if you have a physical or mental impairment "
                "that has a substantial and long-term effect on your ability to do normal daily activities."
            ),
        ),
        Question(
            "ethnic_group",
            _l("Ethnic group"),
            _l("What is your ethnic group?"),
            {
                "asian": _l("Asian, Asian Welsh or Asian British"),
                "black": _l("Black, Black Welsh, Black British, Caribbean or African"),
                "mixed": _l("Mixed or multiple ethnic groups"),
                "white": _l("White"),
                "other": _l("Other ethnic group"),
                **_prefer_not(),
            },
        ),
        Question(
            "welsh",
            _l("Welsh language"),
            _l("Can you speak Welsh?"),
            {
                "yes": pgettext("can you speak Welsh", "Yes"),
                "no": pgettext("can you speak Welsh", "No"),
                **_prefer_not(),
            },
        ),
    )
}

# For the mandate editor's checkboxes and the clause: each question by its short title.
QUESTION_CHOICES: dict[str, str] = {
    "age": _l("Age band (under 16, 16 to 24, … 75 or over)"),
    "gender": _l("Gender"),
    "disability": _l("Disability, as the Equality Act 2010 defines it"),
    "ethnic_group": _l("Ethnic group (the five groups of the 2021 Census)"),
    "welsh": _l("Whether they can speak Welsh"),
}
assert QUESTION_CHOICES.keys() == QUESTIONS.keys()
