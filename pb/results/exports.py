"""The council's decision as files: CSV, XLSX, JSON (documented schema), Pabulib .pb, and a PDF report.

Every export is built from the same `cycle_record()`, so the files never disagree, and none
of them identifies a voter: ballots appear only in the .pb file, under sequential numbers, in
random order, with the channel they came through.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import func, select

from pb.counting import Ballot as CountedBallot
from pb.counting import Instance, Profile, Project, dumps_pb
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import session
from pb.errors import NotFound
from pb.mandates.boundaries import VoteBoundaries
from pb.results.demographics import demographics_record
from pb.results.report import to_pdf
from pb.results.services import ResultRow, counted, result_rows
from pb.templating import CURRENCY_SYMBOLS, money
from pb.voting.models import Ballot, BallotChoice

SCHEMA = "https://cyd.example/schemas/decision-1.json"  # documented in docs/exports.md
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "pb": ("text/plain; charset=utf-8", "pb"),
    "pdf": ("application/pdf", "pdf"),
}
# Pabulib's words for how a ballot was cast.
VOTING_METHODS = {"online": "internet", "code": "internet", "kiosk": "kiosk", "paper": "paper"}
CSV_COLUMNS = ("project_id", "title", "cost_pence", "votes", "selected_by_vote", "decision", "explanation")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def turnout_by_channel(stage: Stage) -> dict[str, int]:
    """Active ballots by channel (online, code, kiosk, paper): counts only, no one's identity."""
    query = (
        select(Ballot.channel, func.count())
        .where(Ballot.stage_id == stage.id, Ballot.replaced.is_(False))
        .group_by(Ballot.channel)
    )
    return dict(session().execute(query).tuples().all())


def _decision_word(row: ResultRow) -> str:
    if row.decision is None:
        return ""
    if row.decision.funded:
        return "funded with changes" if row.decision.changes else "funded"
    return "not funded"


def cycle_record(cycle: Cycle) -> dict[str, Any]:
    """The whole decision of a cycle as plain data: the source of every export.

    Raises NotFound when the vote has not been counted.
    """
    tally, rows = result_rows(cycle)
    vote = cycle.stage_of_kind(StageKind.VOTE)
    assert vote is not None
    by_channel = turnout_by_channel(vote)
    return {
        "schema": SCHEMA,
        "cycle": {
            "id": cycle.id,
            "title": cycle.title,
            "purpose": cycle.purpose,
            "area": cycle.area,
            "areas": list(cycle.areas),
            "budget": cycle.budget,
            "currency": cycle.currency,
        },
        "stages": [_stage_record(stage) for stage in cycle.stages],
        "tally": {
            "rule": tally.rule,
            "tie_break": tally.tie_break,
            "ballot_hash": tally.ballot_hash,
            "ballots_counted": tally.ballots_counted,
            "budget": tally.budget,
            "run_at": _iso(tally.run_at),
            "selected": [int(pid) for pid in tally.outcome["selected"]],
            "parameters": tally.parameters,
        },
        "turnout": {
            "ballots": tally.ballots_counted,
            "by_channel": by_channel,
            # Who took part by the optional answers about voters: rounded totals only (pb/results/demographics.py).
            "demographics": demographics_record(vote, by_channel),
        },
        "projects": [
            {
                "id": row.proposal.id,
                "title": row.proposal.title,
                "cost": row.proposal.cost,
                "votes": row.votes,
                "selected_by_vote": row.funded_by_vote,
                "explanation": row.explanation,
                "theme": row.proposal.theme.name if row.proposal.theme else None,
                "area": row.proposal.area,
                "volunteer_hours": row.proposal.volunteer_hours,
                "decision": _decision_word(row) or None,
                "decision_reason": row.decision.reason if row.decision else None,
                "override_ground": row.decision.override_ground if row.decision else None,
                "changes": row.decision.changes if row.decision else None,
            }
            for row in rows
        ],
    }


