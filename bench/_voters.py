"""The client side of bench/load.py and bench/faults.py: people voting on their phones, over loopback.

Standard library only: a thread per person, `http.client`, one kept-alive connection each, cookies
kept as a browser keeps them, redirects followed one request at a time (each is measured). Every
person connects from an address of their own in 127.0.0.0/8 (Linux routes the whole block to
the loopback interface), so the per-address limits on sign-in and code entry see one person per
address, as they would on the internet: nothing in the app or its configuration is relaxed.
"""

from __future__ import annotations

import http.client
import itertools
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from bench._database import PASSWORD, Seed

TIMEOUT = 30.0
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([0-9a-f]+)"')
RECEIPT = re.compile(r'<strong class="receipt">([A-Z0-9-]+)</strong>')
APP_TIMING = re.compile(r"\bapp;dur=([0-9.]+)")
# Text that must never reach a person, whatever fails.
LEAKS = re.compile(r"Traceback|File \"/|sqlalchemy|psycopg|OperationalError|sqlite3", re.IGNORECASE)
_addresses = itertools.count(1)


def next_address() -> str:
    """A loopback address nobody in this run has used: 127.1.0.1, 127.1.0.2 … (never .0 or .255)."""
    n = next(_addresses)
    return f"127.{1 + n // 63_500 % 250}.{n // 254 % 250}.{1 + n % 254}"


class Failed(Exception):
    """A request that did not get the answer a browser expected; it is already recorded."""


class TimeUp(Exception):
    """The load is over: the person leaves at their next pause (never between confirming and the receipt)."""


@dataclass
class Fault:
    """A failed request as the person saw it."""

    at: float
    page: str
    status: int  # 0: no answer at all (connection refused or reset, a timeout)
    detail: str
    app_page: bool  # the app's own error page (or, to htmx, its message fragment), not a bare server answer
    leak: bool  # the body held traceback or driver text


class Sample(NamedTuple):
    """One request as the person saw it."""

    at: float  # when it finished (time.monotonic())
    page: str
    status: int
    ms: float
    ok: bool  # the answer a browser expected
    app_ms: float | None  # of which the app's own work (its Server-Timing header; None without an answer)


@dataclass
class Recorder:
    """Every request of a load, and what the voters were told."""

    samples: list[Sample] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    ledger: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    votes: int = 0
    acked: list[float] = field(default_factory=list)  # when each receipt came back
    confirming: int = 0  # confirmations sent whose receipt page has not come back yet
    ran_out: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, status: int, ms: float, ok: bool, app_ms: float | None = None) -> None:
        self.samples.append(Sample(time.monotonic(), page, status, ms, ok, app_ms))

    def event(self, voter: str, *event: str) -> None:
        self.ledger.setdefault(voter, []).append(event)
        with self.lock:
            if event[0] == "ack":
                self.votes += 1
                self.acked.append(time.monotonic())
                self.confirming -= 1
            else:
                self.confirming += 1

    def gave_up(self) -> None:
        """A confirmation that never got its receipt page (the person gave up)."""
        with self.lock:
            self.confirming -= 1


@dataclass(frozen=True)
class Page:
    status: int
    location: str
    text: str


