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


LIVE_REGION = re.compile(r'<[a-z]+ id="([a-z-]+)"[^>]*aria-live=')
HTMX_TARGET = re.compile(r'hx-target="#([a-z-]+)"([^>]*)>')


def test_htmx_changes_what_is_in_a_live_region_never_the_region_itself() -> None:
    """A screen reader announces a change inside a live region already on the page, not a new region
    put in its place (WCAG 4.1.3): so htmx swaps the region's inside, selected from its answer."""
    pages = {str(path.relative_to(TEMPLATES)): path.read_text() for path in TEMPLATES.rglob("*.html")}
    live = {region for text in pages.values() for region in LIVE_REGION.findall(text)}
    assert {"meter", "results", "pledge", "attendees"} <= live
    swaps = [(name, region, rest) for name, text in pages.items() for region, rest in HTMX_TARGET.findall(text)
             if region in live]
    assert len(swaps) > 10
    replaced = [(name, region) for name, region, rest in swaps
                if 'hx-swap="innerHTML"' not in rest or f'hx-select="#{region} &gt; *"' not in rest]
    assert replaced == []


def test_a_long_list_offers_the_first_and_last_pages_and_those_beside_this_one() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(1, 10) == [1, 2, None, 10]
    assert page_numbers(5, 10) == [1, None, 4, 5, 6, None, 10]
    assert page_numbers(3, 10) == [1, 2, 3, 4, None, 10]
    assert page_numbers(4, 10) == [1, 2, 3, 4, 5, None, 10]  # one page left out is shown, not an ellipsis
    assert page_numbers(7, 8) == [1, None, 6, 7, 8]
    assert page_numbers(10, 10) == [1, None, 9, 10]


def test_every_state_a_tag_shows_has_a_name_in_the_sites_words() -> None:
    from pb.cycles.models import StageState
    from pb.proposals.models import ProposalStatus
    from pb.templating import TAG_NAMES

    missing = [state.value for state in [*StageState, *ProposalStatus] if state.value not in TAG_NAMES]
    assert missing == []


def test_a_stage_whose_mandate_is_agreed_is_tagged_ready_to_open(app) -> None:
    from pb.templating import tag_name

    with app.test_request_context():
        assert tag_name("agreed", of_stage=True) == "ready to open" and tag_name("agreed") == "agreed"  # a mandate
        assert tag_name("open", of_stage=True) == "open"


def test_an_event_on_one_day_gives_its_date_once(app) -> None:
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from pb.templating import time_span

    with app.test_request_context():
        evening = datetime(2027, 3, 1, 17, 0, tzinfo=UTC), datetime(2027, 3, 1, 20, 0, tzinfo=UTC)
        assert time_span(*evening) == "1 March 2027, 17:00 to 20:00"
        overnight = datetime(2027, 3, 1, 22, 0, tzinfo=UTC), datetime(2027, 3, 2, 2, 0, tzinfo=UTC)
        assert time_span(*overnight) == "1 March 2027, 22:00 to 2 March 2027, 02:00"
        summer = datetime(2027, 7, 1, 16, 0, tzinfo=UTC), datetime(2027, 7, 1, 22, 30, tzinfo=UTC)
        assert time_span(*summer) == "1 July 2027, 17:00 to 23:30"  # in the council's time, not UTC's
        with force_locale("cy"):
            assert time_span(*evening) == "1 Mawrth 2027, 17:00 i 20:00"


def test_every_action_the_audit_log_records_has_a_name_in_words() -> None:
    import ast
    from pathlib import Path

    from pb.audit.words import ACTION_NAMES

    recorded = set()
    for source in Path("pb").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            called = getattr(node, "func", None)
            name = getattr(called, "id", None) or getattr(called, "attr", "")
            if isinstance(node, ast.Call) and name in ("record", "_record_link") and node.args:
                recorded |= {n.value for n in ast.walk(node.args[0]) if isinstance(n, ast.Constant)}
    assert len(recorded) > 60  # the scan found them
    assert sorted(recorded - set(ACTION_NAMES)) == []
