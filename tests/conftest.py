"""Fixtures for every test: an app on a freshly migrated database, clients, people and cycles.

The schema comes only from Alembic: one migrated template database per test session, so
every test starts from the real schema in milliseconds. On SQLite each test has a copy of the
template; on PostgreSQL each worker has one copy, emptied after every test (copying a template
there costs a tenth of a second a test, and a new database's first connections more).
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from pb import create_app
from pb.accounts.models import Role, User
from pb.accounts.services import grant, sign_up
from pb.cli import upgrade_database
from pb.cycles.models import Cycle, Stage, StageKind, StageState
from pb.cycles.services import appoint_representative, close_stage, create_cycle, open_stage
from pb.db import db
from pb.mandates.models import Side
from pb.mandates.services import sign_mandate, update_mandate
from pb.proposals.models import Proposal
from pb.proposals.review import review_proposal
from pb.proposals.services import ProposalFields, submit_proposal
from tests import shared_builds
from tests.postgres import INITDB, TEMPLATE, Cluster

shared_builds.install()

PASSWORD = "correct horse battery"
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile the Welsh catalogue when it is newer than its .mo, as `make` does."""
    for po_path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)


# `CYD_TEST_DATABASE=postgresql` runs every test on PostgreSQL instead of SQLite.
ON_POSTGRES = os.environ.get("CYD_TEST_DATABASE", "sqlite") == "postgresql"


# Markers for tests that need a server program, with the Debian package that has it.
SERVERS = {
    "postgres": ("PostgreSQL's server", "postgresql", bool(INITDB)),
    "redis": ("Redis's server", "redis-server", shutil.which("redis-server") is not None),
}


def pytest_configure(config: pytest.Config) -> None:
    for marker, (what, package, _installed) in SERVERS.items():
        config.addinivalue_line("markers", f"{marker}: needs {what} (Debian's {package})")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without a server's Debian package, leave out the tests marked for it, saying so; in CI, refuse to."""
    if ON_POSTGRES and not INITDB:
        raise pytest.UsageError("CYD_TEST_DATABASE=postgresql needs Debian's postgresql (see .ci/run).")
    for marker, (what, package, installed) in SERVERS.items():
        if installed:
            continue
        if os.environ.get("CI"):
            raise pytest.UsageError(f"Some tests need Debian's {package}; .ci/run must install it.")
        left_out = [item for item in items if marker in item.keywords]
        if left_out:
            items[:] = [item for item in items if marker not in item.keywords]
            config.hook.pytest_deselected(items=left_out)
            print(f"\nDeselected {len(left_out)} tests that need {what}: install Debian's {package} to run them.")


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """This worker's PostgreSQL cluster, with a migrated template database to copy."""
    cluster = Cluster()
    cluster.create(name=TEMPLATE)
    migrate(cluster.url(TEMPLATE))
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def reused_database(postgres: Cluster) -> str:
    """On PostgreSQL, this worker's one test database, emptied after each test (see `database_url`)."""
    return postgres.create(template=TEMPLATE)


@pytest.fixture(scope="session")
def postgres_url(postgres: Cluster) -> Iterator[str]:
    """A migrated database on this worker's PostgreSQL cluster, for the session: for tests of many
    connections at once, in either run, which share it (so make what they need unique)."""
    yield postgres.url(postgres.create(template=TEMPLATE))


