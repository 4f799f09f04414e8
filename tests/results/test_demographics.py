"""Who took part by the optional answers about voters, beside the population: rounding, authority, pages, exports."""

from __future__ import annotations

import io
import json
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from pb.accounts.models import Role
from pb.audit.models import AuditEntry
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised, OutsideMandate
from pb.results.demographics import enter_population, rounded, who_took_part
from pb.results.exports import render_export, turnout_by_channel
from pb.voting.demographics import SKIPPED
from pb.voting.models import DemographicCount
from pb.voting.services import cast_ballot
from tests.conftest import HX, PASSWORD
from tests.voting.helpers import open_ballot

# A vote of about a hundred answers: 3 over-75s (too few to show) and an exact 20 for the smallest shown group.
AGES = {"under_16": 0, "16_24": 12, "25_34": 23, "35_44": 20, "45_54": 18, "55_64": 14, "65_74": 8, "75_over": 3,
        "prefer_not_to_say": 2, SKIPPED: 1}
CENSUS_AGES = {"under_16": "18.5", "16_24": "14", "25_34": "16", "35_44": "13.5", "45_54": "12", "55_64": "11",
               "65_74": "8", "75_over": "7"}


@pytest.fixture
def asking(commissioner, representative):  # type: ignore[no-untyped-def]
    """An open vote whose mandate asks age and disability."""
    cycle, projects = open_ballot(commissioner, representative, demographics=["age", "disability"],
                                  eligibility="both")
    db.session.commit()
    return cycle, projects


def _vote(cycle):  # type: ignore[no-untyped-def]
    stage = cycle.stage_of_kind(StageKind.VOTE)
    assert stage is not None
    return stage


def _set_counts(stage, question: str, counts: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    for answer, n in counts.items():
        db.session.merge(DemographicCount(stage_id=stage.id, question=question, answer=answer, count=n))
    db.session.flush()


def _hundredths(figures: dict[str, str]) -> dict[str, int | None]:
    return {k: int(float(v) * 100) for k, v in figures.items()}


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    client.csrf = None  # signing out began a new session, with a new token
    assert client.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def test_counts_are_rounded_to_5_and_fewer_than_5_is_never_a_number() -> None:
    assert [rounded(n) for n in (0, 1, 2, 4, 5, 7, 8, 12, 13, 23, 1002)] == [0, None, None, None, 5, 5, 10, 10, 15,
                                                                                 25, 1000]


def test_the_comparison_rounds_hides_small_groups_and_sets_shares_beside_the_population(asking, commissioner):
    cycle, _projects = asking
    stage = _vote(cycle)
    _set_counts(stage, "age", AGES)
    _set_counts(stage, "disability", {"yes": 3, "no": 9, "prefer_not_to_say": 1, SKIPPED: 87})
    enter_population(stage, commissioner, {"age": _hundredths(CENSUS_AGES)}, "Census 2021, Cardiff")
    who = who_took_part(stage, {"online": 80, "code": 20, "kiosk": 7, "paper": 3})
    assert (who.asked, who.not_asked, who.respondents) == (100, 10, 100)

    age, disability = who.questions
    by_key = {a.key: a for a in age.answers}
    assert age.answered == 100 and age.shares_shown and age.prefer_not is None  # 2 preferred not to say
    assert by_key["75_over"].count is None and by_key["75_over"].share is None  # 3 people: never shown
    assert by_key["25_34"].count == 25 and by_key["25_34"].share == Fraction(25, 100)  # from the rounded counts
    assert by_key["under_16"].count == 0 and by_key["under_16"].share == 0
    assert by_key["25_34"].population_percent == 16 and by_key["25_34"].difference_points == 9
    assert by_key["under_16"].difference_points == -19  # 18.5% rounds up to 19
    assert age.source == "Census 2021, Cardiff" and age.has_population
    # Twelve gave an answer to the disability question: too few for shares, and 3 is too few to show.
    assert disability.answered == 10 and not disability.shares_shown
    assert [a.count for a in disability.answers] == [None, 10] and all(a.share is None for a in disability.answers)
    assert not disability.has_population and disability.source == ""


def test_counts_and_percentages_give_the_same_shares(asking, commissioner) -> None:
    cycle, _projects = asking
    stage = _vote(cycle)
    enter_population(stage, commissioner, {"disability": {"yes": 21_000_00, "no": 79_000_00}})
    as_counts = who_took_part(stage, {}).questions[1].answers[0].population
    enter_population(stage, commissioner, {"disability": {"yes": 21_00, "no": 79_00}})
    assert as_counts == who_took_part(stage, {}).questions[1].answers[0].population == Fraction(21, 100)


def test_only_the_cycles_commissioners_enter_the_population_and_it_is_audited(
    asking, commissioner, representative, make_user, make_cycle
) -> None:
    cycle, _projects = asking
    stage = _vote(cycle)
    other = make_user(Role.COMMISSIONER, cycle=make_cycle(title="Another cycle"))
    for person in (other, representative, make_user()):
        with pytest.raises(NotAuthorised):
            enter_population(stage, person, {"disability": {"yes": 20_00, "no": 80_00}})
    enter_population(stage, commissioner, {"disability": {"yes": 20_00, "no": 80_00}}, "  Census   2021 ")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "population.enter")).one()
    assert entry.actor_id == commissioner.id and entry.role == "commissioner"
    assert entry.detail == {"figures": {"disability": {"yes": 2000, "no": 8000}}, "source": "Census 2021"}


