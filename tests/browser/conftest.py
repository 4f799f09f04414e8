"""Browser tests: the real app served on loopback, driven by Debian's Chromium through Playwright.

Chromium comes from the system (`apt-get install chromium`, done by .ci/run); Playwright's own
browser download is never used. Outside CI, a machine without Chromium deselects these tests
with a message saying how to install it; in CI (CI=true) its absence fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from pb import create_app
from pb.db import db
from pb.demo import DEMO_PASSWORD, seed_demo

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text() if AXE.exists() else ""
PHONE = {"width": 360, "height": 740}  # an older phone's width
# Nothing on the page is wider than the screen. Not `window.innerWidth`: a phone's browser widens its
# layout viewport to the content, so innerWidth grows with whatever overflows.
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
T = TypeVar("T")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [
        what for what, ok in (("chromium", os.path.exists(CHROMIUM)), ("axe-core (npm ci)", AXE.exists())) if not ok
    ]
    if not missing:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests need {', '.join(missing)}; .ci/run must install it.")
    browser_items = [item for item in items if "browser" in item.keywords]
    if browser_items:
        items[:] = [item for item in items if "browser" not in item.keywords]
        config.hook.pytest_deselected(items=browser_items)
        print(
            f"\nDeselected {len(browser_items)} browser tests: {', '.join(missing)} not installed "
            "(run `sudo make browser-deps` and `npm ci`)."
        )


def _in_app_thread(app: Flask, work: Callable[[], T]) -> T:
    """Run `work` in an app context on another thread; return what it returns.

    Playwright's sync API keeps an event loop running on the test's thread, and Flask runs the
    database extension's async teardown through asgiref, which refuses such a thread.
    """
    done: list[T] = []

    def target() -> None:
        with app.app_context():
            done.append(work())

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    assert done, "the work failed (its traceback is above)"
    return done[0]


@pytest.fixture
def live_app(database_url: str) -> Iterator[Flask]:
    """The app with the demo cycle; `live_server` serves it."""
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url}, SERVER_NAME=None)
    _in_app_thread(app, seed_demo)
    yield app
    _in_app_thread(app, lambda: db.engine.dispose())


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[str]:
    """The app served on a free loopback port for the length of a test."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def in_app(app: Flask, work: Callable[[], T]) -> T:
    """Set data up (or read it) through the services, in the app, from a browser test (see _in_app_thread)."""
    return _in_app_thread(app, work)


@pytest.fixture(scope="module")  # not session: its event loop must be gone before other modules' tests
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh phone-sized page with no cookies."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


# The page laid out and painted (two animation frames), then axe-core's WCAG 2.x A and AA rules.
AXE_RUN = """async () => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.x A and AA rules on the page; return the violations.

    A page still settling after an answer (the two CPUs of CI shared by the browser, the app and
    PostgreSQL) has once given target-size violations in the site's header that the same page,
    laid out, does not have: what is found is looked at again once, half a second later, and only
    what is found both times is reported. A real violation is there both times.
    """
    # Evaluated through the DevTools protocol, so the page's strict CSP stays on for the test.
    page.evaluate(AXE_SOURCE)
    found = _violations(page.evaluate(AXE_RUN))
    if found:
        page.wait_for_timeout(500)
        again = _violations(page.evaluate(AXE_RUN))
        found = [v for v in again if v in found]
    return found


def _violations(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


# Buttons, fields and the like (not links inside sentences, which WCAG 2.5.8 exempts) are 24 px or more.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]), select, summary, a.button, a.back-link')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
  .filter(([, r]) => r.width < 24 || r.height < 24).map(([html]) => html)"""


def fits_a_phone(page: Page) -> None:
    """axe finds nothing, nothing scrolls sideways, and every control is big enough to tap."""
    assert axe_violations(page) == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.evaluate(SMALL_TARGETS) == []


def sign_in(page: Page, base: str, email: str = "resident@example.org") -> None:
    """Sign in to the demo as `email`, on the English sign-in page, and wait until it has worked."""
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