class Browser:
    """One person's phone: an address of its own, its own cookies, one kept-alive connection.

    `patience` is how many times a failed request is tried again (after `wait` seconds), as a
    person presses Reload or *Confirm my vote* again; 0 in the loads, more in the fault runs.
    """

    def __init__(self, port: int, recorder: Recorder, *, patience: int = 0, wait: float = 0.5) -> None:
        self.port = port
        self.address = next_address()
        self.recorder = recorder
        self.patience = patience
        self.wait = wait
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.used = False  # the connection has carried a request: it may have been closed while idle

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def get(self, path: str, page: str, *, expect: int = 200) -> Page:
        return self.request("GET", path, page, expect=expect)

    def post(self, path: str, page: str, form: dict[str, object], *, expect: int = 303, hx: bool = False) -> Page:
        return self.request("POST", path, page, form=form, expect=expect, hx=hx)

    def follow(self, answer: Page, page: str) -> Page:
        """GET the redirect's target, as a browser does at once."""
        target = urlsplit(answer.location)
        return self.get(target.path + (f"?{target.query}" if target.query else ""), page)

    def request(self, method: str, path: str, page: str, *, form: dict[str, object] | None = None,
                expect: int = 200, hx: bool = False) -> Page:
        """Send one request (again, up to `patience` times, if it fails); raise Failed if it never succeeds."""
        body = urlencode(form, doseq=True).encode() if form is not None else None
        for attempt in itertools.count():
            started = time.perf_counter()
            try:
                status, location, text, fragment, app_ms = self._exchange(method, path, body, hx)
            except (OSError, http.client.HTTPException) as error:
                status, location, text, fragment, app_ms = 0, "", f"{type(error).__name__}: {error}", False, None
            ms = (time.perf_counter() - started) * 1000
            ok = status == expect
            self.recorder.add(page, status, ms, ok, app_ms)
            if ok:
                return Page(status, location, text)
            self.recorder.faults.append(
                Fault(time.monotonic(), page, status, text[:200] if status == 0 else _title(text),
                      app_page=fragment or (status != 0 and "</html>" in text and 'class="heading-l"' in text),
                      leak=bool(status and LEAKS.search(text)))
            )
            if attempt >= self.patience or (status and status < 500):
                raise Failed(f"{method} {path}: {status or text}")
            time.sleep(self.wait)
        raise AssertionError("unreachable")

    def _exchange(self, method: str, path: str, body: bytes | None,
                  hx: bool) -> tuple[int, str, str, bool, float | None]:
        """(status, Location, body, whether it is the app's message fragment for htmx, the app's milliseconds)."""
        headers = {"Accept": "text/html", "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if hx:
            headers["HX-Request"] = "true"
        for fresh in (False, True):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=TIMEOUT, source_address=(self.address, 0)
                )
                self.used = False
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed while it was idle: a browser sends the
                # request again on a new one at once, and the person never knows.
                was_used = self.used
                self.close()
                if fresh or not was_used:
                    raise
                continue
            except BaseException:
                self.close()
                raise
            self.used = True
            for header in response.headers.get_all("Set-Cookie") or ():
                self._keep(header)
            if response.will_close:
                self.close()
            fragment = response.getheader("HX-Retarget") == "#messages"
            timing = APP_TIMING.search(response.getheader("Server-Timing", ""))
            app_ms = float(timing.group(1)) if timing else None
            return response.status, response.getheader("Location", ""), text, fragment, app_ms
        raise AssertionError("unreachable")

    def _keep(self, header: str) -> None:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def _title(text: str) -> str:
    """The error page's title and message, as the person reads them."""
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    message = re.search(r'class="notification notification--error">\s*<p>(.*?)</p>', text, re.S)
    found = [" ".join(m.group(1).split()) for m in (title, message) if m]
    return ": ".join(found)[:200] if found else text[:120]


def _find(pattern: re.Pattern[str], page: Page, what: str) -> str:
    found = pattern.search(page.text)
    if not found:
        raise Failed(f"no {what} on the page")
    return found.group(1)


class Credentials:
    """The accounts and voting codes of the seed, handed out once each: accounts and codes in turn."""

    def __init__(self, seed: Seed) -> None:
        self.lock = threading.Lock()
        pairs = itertools.zip_longest(seed.accounts, seed.codes)
        self._next = (c for pair in pairs for c in pair if c is not None)

    def take(self) -> str | None:
        with self.lock:
            return next(self._next, None)

    def take_account(self) -> str | None:
        with self.lock:
            return next((c for c in self._next if "@" in c), None)


class Pace:
    """A person's pause between pages: `low`–`high` seconds; at the deadline (`until()`), they leave instead."""

    def __init__(self, low: float, high: float, until: Callable[[], float], rng: random.Random) -> None:
        self.low, self.high, self.until, self.rng = low, high, until, rng

    def __call__(self) -> None:
        pause = self.rng.uniform(self.low, self.high) if self.high else 0.0
        if time.monotonic() + pause >= self.until():
            raise TimeUp
        if pause:
            time.sleep(pause)