def migrate(url: str) -> None:
    app = create_app("test", SQLALCHEMY_ENGINES={"default": url})
    with app.app_context():
        upgrade_database()
        db.engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "cyd.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database for one test, with no rows and ids counted from 1.

    On SQLite a copy of the migrated template; on PostgreSQL the worker's database, emptied
    afterwards (tests that change the schema, as the migration tests do, make their own).

    `template_db` is a direct dependency so that pytest makes it before any module-scoped
    browser: Flask's teardown cannot run beside Playwright's event loop.
    """
    if ON_POSTGRES:
        cluster: Cluster = request.getfixturevalue("postgres")
        name = request.getfixturevalue("reused_database")
        yield cluster.url(name)
        try:
            cluster.empty(name)
        except psycopg.Error:  # whatever the test left, the next one starts from the template
            cluster.drop(name)
            cluster.create(name, template=TEMPLATE)
        return
    path = tmp_path / "cyd.sqlite3"
    shutil.copyfile(template_db, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app("test", SQLALCHEMY_ENGINES={"default": database_url})
    with app.app_context():
        yield app
        db.session.rollback()
        db.engine.dispose()


class Client(FlaskClient):
    """A test client that sends the CSRF token with every form, as a browser would.

    Each request runs in an empty context, so it gets its own app context (its own `g` and
    database session) as in production, instead of sharing the one the test holds open.
    """

    csrf: str | None = None

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        return contextvars.Context().run(super().open, *args, **kwargs)

    def token(self) -> str:
        if self.csrf is None:
            page = super().get("/sign-in").get_data(as_text=True)
            match = CSRF_PATTERN.search(page)
            assert match, "no CSRF token on the sign-in page"
            self.csrf = match.group(1) or match.group(2)
        return self.csrf

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        return self.post(url, data={"csrf_token": self.token(), **(data or {})}, **kwargs)


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    return app.test_client()  # type: ignore[return-value]


HX = {"HX-Request": "true"}
# The vote mandate's editor form as a browser sends it: two choices, binding, greedy.
VOTE_FORM = {
    "purpose": "Residents choose",
    "roles": "Residents vote",
    "binding": "yes",
    "budget": "10000",
    "ballot_format": "approval",
    "min_choices": "1",
    "max_choices": "2",
    "counting_rule": "greedy",
    "points": "10",
    "max_points_per_project": "0",
    "eligibility": "accounts",
    "minimum_age": "0",
    "show_running_counts": "no",
    "desk_checks_conditions": "no",
    "demographics": [],  # checkboxes: none ticked sends nothing, as a browser does
    "representatives_required": "1",
}


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.RESIDENT, cycle: Cycle | None = None, name: str | None = None) -> User:
        n = next(counter)
        user = sign_up(f"person{n}@example.org", name or f"Person {n}", PASSWORD)
        if role != Role.RESIDENT:
            grant(user, role, cycle.id if cycle else None)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        response = client.submit("/sign-in", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 303, response.get_data(as_text=True)
        client.csrf = None  # a new session on sign-in has a new token
        return client

    return login


@pytest.fixture
def commissioner(make_user: Callable[..., User]) -> User:
    return make_user(Role.COMMISSIONER, name="Carys Commissioner")


@pytest.fixture
def representative(make_user: Callable[..., User]) -> User:
    return make_user(name="Rhys Representative")


@pytest.fixture
def resident(make_user: Callable[..., User]) -> User:
    return make_user(name="Rhian Resident")


@pytest.fixture
def make_cycle(commissioner: User, representative: User) -> Callable[..., Cycle]:
    """A cycle with the four stages of issue 2 and a representative appointed; mandates draft."""

    def make(**overrides: Any) -> Cycle:
        fields: dict[str, Any] = {
            "title": "Green spaces",
            "purpose": "Improve the parks",
            "area": "Grangetown",
            "budget": 1_000_000,
            "kinds": [StageKind.PROPOSALS, StageKind.REVIEW, StageKind.VOTE, StageKind.DECISION],
        }
        fields.update(overrides)
        cycle = create_cycle(commissioner, **fields)
        appoint_representative(cycle, commissioner, representative.email)
        db.session.commit()
        return cycle

    return make


@pytest.fixture
def agree(commissioner: User, representative: User) -> Callable[[Stage], Stage]:
    """Both sides sign the stage's current mandate."""

    def sign(stage: Stage) -> Stage:
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, stage.mandate.version)
        sign_mandate(stage, representative, Side.RESIDENTS, stage.mandate.version)
        db.session.commit()
        return stage

    return sign


@pytest.fixture
def open_vote(
    make_cycle: Callable[..., Cycle], agree: Callable[[Stage], Stage], commissioner: User, resident: User
) -> Callable[..., tuple[Cycle, list[Proposal]]]:
    """A cycle walked to an open vote over proposals with the given costs (all eligible)."""

    def make(
        costs: tuple[int, ...] = (400_000, 300_000, 500_000),
        *,
        max_choices: int = 3,
        binding: bool = True,
        rule: str = "greedy",
        budget: int = 1_000_000,
    ) -> tuple[Cycle, list[Proposal]]:
        cycle = make_cycle(budget=budget)
        vote = cycle.stage_of_kind(StageKind.VOTE)
        assert vote is not None
        update_mandate(
            vote,
            commissioner,
            purpose=vote.mandate.purpose,
            roles=vote.mandate.roles,
            boundaries={
                "budget": budget,
                "max_choices": max_choices,
                "min_choices": 1,
                "binding": binding,
                "counting_rule": rule,
            },
        )
        for stage in cycle.stages:
            agree(stage)
        proposals_stage, review_stage = cycle.stages[0], cycle.stages[1]
        open_stage(proposals_stage, commissioner)
        proposals = [
            submit_proposal(cycle, resident, ProposalFields(title=f"Project {i}", summary="A good idea", cost=cost))
            for i, cost in enumerate(costs, start=1)
        ]
        close_stage(proposals_stage, commissioner)
        open_stage(review_stage, commissioner)
        for proposal in proposals:
            review_proposal(proposal, commissioner, eligible=True)
        close_stage(review_stage, commissioner)
        open_stage(vote, commissioner)
        db.session.commit()
        return cycle, proposals

    return make


