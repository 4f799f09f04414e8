"""The database goes away at every statement of a step: the 503 page, nothing written, and the retry works.

Journeys of other tests run here again with the database failing (JOURNEYS): a whole cycle
(tests/test_whole_cycle.py), a whole evening event (tests/events/test_evening.py: the desk,
kiosks, phones with codes, paper keyed in), and what those leave out, from needs, mandates,
drafts, pictures and comments to workshops, paper mismatches, receipts' questions, pledges and
lessons, and a change of email address. The first two times each kind of form is sent (the
same URL, numbers aside), it is first sent with the database failing at its first statement,
then at its second, and so on, until it gets through every statement; then the journey goes on
with that real send. Each failure must be the app's 503 page, send no session cookie (the
browser keeps the session it had, CSRF token and all), send no email, and leave every table as
it was: the commit is the last thing a request asks of the database (pb/web.py, `done`), so no
failure can come after a change was made, and a commit counts as one of the statements.
"""

from __future__ import annotations

import inspect
import io
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from pb.db import Base, db
from pb.mail import outbox
from tests import test_whole_cycle
from tests.accounts import test_email_change
from tests.conftest import Client
from tests.deliberation import test_views as deliberation_views
from tests.delivery import test_views as delivery_views
from tests.delivery.conftest import decided_cycle, neighbour  # noqa: F401  (a journey's fixture)
from tests.events import test_desk_checks, test_evening, test_kiosk, test_paper_views, test_workshops
from tests.events.conftest import event_at_vote  # noqa: F401  (a journey's fixture)
from tests.events.test_paper_views import at_event  # noqa: F401  (a journey's fixture)
from tests.events.test_workshops import workshop  # noqa: F401  (a journey's fixture)
from tests.mandates import test_views as mandate_views
from tests.priorities import test_views as priority_views
from tests.proposals import test_writing_views
from tests.proposals.test_writing_views import proposing  # noqa: F401  (a journey's fixture)
from tests.voting import test_demographics
from tests.voting import test_views as voting_views
from tests.voting.conftest import ballot  # noqa: F401  (a journey's fixture)

SENDS_TRIED = 2  # how many sends of each kind of form are tried with the database failing
LONGEST = 300  # statements a step may run


class Outage:
    """Fails the database at the `at`-th statement (or commit) once armed, as a lost server does."""

    def __init__(self) -> None:
        self.at = 0  # 0: disarmed
        self.seen = 0
        self.committed = 0  # commits that went through before it failed
        self.failed = ""  # the statement it failed at

    def arm(self, at: int) -> None:
        self.at, self.seen, self.committed = at, 0, 0

    def __call__(self, connection: Any, cursor: Any = None, statement: str = "COMMIT", *_args: Any) -> None:
        """`before_cursor_execute(connection, cursor, statement, …)`, or `commit(connection)`."""
        if not self.at:
            return
        self.seen += 1
        if self.seen < self.at:
            self.committed += cursor is None
            return
        if self.seen == self.at:
            self.failed = " ".join(statement.split())[:100]
            if cursor is None:  # the commit: the server is gone, and the transaction with it
                connection.connection.dbapi_connection.rollback()
            raise OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))


def _tables() -> dict[str, list[str]]:
    """Every row of every table, in a stable order."""
    with db.engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(table.select()))
            for table in Base.metadata.sorted_tables
        }


class OutageClient(Client):
    """A test client whose forms meet the outage first (see the module's docstring)."""

    outage: Outage
    tried: Counter[str]
    failures: list[str]  # what went wrong, for the test to report

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        kind = re.sub(r"\d+", "N", url) + (" (htmx)" if kwargs.get("headers") else "")
        self.tried[kind] += 1
        if self.tried[kind] > SENDS_TRIED:
            return super().submit(url, data, **kwargs)
        self.token()  # fetched before the database fails
        files = {k: (v[0].getvalue(), *v[1:]) for k, v in (data or {}).items() if isinstance(v, tuple)}
        before, emails = _tables(), len(outbox())
        for at in range(1, LONGEST):
            self.outage.arm(at)
            try:
                # An upload's stream is used up by a send: each send gets one of its own.
                sent = {**(data or {}), **{k: (io.BytesIO(v[0]), *v[1:]) for k, v in files.items()}}
                response = super().submit(url, sent, **kwargs)
            finally:
                reached, committed = self.outage.seen, self.outage.committed
                self.outage.arm(0)
            if reached < at:  # it ran fewer statements than that: this was the real send, and it got through
                return response
            before = self._check(f"POST {url}, the database failing at statement {at} ({self.outage.failed})",
                                 response, before, committed)
            if len(outbox()) != emails:
                self.failures.append(f"POST {url}, the database failing at statement {at}: an email was sent")
                emails = len(outbox())
        raise AssertionError(f"POST {url} ran more than {LONGEST} statements")

    def _check(self, where: str, response: TestResponse, before: dict[str, list[str]],
               committed: int) -> dict[str, list[str]]:
        """Note what is wrong with a failed send; return the tables as it left them."""
        if response.status_code != 503:
            self.failures.append(f"{where}: {response.status_code} instead of the 503 page")
        if "Set-Cookie" in response.headers:
            self.failures.append(f"{where}: the failed request sent a session cookie")
        after = _tables()
        if committed:
            self.failures.append(f"{where}: it failed after a commit, so the change was made")
        elif after != before:
            self.failures.append(f"{where}: the failed request left a change behind")
        return after