def visit(browser: Browser, voter: str, seed: Seed, pace: Pace, rng: random.Random, *, revise: float) -> None:
    """One person: how to vote, sign in or enter a code, choose, check, confirm; sometimes change it."""
    base = f"/cycles/{seed.cycle_id}/vote"
    browser.get(base, "how to vote")
    pace()
    page = _credential(browser, voter, base, pace)
    receipt = _cast(browser, voter, seed, page, pace, rng)
    while rng.random() < revise:  # back later to change it: the last ballot counts
        pace()
        page = _enter_code(browser, voter, base, pace) if "@" not in voter else browser.get(base, "ballot")
        receipt = _cast(browser, voter, seed, page, pace, rng)
    if rng.random() < 0.2:
        pace()
        browser.get(f"/cycles/{seed.cycle_id}/receipt?code={receipt}", "check a receipt")


def _credential(browser: Browser, voter: str, base: str, pace: Pace) -> Page:
    if "@" not in voter:
        return _enter_code(browser, voter, base, pace)
    page = browser.get(f"/sign-in?next={base}", "sign-in page")
    pace()
    form = {"csrf_token": _find(CSRF, page, "CSRF token"), "email": voter, "password": PASSWORD}
    return browser.follow(browser.post(f"/sign-in?next={base}", "sign in", form), "ballot")


def _enter_code(browser: Browser, code: str, base: str, pace: Pace) -> Page:
    page = browser.get(f"{base}/code", "code page")
    pace()
    form = {"csrf_token": _find(CSRF, page, "CSRF token"), "code": code}
    return browser.follow(browser.post(f"{base}/code", "enter code", form), "ballot")


def _cast(browser: Browser, voter: str, seed: Seed, page: Page, pace: Pace, rng: random.Random) -> str:
    """Tick projects (the meter updates through htmx), continue, check, confirm; return the receipt."""
    base = f"/cycles/{seed.cycle_id}/vote"
    token = _find(CSRF, page, "CSRF token")
    chosen = sorted(rng.sample(seed.projects, rng.randint(1, seed.max_choices)))
    for ticked in range(1, len(chosen) + 1):
        pace()
        form = {"csrf_token": token, "action": "update", "choices": chosen[:ticked]}
        browser.post(base, "meter (htmx)", form, expect=200, hx=True)
    pace()
    page = browser.post(base, "send choices", {"csrf_token": token, "action": "check", "choices": chosen})
    page = browser.follow(page, "check your answers")
    form = {"csrf_token": _find(CSRF, page, "CSRF token"), "submission": _find(SUBMISSION, page, "submission")}
    pace()
    joined = ",".join(map(str, chosen))
    browser.recorder.event(voter, "attempt", joined)
    # No pause from here to the receipt: a person who confirmed waits for it.
    try:
        page = browser.follow(browser.post(f"{base}/confirm", "confirm", form), "receipt")
        receipt = _find(RECEIPT, page, "receipt")
    except Failed:
        browser.recorder.gave_up()
        raise
    browser.recorder.event(voter, "ack", receipt, joined)
    return receipt


