"""Every page each demo role can reach by following links, on a phone: axe finds nothing, nothing
scrolls sideways, every control is big enough to tap, and nothing answers with an error.

The other browser tests check the pages of what a person does; this one also reaches the pages
nobody thought to put in a journey. It follows links only (GET), never submits a form.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser

from tests.browser.conftest import NO_SIDEWAYS_SCROLL, PHONE, SMALL_TARGETS, axe_violations, in_app, sign_in
from tests.browser.test_delivery_on_phone import decided_cycle

pytestmark = pytest.mark.browser

# Links that leave the page's kind: downloads, the open-data API, switching language (a cookie).
NOT_PAGES = re.compile(r"/language/|/static/|/api/|/export|\.(pdf|csv|xlsx|json|pb|ics)\b|format=|download|/print")
MOST_PAGES = 150  # the commissioner reaches 64
# Pages of one kind (one route, the same query keys: a proposal, a filtered list) read at most this
# often: another proposal or another theme's filter is the same template over different data.
MOST_OF_A_KIND = 3


# Beside the demo's cycle (its vote open), for some: a second cycle that has voted, decided and
# is delivering, so the results, the decision and delivery's pages are reached too.
@pytest.mark.parametrize(("email", "language", "decided"), [
    (None, "en", True),
    ("resident@example.org", "en", True),
    ("representative@example.org", "en", False),
    ("commissioner@example.org", "en", True),
    ("facilitator@example.org", "en", False),
    ("admin@example.org", "en", False),
    (None, "cy", False),
    ("resident@example.org", "cy", True),
    ("councillor@example.org", "cy", True),
])
def test_every_page_a_person_can_reach_passes_axe_and_fits_a_phone(
    live_app: Flask, live_server: str, browser: Browser, email: str | None, language: str, decided: bool
) -> None:
    if decided:
        in_app(live_app, decided_cycle)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    if email:
        sign_in(page, live_server, email)
    if language == "cy":
        page.goto(f"{live_server}/language/cy?next=/")

    problems: list[tuple[str, object]] = []
    seen: set[str] = set()
    kinds: Counter[tuple[str, frozenset[str]]] = Counter()
    routes = live_app.url_map.bind("localhost")
    to_visit = ["/"]
    while to_visit and len(seen) < MOST_PAGES:
        path = to_visit.pop(0)
        if path in seen:
            continue
        seen.add(path)
        target = urlsplit(path)
        kind = (routes.match(target.path)[0], frozenset(parse_qs(target.query)))
        kinds[kind] += 1
        if kinds[kind] > MOST_OF_A_KIND:
            continue
        response = page.goto(live_server + path)
        assert response is not None
        if response.status >= 400:
            problems.append((path, response.status))
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        assert page.locator("html").get_attribute("lang") == language, path
        problems += [(path, v) for v in axe_violations(page)]
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            problems.append((path, "scrolls sideways"))
        problems += [(path, f"too small to tap: {html}") for html in page.evaluate(SMALL_TARGETS)]
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urlsplit(urljoin(page.url, href))
            if f"{target.scheme}://{target.netloc}" != live_server:
                continue
            found = target.path + (f"?{target.query}" if target.query else "")
            if found not in seen and not NOT_PAGES.search(found):
                to_visit.append(found)
    context.close()
    assert len(seen) > 10, seen  # signed in and following links, not stuck on one page
    assert problems == []