def _stage_record(stage: Stage) -> dict[str, Any]:
    mandate = stage.agreed_mandate or stage.mandate
    return {
        "kind": stage.kind.value,
        "position": stage.position,
        "state": stage.state.value,
        "opened_at": _iso(stage.opened_at),
        "closed_at": _iso(stage.closed_at),
        "mandate": {
            "version": mandate.version,
            "agreed_at": _iso(mandate.agreed_at),
            "purpose": mandate.purpose,
            "roles": mandate.roles,
            "boundaries": mandate.boundaries_data,
            "clauses": [{"clause": c, "text": str(t)} for c, t in mandate.boundaries.clauses(money)],
            "signatures": [
                {"name": s.name, "side": s.side.value, "signed_at": _iso(s.signed_at)} for s in mandate.signatures
            ],
        },
        "amendments": [
            {"version": m.version, "reason": m.amendment_reason, "agreed_at": _iso(m.agreed_at)}
            for m in stage.mandates
            if m.amendment_reason
        ],
    }


def to_csv(cycle: Cycle) -> bytes:
    """One row a project. Raises NotFound before the count."""
    _tally, rows = result_rows(cycle)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            _safe_cell(value)
            for value in (
                row.proposal.id,
                row.proposal.title,
                row.proposal.cost,
                row.votes,
                "yes" if row.funded_by_vote else "no",
                _decision_word(row),
                row.explanation,
            )
        )
    return buffer.getvalue().encode()


def _safe_cell(value: object) -> object:
    # Text starting with = + - @ would run as a formula when a council opens the CSV in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_xlsx(cycle: Cycle) -> bytes:
    """A workbook: the results, the count, and turnout by channel. Raises NotFound before the count."""
    record = cycle_record(cycle)
    book = Workbook()
    results = book.active
    assert results is not None
    results.title = "Results"
    unit = CURRENCY_SYMBOLS.get(cycle.currency, cycle.currency).strip()  # "£"; "zł" for a cycle imported from Pabulib
    results.append(
        ["Project", "Title", f"Cost ({unit})", "Votes", "Selected by the vote", "Decision", "Reason", "Override ground"]
    )
    for p in record["projects"]:
        results.append(
            [
                p["id"],
                p["title"],
                p["cost"] / 100,
                p["votes"],
                "yes" if p["selected_by_vote"] else "no",
                p["decision"] or "",
                p["decision_reason"] or p["explanation"],
                p["override_ground"] or "",
            ]
        )
    count = book.create_sheet("Count")
    tally = record["tally"]
    for label, value in (
        ("Cycle", record["cycle"]["title"]),
        (f"Budget ({unit})", tally["budget"] / 100),
        ("Counting rule", tally["rule"]),
        ("Tie-break order", tally["tie_break"]),
        ("Ballots counted", tally["ballots_counted"]),
        ("Ballots' fingerprint", tally["ballot_hash"]),
        ("Counted at", tally["run_at"]),
    ):
        count.append([label, value])
    turnout = book.create_sheet("Turnout")
    turnout.append(["Channel", "Ballots"])
    for channel, ballots in sorted(record["turnout"]["by_channel"].items()):
        turnout.append([channel, ballots])
    if record["turnout"]["demographics"]:
        _who_took_part_sheet(book, record["turnout"]["demographics"])
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        # openpyxl takes any text starting with "=" for a formula, which would run when a council
        # opens the workbook: titles, reasons and grounds are people's words, so all of it stays text.
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _who_took_part_sheet(book: Workbook, who: dict[str, Any]) -> None:
    """The rounded answers about voters beside the population: blank where fewer than 5, or not shown."""
    sheet = book.create_sheet("Who took part")
    sheet.append(["Question", "Answer", "People (rounded to 5)", "Share (%)", "Area population (%)",
                  "Difference (points)"])
    for question in who["questions"]:
        for answer in question["answers"]:
            sheet.append([question["title"], answer["label"],
                          "fewer than 5" if answer["count"] is None else answer["count"],
                          answer["share"], answer["population_share"], answer["difference"]])
        sheet.append([question["title"], "Prefer not to say",
                      "fewer than 5" if question["prefer_not_to_say"] is None else question["prefer_not_to_say"]])
    sheet.append([])
    sheet.append([who["rounding"]])


