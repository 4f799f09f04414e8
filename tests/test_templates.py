"""Checks across every template that no single page's test would catch."""

from __future__ import annotations

import re
from pathlib import Path

from pb.templating import page_numbers

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
WRAPPER = re.compile(r"<div [^>]*class=\"table-wrapper\"[^>]*>")


def test_every_table_that_scrolls_sideways_can_be_scrolled_from_the_keyboard() -> None:
    """A table wider than a phone scrolls inside its wrapper, which a keyboard must be able to reach
    and a screen reader to name (WCAG 2.1.1; axe's scrollable-region-focusable)."""
    wrappers = [(path.name, tag) for path in TEMPLATES.rglob("*.html") for tag in WRAPPER.findall(path.read_text())]
    assert len(wrappers) > 10
    unreachable = [(name, tag) for name, tag in wrappers
                   if not all(part in tag for part in ('role="region"', "aria-label=", 'tabindex="0"'))]
    assert unreachable == []


def test_a_long_list_offers_the_first_and_last_pages_and_those_beside_this_one() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(1, 10) == [1, 2, None, 10]
    assert page_numbers(5, 10) == [1, None, 4, 5, 6, None, 10]
    assert page_numbers(3, 10) == [1, 2, 3, 4, None, 10]
    assert page_numbers(4, 10) == [1, 2, 3, 4, 5, None, 10]  # one page left out is shown, not an ellipsis
    assert page_numbers(7, 8) == [1, None, 6, 7, 8]
    assert page_numbers(10, 10) == [1, None, 9, 10]