@pytest.fixture
def outage(app):  # type: ignore[no-untyped-def]
    """Makes every test client of the app an OutageClient; yields their class, which holds what they found."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as production does: an error page, not a traceback
    failing = Outage()
    failures: list[str] = []
    client_class = type("Outages", (OutageClient,), {"outage": failing, "tried": Counter(), "failures": failures})
    app.test_client_class = client_class
    event.listen(db.engine, "before_cursor_execute", failing)
    event.listen(db.engine, "commit", failing)
    yield client_class
    event.remove(db.engine, "before_cursor_execute", failing)
    event.remove(db.engine, "commit", failing)


@pytest.fixture
def client(app, outage):  # type: ignore[no-untyped-def]
    """The journeys' `client` (and `login_as`'s) meets the outage."""
    return app.test_client()


JOURNEYS: tuple[Callable[..., None], ...] = (
    test_whole_cycle.test_a_cycle_from_setup_to_published_results,
    test_evening.test_a_whole_evening_balances_and_every_ballot_counts_once,
    priority_views.test_recording_and_supporting_needs_through_the_page,
    mandate_views.test_a_bad_boundary_comes_back_beside_its_field_with_and_without_htmx,
    mandate_views.test_discussion_with_htmx_returns_the_thread_alone,
    mandate_views.test_starting_from_a_template,
    test_writing_views.test_short_link_edit_and_revisions,
    test_writing_views.test_submitting_with_a_picture,
    deliberation_views.test_comments_and_answers_update_in_place,
    deliberation_views.test_support_toggles_with_htmx,
    test_workshops.test_a_facilitator_records_notes_and_attendance_through_the_page,
    test_workshops.test_adding_an_idea_with_and_without_htmx,
    test_workshops.test_relinking_and_removing_through_the_page,
    voting_views.test_codes_are_printed_once_as_cards_or_a_pdf,
    test_demographics.test_htmx_gets_the_thanks_in_place_and_a_wrong_answer_back_as_a_422_fragment,
    test_demographics.test_the_receipt_page_asks_and_counts_without_javascript,
    test_kiosk.test_leaving_kiosk_mode_needs_the_pin,
    test_desk_checks.test_someone_checked_in_without_a_code_is_given_one_once_the_desk_has_what_it_needs,
    test_paper_views.test_keying_with_htmx_swaps_the_form_in_place_ready_for_the_next_ballot,
    test_paper_views.test_a_mismatch_is_shown_side_by_side_and_resolved_through_the_page,
    test_paper_views.test_the_reconciliation_report_records_the_hand_counts_and_says_whether_it_balances,
    delivery_views.test_pledging_with_htmx_updates_the_section_in_place,
    delivery_views.test_commissioners_see_who_pledged,
    delivery_views.test_a_commissioner_publishes_a_lesson,
    test_email_change.test_a_person_changes_their_email_address_from_your_account,
)


@pytest.mark.parametrize("journey", JOURNEYS, ids=lambda journey: journey.__name__.removeprefix("test_")[:60])
def test_a_database_failure_in_any_step_writes_nothing_and_the_step_can_be_sent_again(
    journey, outage, request, monkeypatch
) -> None:
    monkeypatch.setattr(test_evening, "Client", outage)  # the evening makes each device itself
    journey(**{name: request.getfixturevalue(name) for name in inspect.signature(journey).parameters})
    assert not outage.failures, "\n".join(outage.failures)
    assert outage.tried, "the journey sent no form"