def to_json(cycle: Cycle) -> bytes:
    return json.dumps(cycle_record(cycle), ensure_ascii=False, indent=2).encode()


def to_pb(cycle: Cycle) -> bytes:
    """The vote in Pabulib's format: every active ballot, its channel, and the `selected` column.

    Raises NotFound before the count.
    """
    tally, rows = result_rows(cycle)
    stage = cycle.stage_of_kind(StageKind.VOTE)
    assert stage is not None and stage.agreed_mandate is not None
    boundaries = stage.agreed_mandate.boundaries
    assert isinstance(boundaries, VoteBoundaries)
    selected = {int(pid) for pid in tally.outcome["selected"]}
    projects = [
        Project(
            str(r.proposal.id),
            r.proposal.cost,
            r.proposal.title.replace(";", ","),
            {
                "votes": str(r.votes),
                "selected": "1" if r.proposal.id in selected else "0",
                "category": r.proposal.theme.name if r.proposal.theme else "",
            },
        )
        for r in rows
    ]
    meta = {
        "description": cycle.title,
        "country": "United Kingdom",
        "unit": cycle.area,
        "instance": str(cycle.id),
        "rule": tally.rule,
        "currency": cycle.currency,
        "min_length": str(boundaries.min_choices),
        "max_length": str(boundaries.max_choices),
    }
    if stage.opened_at:
        meta["date_begin"] = stage.opened_at.strftime("%d.%m.%Y")
    if stage.closed_at:
        meta["date_end"] = stage.closed_at.strftime("%d.%m.%Y")
    instance = Instance.create(projects, tally.budget, meta)
    return dumps_pb(instance, _pb_profile(stage, boundaries)).encode()


@dataclass
class _Cast:
    channel: str
    choices: list[tuple[int, int | None, int]]  # (proposal, rank, points)


def _pb_profile(stage: Stage, boundaries: VoteBoundaries) -> Profile:
    query = (
        select(Ballot.id, Ballot.channel, BallotChoice.proposal_id, BallotChoice.rank, BallotChoice.points)
        .outerjoin(BallotChoice)
        .where(Ballot.stage_id == stage.id, Ballot.replaced.is_(False))
        .order_by(Ballot.id)
    )  # random ids: the order says nothing about who voted when
    casts: dict[str, _Cast] = {}
    for ballot_id, channel, proposal_id, rank, points in session().execute(query):
        cast = casts.setdefault(ballot_id, _Cast(channel, []))
        if proposal_id is not None:
            cast.choices.append((proposal_id, rank, points))
    vote_type = {"ranked": "ordinal", "cumulative": "cumulative"}.get(boundaries.ballot_format, "approval")
    ballots = []
    for number, cast in enumerate(casts.values(), start=1):
        choices = sorted(cast.choices, key=lambda c: (c[1] or 0, c[0]))
        extra = {"voting_method": VOTING_METHODS.get(cast.channel, cast.channel)}
        points = tuple(c[2] for c in choices) if vote_type == "cumulative" else None
        ballots.append(CountedBallot(tuple(str(c[0]) for c in choices), points, str(number), extra))
    return Profile(vote_type, ballots)


def render_export(cycle: Cycle, fmt: str) -> bytes:
    """The export in one of FORMATS, in English whoever asks (the file is the council's record).

    Raises NotFound for an unknown format or before the count.
    """
    writers = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json, "pb": to_pb, "pdf": to_report_pdf}
    if fmt not in writers:
        raise NotFound(
            _("There is no export in the format “%(format)s”. Choose csv, xlsx, json, pb or pdf.", format=fmt)
        )
    counted(cycle)  # before the count, the refusal is in the asker's language
    with force_locale("en"):
        return writers[fmt](cycle)


def to_report_pdf(cycle: Cycle) -> bytes:
    return to_pdf(cycle_record(cycle))


def filename(cycle: Cycle, fmt: str) -> str:
    return f"cycle-{cycle.id}-decision.{FORMATS[fmt][1]}"
