"""Every export from one record: CSV, XLSX, JSON, Pabulib .pb and the PDF report, on the web and the command line."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from pb.counting import parse_pb
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage, open_stage
from pb.db import db
from pb.results.exports import render_export
from pb.results.models import ProjectDecision
from pb.results.services import Choice, record_decision
from pb.voting.services import cast_ballot


@pytest.fixture
def decided(open_vote, make_user, commissioner):  # type: ignore[no-untyped-def]
    cycle, (a, b, c) = open_vote(costs=(400_000, 300_000, 500_000), binding=False)
    voters = [make_user(name=f"Secret Voter {n}") for n in range(3)]
    for voter, choices in zip(voters, ([a.id, c.id], [a.id], [b.id]), strict=True):
        cast_ballot(cycle.stage_of_kind(StageKind.VOTE), voter, choices)
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    open_stage(cycle.stage_of_kind(StageKind.DECISION), commissioner)
    record_decision(cycle, commissioner, {b.id: Choice(False, "The site is being sold.")})
    db.session.commit()
    return cycle, (a, b, c), voters


def test_the_json_export_holds_mandates_count_turnout_and_decisions_but_no_voter(decided) -> None:
    cycle, (a, b, _c), voters = decided
    record = json.loads(render_export(cycle, "json"))
    assert record["schema"].endswith("decision-1.json")
    assert record["tally"]["ballots_counted"] == 3 and record["turnout"]["by_channel"] == {"online": 3}
    by_id = {p["id"]: p for p in record["projects"]}
    assert by_id[a.id]["decision"] == "funded"
    assert (by_id[b.id]["decision"], by_id[b.id]["decision_reason"]) == ("not funded", "The site is being sold.")
    vote = next(s for s in record["stages"] if s["kind"] == "vote")
    assert [s["side"] for s in vote["mandate"]["signatures"]] == ["commissioners", "residents"]
    text = json.dumps(record)
    assert not any(v.name in text or v.email in text for v in voters)


def test_the_pabulib_file_has_every_ballot_its_channel_and_the_selection(decided) -> None:
    cycle, (a, _b, _c), _voters = decided
    instance, profile = parse_pb(render_export(cycle, "pb").decode())
    assert len(profile) == 3 and profile.vote_type == "approval"
    assert {b.extra["voting_method"] for b in profile} == {"internet"}
    assert sorted(b.voter_id for b in profile) == ["1", "2", "3"]
    assert instance.projects[str(a.id)].extra["selected"] == "1"
    assert instance.meta["rule"] == "greedy" and instance.budget == 1_000_000
    assert sorted(len(b.projects) for b in profile) == [1, 1, 2]


def test_the_workbook_and_csv_agree(decided) -> None:
    cycle, (a, _b, _c), _voters = decided
    book = load_workbook(io.BytesIO(render_export(cycle, "xlsx")))
    assert book.sheetnames == ["Results", "Count", "Turnout"]
    rows = list(book["Results"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Project", "Title", "Cost (£)", "Votes") and rows[1][:4] == (a.id, "Project 1", 4000, 2)
    csv_rows = render_export(cycle, "csv").decode().splitlines()
    assert csv_rows[1].startswith(f"{a.id},Project 1,400000,2,yes,funded")
    cycle.currency = "PLN"  # as a cycle imported from a Polish Pabulib file has
    book = load_workbook(io.BytesIO(render_export(cycle, "xlsx")))
    assert next(book["Results"].iter_rows(values_only=True))[2] == "Cost (zł)"
    assert [row for row in book["Count"].iter_rows(values_only=True) if row[0].startswith("Budget")] \
        == [("Budget (zł)", 10000)]


def test_nothing_people_wrote_runs_as_a_formula_in_the_workbook_or_the_csv(decided) -> None:
    cycle, (a, b, _c), _voters = decided
    cycle.title = "=1+1 Parks"
    a.title = '=HYPERLINK("http://evil.example","Click")'
    db.session.scalars(select(ProjectDecision).where(ProjectDecision.proposal_id == b.id)).one().reason = "@SUM(1)"
    db.session.commit()
    book = load_workbook(io.BytesIO(render_export(cycle, "xlsx")))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells}
    assert {"=1+1 Parks", a.title, "@SUM(1)"} <= texts  # kept exactly as written, as text
    csv_text = render_export(cycle, "csv").decode()
    assert "'=HYPERLINK" in csv_text and ',=' not in csv_text


def test_the_pdf_report_is_a_pdf(decided) -> None:
    cycle, _projects, _voters = decided
    pdf = render_export(cycle, "pdf")
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


def test_downloads_and_the_printable_report(client, decided) -> None:
    cycle, _projects, _voters = decided
    for fmt, kind in (
        ("csv", "text/csv"),
        ("xlsx", "spreadsheetml"),
        ("json", "application/json"),
        ("pb", "text/plain"),
        ("pdf", "application/pdf"),
    ):
        response = client.get(f"/cycles/{cycle.id}/results.{fmt}")
        assert response.status_code == 200 and kind in response.headers["Content-Type"]
        assert f'filename="cycle-{cycle.id}-decision.{fmt}"' in response.headers["Content-Disposition"]
    assert client.get(f"/cycles/{cycle.id}/results.docx").status_code == 404
    report = client.get(f"/cycles/{cycle.id}/report").get_data(as_text=True)
    assert "Decision report" in report and "The site is being sold." in report and "Signed by:" in report


def _sheets(workbook: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(workbook))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_command_line_writes_the_same_files(app, decided, tmp_path) -> None:
    cycle, _projects, _voters = decided
    runner = app.test_cli_runner()
    for fmt in ("csv", "json", "pb", "xlsx", "pdf"):
        target = tmp_path / f"out.{fmt}"
        result = runner.invoke(args=["pb", "export", str(cycle.id), "--format", fmt, "--output", str(target)])
        assert result.exit_code == 0, result.output
        if fmt == "xlsx":  # a zip: its entries carry the second they were written, so compare what they hold
            assert _sheets(target.read_bytes()) == _sheets(render_export(cycle, fmt))
        else:
            assert target.read_bytes()[:20] == render_export(cycle, fmt)[:20]
    missing = runner.invoke(args=["pb", "export", "999", "--format", "csv"])
    assert missing.exit_code == 1 and "There is no cycle with that number." in missing.output


def test_nothing_to_export_before_the_count(app, open_vote) -> None:
    cycle, _ = open_vote()
    result = app.test_cli_runner().invoke(args=["pb", "export", str(cycle.id), "--format", "json"])
    assert result.exit_code == 1 and "The votes have not been counted yet." in result.output


def test_files_and_open_data_are_in_english_whatever_the_visitors_language(client, decided) -> None:
    cycle, _projects, _voters = decided
    client.get("/language/cy?next=/")
    csv_text = client.get(f"/cycles/{cycle.id}/results.csv").get_data(as_text=True)
    assert "Funded: it had enough support" in csv_text
    api = client.get(f"/api/cycles/{cycle.id}/results").get_json()
    assert any(p["explanation"].startswith(("Funded", "Not funded")) for p in api["projects"])
