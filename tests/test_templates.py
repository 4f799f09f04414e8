"""Checks across every template that no single page's test would catch."""

from __future__ import annotations

import re
from pathlib import Path

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