def test_population_figures_must_be_whole_for_a_question_or_left_empty(asking, commissioner) -> None:
    cycle, _projects = asking
    stage = _vote(cycle)
    with pytest.raises(InvalidInput) as refused:
        enter_population(stage, commissioner, {"disability": {"yes": 20_00, "no": None}})
    assert refused.value.field == "disability-no"
    with pytest.raises(InvalidInput) as refused:
        enter_population(stage, commissioner, {"disability": {"yes": 0, "no": 0}})
    assert refused.value.field == "disability-yes"
    enter_population(stage, commissioner, {"disability": {"yes": 20_00, "no": 80_00}})
    enter_population(stage, commissioner, {"disability": {"yes": None, "no": None}})  # emptied: removed
    assert not who_took_part(stage, {}).questions[1].has_population


def test_a_vote_that_asks_nothing_has_no_comparison_and_takes_no_population(open_vote, commissioner) -> None:
    cycle, _projects = open_vote()
    assert who_took_part(_vote(cycle), {}) is None
    with pytest.raises(OutsideMandate) as refused:
        enter_population(_vote(cycle), commissioner, {"age": _hundredths(CENSUS_AGES)})
    assert refused.value.clause == "vote.demographics"


def test_the_dashboard_shows_the_comparison_with_and_without_htmx(client, asking, commissioner, representative):
    cycle, _projects = asking
    stage = _vote(cycle)
    _set_counts(stage, "age", AGES)
    enter_population(stage, commissioner, {"age": _hundredths(CENSUS_AGES)}, "Census 2021")
    db.session.commit()
    _sign_in(client, representative)
    for headers in ({}, HX):
        response = client.get(f"/cycles/{cycle.id}/dashboard", headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" in page and "HX-Request" in response.headers["Vary"]
        assert "Who took part, compared with who lives here" in page
        assert "Age: How old are you?" in page and "Area population: Census 2021." in page
        assert "fewer than 5" in page and ">3<" not in page  # the three over-75s
        assert "+9" in page and "−19" in page
        assert "Enter the area" not in page and "Change the area" not in page  # representatives may not
    client.submit("/sign-out")
    _sign_in(client, commissioner)
    page = client.get(f"/cycles/{cycle.id}/dashboard").get_data(True)
    assert "Change the area's population figures" in page


def test_commissioners_enter_the_population_on_a_form_with_and_without_htmx(client, asking, commissioner):
    cycle, _projects = asking
    _sign_in(client, commissioner)
    url = f"/cycles/{cycle.id}/dashboard/population"
    form = client.get(url).get_data(as_text=True)
    assert 'name="age-75_over"' in form and 'name="age-prefer_not_to_say"' not in form
    saved = client.submit(url, {f"age-{k}": v for k, v in CENSUS_AGES.items()} | {"source": "Census 2021"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/dashboard#who-took-part")
    again = client.get(url).get_data(as_text=True)
    assert 'value="18.5"' in again and 'value="Census 2021"' in again  # what was entered, to change

    half = client.submit(url, {"disability-yes": "21%"}, headers=HX)
    body = half.get_data(as_text=True)
    assert half.status_code == 422 and "<html" not in body and 'id="population-form"' in body
    assert "Enter a figure for every answer to “Disability”" in body
    bad = client.submit(url, {"age-16_24": "lots"})
    assert bad.status_code == 422 and "Enter a number, like 1250 or 18.5." in bad.get_data(as_text=True)
    ok = client.submit(url, {"disability-yes": "21%", "disability-no": "79%"}, headers=HX)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].endswith("/dashboard#who-took-part")


def test_another_cycles_commissioner_and_a_representative_get_no_population_form(
    client, asking, make_user, make_cycle, representative
) -> None:
    cycle, _projects = asking
    other = make_user(Role.COMMISSIONER, cycle=make_cycle(title="Another cycle"))
    url = f"/cycles/{cycle.id}/dashboard/population"
    for person in (other, representative):
        _sign_in(client, person)
        assert client.get(url).status_code == 403
        assert client.submit(url, {"disability-yes": "1", "disability-no": "1"}).status_code == 403
        client.submit("/sign-out")
    assert who_took_part(_vote(cycle), {}).questions[1].has_population is False


def test_the_exports_and_report_hold_the_same_rounded_figures(client, asking, commissioner, resident) -> None:
    cycle, (a, _b, _c) = asking
    stage = _vote(cycle)
    cast_ballot(stage, resident, [a.id])
    _set_counts(stage, "age", AGES)
    enter_population(stage, commissioner, {"age": _hundredths(CENSUS_AGES)}, "Census 2021")
    close_stage(stage, commissioner)
    db.session.commit()

    record = json.loads(render_export(cycle, "json"))
    who = record["turnout"]["demographics"]
    assert who["asked"] == 1 and who["respondents"] == 100 and "nearest 5" in who["rounding"]
    age = who["questions"][0]
    assert age["question"] == "age" and age["title"] == "Age" and age["prefer_not_to_say"] is None
    answers = {x["answer"]: x for x in age["answers"]}
    assert answers["75_over"] == {"answer": "75_over", "label": "75 or over", "count": None, "share": None,
                                  "population_share": 7.0, "difference": None}
    assert answers["25_34"]["count"] == 25 and answers["25_34"]["share"] == 25.0
    assert json.dumps(who).count(": 3,") == 0  # no exact small count anywhere
    book = load_workbook(io.BytesIO(render_export(cycle, "xlsx")))
    rows = list(book["Who took part"].values)
    assert ("Age", "75 or over", "fewer than 5", None, 7.0, None) in rows
    assert render_export(cycle, "pdf").startswith(b"%PDF")
    report = client.get(f"/cycles/{cycle.id}/report").get_data(as_text=True)
    assert "Who took part, compared with who lives here" in report and "75 or over" in report
    assert turnout_by_channel(stage) == {"online": 1}