@pytest.fixture
def walk_to(agree: Callable[[Stage], Stage], commissioner: User) -> Callable[[Cycle, StageKind], Stage]:
    """Agree every stage's mandate, then open and close stages in order until `kind` is open."""

    def walk(cycle: Cycle, kind: StageKind) -> Stage:
        for stage in cycle.stages:
            if stage.state == StageState.DRAFT:
                agree(stage)
        for stage in cycle.stages:
            if stage.state == StageState.AGREED:
                open_stage(stage, commissioner)
            if stage.kind == kind:
                db.session.commit()
                return stage
            if stage.state == StageState.OPEN:
                close_stage(stage, commissioner)
        raise AssertionError(f"the cycle has no {kind} stage")

    return walk


FULL_CYCLE = [StageKind.PRIORITIES, StageKind.PROPOSALS, StageKind.DELIBERATION, StageKind.REVIEW, StageKind.VOTE,
              StageKind.DECISION]


@pytest.fixture
def busy_cycle(make_cycle, walk_to, commissioner, resident, make_user):  # type: ignore[no-untyped-def]
    """A cycle walked to an open vote (codes allowed), with one of each thing a route can name by id."""
    from pb.deliberation.services import add_comment, request_merge
    from pb.delivery.models import Pledge
    from pb.events.kiosk import start_kiosk
    from pb.events.paper import key_paper_ballot, print_paper_ballots
    from pb.events.services import create_event, register_attendee
    from pb.events.workshops import Link, add_idea
    from pb.priorities.models import NeedKind
    from pb.priorities.services import record_need
    from pb.voting.codes import issue_codes

    cycle = make_cycle(title="Cycle B", kinds=FULL_CYCLE)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    update_mandate(vote, commissioner, purpose="p", roles="r",
                   boundaries={**vote.mandate.boundaries_data, "eligibility": "both",
                               "demographics": ["age", "disability"]})
    walk_to(cycle, StageKind.PRIORITIES)
    need = record_need(cycle, resident, kind=NeedKind.NEED, title="Bins")
    walk_to(cycle, StageKind.PROPOSALS)
    first = submit_proposal(cycle, resident, ProposalFields(title="One", summary="S", cost=100))
    second = submit_proposal(cycle, make_user(), ProposalFields(title="Two", summary="S", cost=100))
    walk_to(cycle, StageKind.DELIBERATION)
    comment = add_comment(first, resident, "A comment")
    merge = request_merge(first, second, resident, "Alike")
    walk_to(cycle, StageKind.VOTE)
    batch, _codes = issue_codes(vote, commissioner, 2, "Library")
    event = create_event(vote, commissioner, title="Drop-in", venue="Library",
                         starts_at=datetime(2026, 12, 1, 10, tzinfo=UTC), ends_at=datetime(2026, 12, 1, 12, tzinfo=UTC),
                         facilitator_ids=[commissioner.id])
    attendee = register_attendee(event, commissioner, name="Ann", check_in=False).attendee
    kiosk, _token = start_kiosk(event, commissioner, "By the door", "2468")
    idea = add_idea(event, commissioner, "More bins by the shops", Link(need_id=need.id))
    paper_batch = print_paper_ballots(event, commissioner, 3)
    key_paper_ballot(event, commissioner, 1, spoilt=True, spoilt_reason="Torn")
    pledge = Pledge(proposal_id=first.id, name="Bea", hours=2)  # as if recorded in person at delivery
    db.session.add(pledge)
    facilitator = make_user(Role.FACILITATOR, cycle=cycle)  # a person with a role an administrator may take away
    db.session.commit()
    return cycle, {"proposal_id": first.id, "need_id": need.id, "comment_id": comment.id, "request_id": merge.id,
            "batch_id": batch.id, "event_id": event.id, "attendee_id": attendee.id, "idea_id": idea.id,
            "paper_batch_id": paper_batch.id, "serial": 1, "kiosk_id": kiosk.id,
            "pledge_id": pledge.id, "user_id": facilitator.id, "grant_id": facilitator.grants[-1].id}