@dataclass
class Crowd:
    """`seats` people at once, each replaced by the next when they leave, until `duration` has passed.

    The people arrive spread over the longest pause, or over `settle` seconds if that is longer;
    `settle` is added before `duration`, and `measured_from` is when it ends. A crowd all of whose
    people arrive within a few seconds moves in step for a while (all at the sign-in, then all
    confirming); one that has settled has people at every stage of a visit, as a crowd in
    progress has.
    """

    port: int
    seed: Seed
    credentials: Credentials
    seats: int
    duration: float
    pause: tuple[float, float] = (1.0, 3.0)
    revise: float = 0.25
    patience: int = 0
    settle: float = 0.0
    recorder: Recorder = field(default_factory=Recorder)
    started: float = 0.0
    measured_from: float = 0.0
    deadline: float = 0.0  # `during` may move it (bench/faults.py ends the crowd when it has seen enough)
    elapsed: float = 0.0

    def run(self, during: Callable[[Crowd], None] | None = None) -> Recorder:
        """Run the load; `during(self)` runs in this thread meanwhile (the fault runs inject faults there)."""
        self.started = time.monotonic()
        self.measured_from = self.started + self.settle
        self.deadline = self.measured_from + self.duration
        seats = [threading.Thread(target=self._seat, args=(n,), daemon=True) for n in range(self.seats)]
        for seat in seats:
            seat.start()
        if during is not None:
            during(self)
        for seat in seats:
            seat.join()
        self.elapsed = time.monotonic() - self.started
        return self.recorder

    def _seat(self, n: int) -> None:
        rng = random.Random(n)
        arriving = max(self.settle, self.pause[1])
        if arriving:
            time.sleep(rng.uniform(0, arriving))
        while time.monotonic() < self.deadline:
            voter = self.credentials.take()
            if voter is None:
                self.recorder.ran_out = True
                return
            browser = Browser(self.port, self.recorder, patience=self.patience)
            try:
                visit(browser, voter, self.seed, Pace(*self.pause, lambda: self.deadline, rng), rng, revise=self.revise)
            except TimeUp:
                # The load is over for this seat. Taking the next person here would send a string of
                # new visitors, each asking for *how to vote* and leaving at once, until the deadline.
                return
            except Failed:
                pass
            finally:
                browser.close()


@dataclass
class Casting:
    """`seats` people, signed in beforehand, casting and changing their vote without a pause until `duration` is up.

    Signing in (argon2, by design the dearest request) is left out: this measures casting.
    """

    port: int
    seed: Seed
    credentials: Credentials
    seats: int
    duration: float
    recorder: Recorder = field(default_factory=Recorder)
    elapsed: float = 0.0

    browsers: list[tuple[str, Browser]] = field(default_factory=list)

    def prepare(self) -> None:
        """Sign everyone in, unmeasured."""
        signing_in = Recorder()
        rng = random.Random(0)
        for _ in range(self.seats):
            voter = self.credentials.take_account()
            if voter is None:
                self.recorder.ran_out = True
                break
            browser = Browser(self.port, signing_in)
            _credential(browser, voter, f"/cycles/{self.seed.cycle_id}/vote", Pace(0, 0, lambda: float("inf"), rng))
            browser.recorder = self.recorder
            self.browsers.append((voter, browser))

    def run(self) -> Recorder:
        if not self.browsers:
            self.prepare()
        started = time.monotonic()
        seats = [threading.Thread(target=self._seat, args=(n, voter, browser, started + self.duration), daemon=True)
                 for n, (voter, browser) in enumerate(self.browsers)]
        for seat in seats:
            seat.start()
        for seat in seats:
            seat.join()
        self.elapsed = time.monotonic() - started
        return self.recorder

    def _seat(self, n: int, voter: str, browser: Browser, deadline: float) -> None:
        rng = random.Random(n)
        pace = Pace(0, 0, lambda: deadline, rng)
        base = f"/cycles/{self.seed.cycle_id}/vote"
        try:
            while True:
                pace()
                _cast(browser, voter, self.seed, browser.get(base, "ballot"), pace, rng)
        except (TimeUp, Failed):
            pass
        finally:
            browser.close()


@dataclass
class Bare:
    """`seats` clients asking for the bare endpoint without a pause, until `duration` has passed."""

    port: int
    seats: int
    duration: float
    recorder: Recorder = field(default_factory=Recorder)
    elapsed: float = 0.0

    def run(self) -> Recorder:
        started = time.monotonic()
        seats = [threading.Thread(target=self._seat, args=(started + self.duration,), daemon=True)
                 for _ in range(self.seats)]
        for seat in seats:
            seat.start()
        for seat in seats:
            seat.join()
        self.elapsed = time.monotonic() - started
        return self.recorder

    def _seat(self, deadline: float) -> None:
        browser = Browser(self.port, self.recorder)
        try:
            while time.monotonic() < deadline:
                browser.get("/bench/bare", "bare endpoint")
        except Failed:
            pass
        finally:
            browser.close()
