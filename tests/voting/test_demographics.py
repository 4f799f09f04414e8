"""The optional questions after voting: asked once, on the voter's own device, kept only as totals."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from pb.cycles.services import close_stage
from pb.db import db
from pb.errors import InvalidInput, OutsideMandate, StageNotOpen
from pb.voting import demographics
from pb.voting.codes import code_voter_key, issue_codes, redeem_code
from pb.voting.demographics import SKIPPED, Respondent, answer_counts, record_answers, respondent_for
from pb.voting.services import Voter, cast_ballot
from tests.conftest import HX, PASSWORD
from tests.voting.conftest import vote_stage

ASKED = ["age", "disability"]


def _rows(table: str) -> list[dict[str, object]]:
    return [dict(row) for row in db.session.execute(text(f"SELECT * FROM {table}")).mappings()]


def _sign_in(client, person) -> None:  # type: ignore[no-untyped-def]
    assert client.submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 303
    client.csrf = None


def _vote(client, cycle, project_id: int) -> str:  # type: ignore[no-untyped-def]
    """Choose, check, confirm without JavaScript; return the receipt page."""
    client.submit(f"/cycles/{cycle.id}/vote", {"action": "check", "choices": [project_id]})
    check = client.get(f"/cycles/{cycle.id}/vote/check").get_data(as_text=True)
    submission = re.search(r'name="submission" value="([0-9a-f]+)"', check).group(1)
    confirmed = client.submit(f"/cycles/{cycle.id}/vote/confirm", {"submission": submission})
    assert confirmed.status_code == 303
    return client.get(confirmed.headers["Location"]).get_data(as_text=True)


def test_an_account_voter_is_counted_once_however_often_they_answer_or_revise(ballot, resident) -> None:
    cycle, (a, b, _c) = ballot(demographics=ASKED)
    stage = vote_stage(cycle)
    receipt = cast_ballot(stage, resident, [a.id])
    respondent = respondent_for(stage, receipt, resident)
    assert respondent is not None and respondent.user is resident

    assert record_answers(stage, respondent, {"age": "25_34", "disability": "no"}) == "counted"
    assert record_answers(stage, respondent, {"age": "75_over"}) == "already counted"
    revised = cast_ballot(stage, resident, [b.id])  # a new ballot, a new receipt: the same voter
    assert record_answers(stage, respondent_for(stage, revised, resident), {"age": "16_24"}) == "already counted"
    counts = answer_counts(stage)
    assert counts["age"]["25_34"] == 1 and sum(counts["age"].values()) == 1
    assert counts["disability"] == {"yes": 0, "no": 1, "prefer_not_to_say": 0, SKIPPED: 0}
    assert demographics.has_answered(stage, respondent, answered_tags=())


def test_a_code_voter_is_known_to_have_answered_only_by_their_own_session(ballot, commissioner) -> None:
    cycle, (a, b, _c) = ballot(demographics=ASKED, eligibility="codes")
    stage = vote_stage(cycle)
    _batch, (first, second) = issue_codes(stage, commissioner, 2, "Library")
    receipt = cast_ballot(stage, redeem_code(stage, first), [a.id])
    respondent = respondent_for(stage, receipt, None)
    assert respondent is not None and respondent.user is None

    assert record_answers(stage, respondent, {"age": "45_54"}, answered_tags=[]) == "counted"
    assert record_answers(stage, respondent, {"age": "45_54"}, answered_tags=[respondent.tag]) == "already counted"
    # Revising with the same code gives the same tag; another code on the same device another.
    revised = cast_ballot(stage, redeem_code(stage, first), [b.id])
    assert respondent_for(stage, revised, None).tag == respondent.tag
    other = cast_ballot(stage, redeem_code(stage, second), [b.id])
    assert respondent_for(stage, other, None).tag != respondent.tag
    assert answer_counts(stage)["age"]["45_54"] == 1
    assert {row["status"] for row in _rows("voting_codes")} == {"used"}  # nothing about answering on the code


def test_kiosk_and_paper_voters_are_not_asked(ballot, commissioner) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED, eligibility="codes")
    stage = vote_stage(cycle)
    _batch, (code,) = issue_codes(stage, commissioner, 1, "Hub")
    code_id = redeem_code(stage, code).code_id
    kiosk = cast_ballot(stage, Voter(code_voter_key(stage, code), "kiosk", code_id=code_id), [a.id])
    assert respondent_for(stage, kiosk, None) is None
    paper = cast_ballot(stage, Voter("f" * 64, "paper"), [a.id])
    assert respondent_for(stage, paper, None) is None
    assert respondent_for(stage, "NOSUC-HRECE", None) is None


def test_an_account_ballot_is_not_answered_for_by_someone_else_signed_in(ballot, resident, make_user) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED)
    stage = vote_stage(cycle)
    receipt = cast_ballot(stage, resident, [a.id])
    assert respondent_for(stage, receipt, make_user()) is None
    assert respondent_for(stage, receipt, None) is None


def test_answers_the_questions_do_not_offer_are_refused_naming_the_question(ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED)
    stage = vote_stage(cycle)
    respondent = respondent_for(stage, cast_ballot(stage, resident, [a.id]), resident)
    with pytest.raises(InvalidInput) as refused:
        record_answers(stage, respondent, {"age": "35_44", "disability": "perhaps"})
    assert refused.value.field == "disability"
    assert answer_counts(stage) == {}  # nothing was counted, not even the valid answer


def test_skipping_every_question_counts_nothing_and_marks_nothing(ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED)
    stage = vote_stage(cycle)
    respondent = respondent_for(stage, cast_ballot(stage, resident, [a.id]), resident)
    assert record_answers(stage, respondent, {"age": "", "disability": ""}) == "nothing to count"
    assert answer_counts(stage) == {}
    assert not demographics.has_answered(stage, respondent, ())


def test_a_skipped_question_is_counted_as_skipped_and_every_cell_is_made_at_once(ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED)
    stage = vote_stage(cycle)
    respondent = respondent_for(stage, cast_ballot(stage, resident, [a.id]), resident)
    record_answers(stage, respondent, {"disability": "prefer_not_to_say"})
    counts = answer_counts(stage)
    assert set(counts) == {"age", "disability"}
    assert len(counts["age"]) == 10 and counts["age"][SKIPPED] == 1  # 8 bands, prefer not to say, skipped
    assert counts["disability"]["prefer_not_to_say"] == 1


def test_a_vote_that_asks_nothing_and_a_closed_vote_take_no_answers(ballot, resident, commissioner) -> None:
    cycle, (a, _b, _c) = ballot()
    stage = vote_stage(cycle)
    respondent = Respondent("tag", resident)
    cast_ballot(stage, resident, [a.id])
    with pytest.raises(OutsideMandate) as refused:
        record_answers(stage, respondent, {"age": "25_34"})
    assert refused.value.clause == "vote.demographics"

    asking, (p, _q, _r) = ballot(demographics=ASKED, title="Asking")
    asking_stage = vote_stage(asking)
    cast_ballot(asking_stage, resident, [p.id])
    close_stage(asking_stage, commissioner)
    with pytest.raises(StageNotOpen):
        record_answers(asking_stage, Respondent("tag", resident), {"age": "25_34"})


def test_the_receipt_page_asks_and_counts_without_javascript(client, ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED)
    _sign_in(client, resident)
    page = _vote(client, cycle, a.id)
    assert "Help us see who took part" in page and "Skip these questions" in page
    assert 'name="age" type="radio" value="65_74"' in page and "Equality Act 2010" in page

    sent = client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "65_74", "disability": "yes"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/cycles/{cycle.id}/vote/done")
    after = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Your answers have been added to the totals" in after and "Help us see who took part" not in after
    again = client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "16_24"})  # a resend, or Back and again
    assert again.status_code == 303
    assert answer_counts(vote_stage(cycle))["age"] == {**dict.fromkeys(answer_counts(vote_stage(cycle))["age"], 0),
                                                       "65_74": 1}
    reloaded = client.get(f"/cycles/{cycle.id}/vote/done").get_data(as_text=True)
    assert "Help us see who took part" not in reloaded


def test_htmx_gets_the_thanks_in_place_and_a_wrong_answer_back_as_a_422_fragment(client, ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED)
    _sign_in(client, resident)
    _vote(client, cycle, a.id)
    wrong = client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "ninety"}, headers=HX)
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "<html" not in body and 'id="questions"' in body
    assert "There is a problem" in body and 'id="age-error"' in body and "Choose one of the answers" in body
    right = client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "55_64"}, headers=HX)
    body = right.get_data(as_text=True)
    assert right.status_code == 200 and right.headers["HX-Trigger"] == "questions-answered"
    assert "<html" not in body and "added to the totals" in body and "<form" not in body
    assert right.headers["Cache-Control"] == "no-store"
    assert answer_counts(vote_stage(cycle))["age"]["55_64"] == 1


def test_a_code_voter_revising_on_the_same_device_is_not_asked_again(client, ballot, commissioner) -> None:
    cycle, (a, b, _c) = ballot(demographics=ASKED, eligibility="codes")
    _batch, (code,) = issue_codes(vote_stage(cycle), commissioner, 1, "Letters")
    db.session.commit()
    client.submit(f"/cycles/{cycle.id}/vote/code", {"code": code})
    assert "Help us see who took part" in _vote(client, cycle, a.id)
    client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "35_44"})
    client.submit(f"/cycles/{cycle.id}/vote/code", {"code": code})  # back later to change the vote
    assert "Help us see who took part" not in _vote(client, cycle, b.id)
    assert sum(answer_counts(vote_stage(cycle))["age"].values()) == 1


def test_answering_with_no_vote_on_this_device_counts_nothing(client, ballot, resident) -> None:
    cycle, _projects = ballot(demographics=ASKED)
    _sign_in(client, resident)
    response = client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "35_44"})
    assert response.status_code == 303
    htmx = client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "35_44"}, headers=HX)
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].endswith("/vote/done")
    assert answer_counts(vote_stage(cycle)) == {}


def test_the_database_holds_totals_only_and_the_audit_log_nothing(client, ballot, resident) -> None:
    cycle, (a, _b, _c) = ballot(demographics=ASKED)
    _sign_in(client, resident)
    _vote(client, cycle, a.id)
    client.submit(f"/cycles/{cycle.id}/vote/questions", {"age": "25_34", "disability": "no"})
    columns = {c["name"] for c in inspect(db.engine).get_columns("demographic_counts")}
    assert columns == {"stage_id", "question", "answer", "count"}  # no person, ballot, time or row number
    assert sum(row["count"] for row in _rows("demographic_counts")) == 2  # one a question answered
    (participation,) = _rows("participations")
    assert participation["answered_questions"] in (True, 1)
    logged = db.session.execute(text("SELECT action, detail FROM audit_entries")).all()
    assert not any("25_34" in str(detail) or "question" in action for action, detail in logged)
