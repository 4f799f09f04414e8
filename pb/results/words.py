"""Results in words for people: the counting rule's name, the tie-break order, the dashboard's rows.

The count stores the rule and order as codes (``greedy``, ``score-desc,cost-asc,id-asc``), which
the JSON and .pb files keep for counting tools; pages and the report say them in words, with the
code beside for anyone checking the count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.mandates.boundaries import COUNTING_RULES

# The district of voters whose postcode is not known (by a voting code, they have no account), as
# the dashboard stores it; pages name it in the reader's language.
NOT_KNOWN = "not known"

TIE_BREAK_WORDS = {
    "score-desc": _l("more support first"),
    "score-asc": _l("less support first"),
    "votes-desc": _l("more ballots first"),
    "cost-asc": _l("the cheaper first"),
    "cost-desc": _l("the dearer first"),
    # Ids are compared as text (pb/counting/tiebreak.py), as Pabulib's are strings: "10" before "9".
    "id-asc": _l("the project whose id comes first as text (10 before 9)"),
    "id-desc": _l("the project whose id comes last as text (9 before 10)"),
}


def rule_name(rule: str) -> str:
    """The counting rule as the vote's mandate names it, e.g. "Sequential Phragmén"; an unknown code as it is."""
    return str(COUNTING_RULES.get(rule, rule))


def tie_break_words(order: str) -> str:
    """e.g. "more support first, then the cheaper first, then the project whose id comes first as text …"."""
    words = [str(TIE_BREAK_WORDS.get(key.strip(), key.strip())) for key in order.split(",") if key.strip()]
    return _(", then ").join(words)


def area_rows(by_area: Mapping[str, int]) -> list[tuple[str, int]]:
    """The dashboard's voters by district, the unknown district named in the reader's language."""
    return [(_("not known") if area == NOT_KNOWN else area, n) for area, n in by_area.items()]


def day_rows(by_day: Iterable[tuple[date, int]]) -> list[tuple[str, int]]:
    """The dashboard's ballots by day, each day as people write it ("1 March 2027")."""
    return [(format_date(day, "d MMMM yyyy"), n) for day, n in by_day]
