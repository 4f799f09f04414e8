"""The CPU and the statements of each page of a vote, in-process, against a bare request.

    .venv/bin/python bench/visit.py [--database sqlite|postgresql] [--rounds 200] [--quick]

Where bench/load.py measures the whole stack under load, this measures the app alone, one
request at a time, so that a change to a page can be weighed before a load run: the app as
production builds it (`create_app("production")`, the test client over https), on a throwaway
database seeded as bench/load.py seeds it. Each round is one person's visit, half with a
voting code and half with an account: how to vote; the code page and the code, or the sign-in
page and signing in; the ballot; the meter for three ticks; continue; check; confirm; the
receipt; checking the receipt. Signing in (argon2, dear by design) is timed but left out of
the visit's total.

For each page: the CPU of the request in this thread (the database's own work is not in it)
and the statements it sent, and the page's CPU as a multiple of `GET /bench/bare` (the same
app's request hooks, no work of its own) timed between the same rounds, so that the machine's
drift falls on both. The first tenth of the rounds warms up and is not counted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask.testing import FlaskClient
from sqlalchemy import event

from bench._database import BALLOT_KEY_SECRET, PASSWORD, Postgres, Seed, seed
from bench._server import SECRET_KEY, bench_app
from bench._voters import CSRF, RECEIPT, SUBMISSION

BASE_URL = "https://localhost"  # production's cookies are Secure, and its CSRF check wants a same-site Referer


class Visit:
    """Requests through the test client, each one's CPU and statements kept under the page's name."""

    def __init__(self, app, seed: Seed) -> None:  # type: ignore[no-untyped-def]
        self.app, self.seed = app, seed
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.statements: dict[str, int] = defaultdict(int)
        self.page = ""
        self.counting = False
        from pb.db import db  # not at the top: config.py reads the environment main() sets

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: object) -> None:
        if self.counting:
            self.statements[self.page] += 1

    def request(self, client: FlaskClient, page: str, method: str, path: str, address: str,
                data: dict | None = None, *, hx: bool = False) -> str:
        """Send one request; return where it redirects to, or else its page."""
        self.page = page
        headers = {"Referer": f"{BASE_URL}/", **({"HX-Request": "true"} if hx else {})}
        started = time.thread_time()
        response = client.open(path, method=method, data=data, base_url=BASE_URL, headers=headers,
                               environ_base={"REMOTE_ADDR": address})
        spent = time.thread_time() - started
        if self.counting:
            self.cpu[page].append(spent)
        if response.status_code not in (200, 302, 303):
            raise SystemExit(f"{page}: {response.status_code} from {method} {path}")
        return response.headers.get("Location") or response.get_data(as_text=True)

    def one(self, n: int, rng: random.Random) -> None:
        """One person's visit; odd rounds use a voting code, even ones an account (which may vote again)."""
        client = self.app.test_client()
        address = f"127.1.{n // 250}.{n % 250 + 1}"  # one person an address, as the rate limits expect
        base = f"/cycles/{self.seed.cycle_id}/vote"
        self.request(client, "how to vote", "GET", base, address)
        if n % 2:
            page = self.request(client, "code page", "GET", f"{base}/code", address)
            form = {"csrf_token": CSRF.search(page).group(1), "code": self.seed.codes[n]}  # type: ignore[union-attr]
            ballot = self.request(client, "enter code", "POST", f"{base}/code", address, form)
        else:
            page = self.request(client, "sign-in page", "GET", f"/sign-in?next={base}", address)
            form = {"csrf_token": CSRF.search(page).group(1), "email": self.seed.accounts[n % len(self.seed.accounts)],  # type: ignore[union-attr]
                    "password": PASSWORD}
            ballot = self.request(client, "sign in", "POST", f"/sign-in?next={base}", address, form)
        page = self.request(client, "ballot", "GET", ballot, address)
        token = CSRF.search(page).group(1)  # type: ignore[union-attr]
        chosen = sorted(rng.sample(self.seed.projects, self.seed.max_choices))
        for ticked in range(1, len(chosen) + 1):
            form = {"csrf_token": token, "action": "update", "choices": chosen[:ticked]}
            self.request(client, "meter (htmx)", "POST", base, address, form, hx=True)
        check = self.request(client, "send choices", "POST", base, address,
                             {"csrf_token": token, "action": "check", "choices": chosen})
        page = self.request(client, "check your answers", "GET", check, address)
        form = {"csrf_token": CSRF.search(page).group(1), "submission": SUBMISSION.search(page).group(1)}  # type: ignore[union-attr]
        done = self.request(client, "confirm", "POST", f"{base}/confirm", address, form)
        receipt = RECEIPT.search(self.request(client, "receipt", "GET", done, address)).group(1)  # type: ignore[union-attr]
        self.request(client, "check a receipt", "GET", f"/cycles/{self.seed.cycle_id}/receipt?code={receipt}", address)

    def bare(self, times: int) -> None:
        client = self.app.test_client()
        for _ in range(times):
            self.request(client, "bare endpoint", "GET", "/bench/bare", "127.0.0.1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--rounds", type=int, default=200, help="visits; half by code, half by account")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 20 visits")
    args = parser.parse_args()
    rounds = 20 if args.quick else args.rounds
    cluster = Postgres() if args.database == "postgresql" else None
    url = cluster.url if cluster else f"sqlite:///{tempfile.mkdtemp(prefix='cyd-visit-')}/cyd.sqlite3"
    try:
        # Production's configuration reads these when the app is made.
        os.environ.update(SECRET_KEY=SECRET_KEY, BALLOT_KEY_SECRET=BALLOT_KEY_SECRET, DATABASE_URL=url,
                          FLASK_CONFIG="production", RATELIMIT_STORAGE_URI="memory://")
        made = seed(url, accounts=10, codes=rounds + 1)
        visit = Visit(bench_app(), made)
        rng = random.Random(0)
        warm = max(2, rounds // 10)
        for n in range(rounds):
            visit.counting = n >= warm
            visit.one(n, rng)
            visit.bare(5)
    finally:
        if cluster:
            cluster.stop()
    _report(visit, rounds - warm, args.database)
    return 0


def _report(visit: Visit, visits: int, database: str) -> None:
    bare = statistics.median(visit.cpu.pop("bare endpoint"))
    print(f"{database}, {visits} visits; a bare request: {bare * 1000:.2f} ms of CPU")
    print("| page | requests | CPU ms (median) | × bare | statements a request |")
    print("| --- | ---: | ---: | ---: | ---: |")
    total = 0.0
    for page, times in visit.cpu.items():
        median = statistics.median(times)
        if page != "sign in":
            total += sum(times) / visits
        print(f"| {page} | {len(times)} | {median * 1000:.2f} | {median / bare:.1f} | "
              f"{visit.statements[page] / len(times):.1f} |")
    print(f"| a visit, signing in left out | {visits} | {total * 1000:.1f} | {total / bare:.0f} | "
          f"{sum(n for page, n in visit.statements.items() if page != 'sign in') / visits:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
