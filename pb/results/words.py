"""How a count was made, in words for people: the counting rule's name and the tie-break order.

The count stores them as codes (``greedy``, ``score-desc,cost-asc,id-asc``), which the JSON and
.pb files keep for counting tools; pages and the report say them in words, with the code beside
for anyone checking the count.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.mandates.boundaries import COUNTING_RULES

TIE_BREAK_WORDS = {
    "score-desc": _l("more support first"),
    "score-asc": _l("less support first"),
    "votes-desc": _l("more ballots first"),
    "cost-asc": _l("the cheaper first"),
    "cost-desc": _l("the dearer first"),
    "id-asc": _l("the lower project number first"),
    "id-desc": _l("the higher project number first"),
}


def rule_name(rule: str) -> str:
    """The counting rule as the vote's mandate names it, e.g. "Sequential Phragmén"; an unknown code as it is."""
    return str(COUNTING_RULES.get(rule, rule))


def tie_break_words(order: str) -> str:
    """e.g. "more support first, then the cheaper first, then the lower project number first"."""
    words = [str(TIE_BREAK_WORDS.get(key.strip(), key.strip())) for key in order.split(",") if key.strip()]
    return _(", then ").join(words)
