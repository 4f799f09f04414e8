"""Weight and server time of every voting page, on a ballot of 200 projects.

    .venv/bin/python bench/pages.py [--projects 200] [--repeat 20]

For each page: the HTML, the CSS and JavaScript it references (each gzip-compressed, as a
server would send them), their sum, and the median server time over `--repeat` requests
through the WSGI app. The ballot page must stay within 100 KB compressed, with nothing
fetched from another site; the script exits 1 otherwise. tests/voting/test_weight.py runs it.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask.testing import FlaskClient

from pb import create_app
from pb.accounts.models import Role
from pb.accounts.services import grant, sign_up
from pb.cli import upgrade_database
from pb.cycles.models import Cycle, StageKind
from pb.db import db
from pb.voting.codes import issue_codes
from tests.voting.helpers import open_ballot

LIMIT = 100 * 1024
PASSWORD = "bench-password-1"
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="([^"]+)"')
SUMMARY = (
    "A longer description of what the project does, who it is for and how residents will take part in it, "
    "as proposers usually write, so that the page carries realistic text. "
)


@dataclass(frozen=True)
class Weight:
    page: str
    html: int
    assets: int
    server_ms: float
    foreign: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.html + self.assets


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def _seed(app: Flask, projects: int) -> dict[str, int]:
    """One open vote a ballot format, each with `projects` projects; returns cycle ids by format."""
    with app.app_context():
        commissioner = sign_up("commissioner@bench.example", "Carys", PASSWORD)
        grant(commissioner, Role.COMMISSIONER)
        representative = sign_up("representative@bench.example", "Rhys", PASSWORD)
        sign_up("resident@bench.example", "Rhian", PASSWORD)
        costs = tuple(50_000 + 7_919 * n % 2_000_000 for n in range(projects))
        cycles = {}
        for fmt, extra in (
            ("approval", {"max_choices": 5}),
            ("knapsack", {"max_choices": 20}),
            ("ranked", {"max_choices": 5}),
            ("cumulative", {"points": 10}),
        ):
            cycle, _ = open_ballot(
                commissioner,
                representative,
                costs=costs,
                budget=10_000_000,
                title=f"Bench {fmt}",
                summary=SUMMARY,
                ballot_format=fmt,
                eligibility="both",
                **extra,
            )
            cycles[fmt] = cycle.id
        first = db.session.get(Cycle, cycles["approval"])
        stage = first.stage_of_kind(StageKind.VOTE) if first else None
        assert stage is not None
        issue_codes(stage, commissioner, 1, "bench")
        db.session.commit()
        return cycles


def _sign_in(client: FlaskClient) -> str:
    token = TOKEN.search(client.get("/sign-in").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    client.post("/sign-in", data={"csrf_token": token, "email": "resident@bench.example", "password": PASSWORD})
    return TOKEN.search(client.get("/account/details").get_data(as_text=True)).group(1)  # type: ignore[union-attr]


def _measure(client: FlaskClient, name: str, url: str, repeat: int) -> Weight:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data()
    assets = ASSET.findall(html.decode())
    foreign = tuple(a for a in assets if re.match(r"(https?:)?//", a))
    asset_bytes = sum(_gz(client.get(a).get_data()) for a in assets if a.startswith("/static/") and "favicon" not in a)
    return Weight(name, _gz(html), asset_bytes, statistics.median(times), foreign)


def measure(projects: int = 200, repeat: int = 20) -> list[Weight]:
    """Every voting page's weight and server time on a ballot of `projects` projects."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("test", SQLALCHEMY_ENGINES={"default": f"sqlite:///{folder}/bench.sqlite3"})
        with app.app_context():
            upgrade_database()
            db.engine.dispose()
        cycles = _seed(app, projects)
        client = app.test_client()
        anonymous = app.test_client()
        token = _sign_in(client)
        weights = [_measure(client, f"ballot ({fmt})", f"/cycles/{cid}/vote", repeat) for fmt, cid in cycles.items()]
        approval = cycles["approval"]
        client.post(f"/cycles/{approval}/vote", data={"csrf_token": token, "action": "check", "choices": ["1", "2"]})
        weights.append(_measure(client, "check your answers", f"/cycles/{approval}/vote/check", repeat))
        check = client.get(f"/cycles/{approval}/vote/check").get_data(as_text=True)
        submission = re.search(r'name="submission" value="([0-9a-f]+)"', check).group(1)  # type: ignore[union-attr]
        client.post(f"/cycles/{approval}/vote/confirm", data={"csrf_token": token, "submission": submission})
        weights.append(_measure(client, "confirmation", f"/cycles/{approval}/vote/done", repeat))
        weights.append(_measure(anonymous, "how to vote", f"/cycles/{approval}/vote", repeat))
        weights.append(_measure(anonymous, "enter a code", f"/cycles/{approval}/vote/code", repeat))
        weights.append(_measure(anonymous, "check a receipt", f"/cycles/{approval}/receipt?code=AAAAA-BBBBB", repeat))
        with app.app_context():
            db.engine.dispose()
        return weights


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    weights = measure(args.projects, args.repeat)
    print(f"{'page':<24}{'HTML gz':>10}{'CSS+JS gz':>11}{'total':>10}{'server ms':>11}")
    for w in weights:
        print(f"{w.page:<24}{w.html / 1024:>9.1f}K{w.assets / 1024:>10.1f}K{w.total / 1024:>9.1f}K{w.server_ms:>11.1f}")
    heavy = [w for w in weights if w.total > LIMIT or w.foreign]
    for w in heavy:
        print(f"TOO HEAVY or not self-contained: {w.page} ({w.total / 1024:.1f} KB; foreign: {w.foreign})")
    return 1 if heavy else 0


if __name__ == "__main__":
    sys.exit(main())
