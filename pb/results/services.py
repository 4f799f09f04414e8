"""Counting a closed vote, explaining each project's fate, and recording the decision."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select

from pb.accounts.models import User
from pb.audit.services import record

# TEMPfrom pb.counting import count_approval
from pb.cycles.models import Cycle, Stage, StageKind, StageState
from pb.db import session
from pb.errors import Conflict, InvalidInput, NotFound, OutsideMandate
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import VoteBoundaries
from pb.proposals.models import Proposal, ProposalStatus
from pb.results.models import ProjectDecision, TallyRun
from pb.templating import money
from pb.voting.services import active_ballots


def run_tally(stage: Stage, actor: User | None) -> TallyRun:
    """Count the vote stage's active ballots with the rule its agreed mandate names.

    Called when the vote closes. Raises InvalidInput if the stage is not a closed vote.
    """
    if stage.kind != StageKind.VOTE or stage.state != StageState.CLOSED:
        raise InvalidInput("Only a closed vote can be counted.")
    mandate = stage.agreed_mandate
    assert mandate is not None  # a stage only opens (and so closes) under an agreed mandate
    boundaries = mandate.boundaries
    assert isinstance(boundaries, VoteBoundaries)
    projects = {str(p.id): p.cost for p in _on_ballot(stage.cycle)}
    ballots = [[str(pid) for pid in ballot] for ballot in active_ballots(stage)]
    from pb.counting import count_approval  # TEMP

    outcome = count_approval(projects, boundaries.budget, ballots, boundaries.counting_rule)
    tally = TallyRun(
        stage_id=stage.id,
        rule=outcome["rule"],
        parameters={
            "budget": boundaries.budget,
            "ballot_format": boundaries.ballot_format,
            "mandate_version": mandate.version,
        },
        tie_break=outcome["tie_break"],
        ballot_hash=outcome["ballot_hash"],
        ballots_counted=len(ballots),
        budget=boundaries.budget,
        outcome=outcome,
        run_by_id=actor.id if actor else None,
    )
    session().add(tally)
    session().flush()
    record(
        "tally.run",
        actor=actor,
        role="commissioner" if actor else None,
        stage=stage,
        subject=f"tally {tally.id}",
        detail={
            "rule": tally.rule,
            "ballot_hash": tally.ballot_hash,
            "ballots": tally.ballots_counted,
            "selected": outcome["selected"],
        },
    )
    return tally


def _on_ballot(cycle: Cycle) -> list[Proposal]:
    query = select(Proposal).where(Proposal.cycle_id == cycle.id, Proposal.status == ProposalStatus.ELIGIBLE)
    return list(session().scalars(query.order_by(Proposal.id)))


def latest_tally(cycle: Cycle) -> TallyRun | None:
    stage = cycle.stage_of_kind(StageKind.VOTE)
    if stage is None:
        return None
    query = select(TallyRun).where(TallyRun.stage_id == stage.id).order_by(TallyRun.id.desc()).limit(1)
    return session().scalar(query)


@dataclass(frozen=True)
class ResultRow:
    proposal: Proposal
    votes: int
    funded_by_vote: bool
    explanation: str
    decision: ProjectDecision | None


def result_rows(cycle: Cycle) -> tuple[TallyRun, list[ResultRow]]:
    """Each project on the ballot, most votes first, with its fate in plain words.

    Raises NotFound when the vote has not been counted.
    """
    tally = latest_tally(cycle)
    if tally is None:
        raise NotFound("The votes have not been counted yet.")
    explained = {p["id"]: p for p in tally.outcome["projects"]}
    proposals = {str(p.id): p for p in _on_ballot(cycle)}
    decisions = {d.proposal_id: d for d in decisions_for(cycle)}
    rows = []
    for pid in tally.outcome["order"]:
        proposal = proposals.get(pid)
        if proposal is None:
            continue
        info = explained[pid]
        rows.append(
            ResultRow(
                proposal, info["score"], info["selected"], explain(info, cycle.currency), decisions.get(proposal.id)
            )
        )
    return tally, rows


def explain(info: dict[str, object], currency: str) -> str:
    """One project's fate, e.g. "Not funded: £12,000 was left, and it costs £40,000"."""
    cost = money(int(info["cost"]), currency)  # type: ignore[call-overload]
    left = info.get("budget_left")
    if info["selected"]:
        return f"Funded: it had enough support, and its {cost} fitted the budget."
    if left is not None:
        return f"Not funded: {money(int(left), currency)} was left when its turn came, and it costs {cost}."  # type: ignore[call-overload]
    return f"Not funded: its supporters' share of the budget could not cover its {cost}."


def decisions_for(cycle: Cycle) -> list[ProjectDecision]:
    stage = cycle.stage_of_kind(StageKind.DECISION)
    if stage is None:
        return []
    return list(session().scalars(select(ProjectDecision).where(ProjectDecision.stage_id == stage.id)))


def record_decision(
    cycle: Cycle, actor: User, choices: dict[int, tuple[bool, str]] | None = None
) -> list[ProjectDecision]:
    """Record the council's decision on every project on the ballot.

    Where the vote binds, the decision is exactly the vote's selection and `choices` must be
    None or agree with it. Where it advises, `choices` gives (funded, reason) per project, and
    a reason is required wherever the decision differs from the vote.
    Raises StageNotOpen, NotAuthorised, NotFound (not counted), OutsideMandate or Conflict.
    """
    stage = cycle.stage_of_kind(StageKind.DECISION)
    if stage is None:
        raise NotFound("This cycle has no decision stage.")
    verdict = require(actor, Action.RECORD_DECISION, stage)
    if decisions_for(cycle):
        raise Conflict("The decision has already been recorded.")
    tally, rows = result_rows(cycle)
    vote_stage = cycle.stage_of_kind(StageKind.VOTE)
    assert vote_stage is not None and vote_stage.agreed_mandate is not None
    binding = vote_stage.agreed_mandate.boundaries
    assert isinstance(binding, VoteBoundaries)

    decisions = []
    for row in rows:
        funded, reason = (choices or {}).get(row.proposal.id, (row.funded_by_vote, ""))
        if funded != row.funded_by_vote:
            if binding.binding:
                raise OutsideMandate("The vote binds the council: the decision must follow it.", clause="vote.binding")
            if not reason.strip():
                raise InvalidInput(
                    f"Give a public reason for departing from the vote on “{row.proposal.title}”.",
                    field=f"reason-{row.proposal.id}",
                )
        decisions.append(
            ProjectDecision(
                stage_id=stage.id,
                proposal_id=row.proposal.id,
                funded=funded,
                reason=reason.strip() or row.explanation,
                recorded_by_id=actor.id,
            )
        )
    session().add_all(decisions)
    session().flush()
    record(
        "decision.record",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"tally {tally.id}",
        detail={"funded": [d.proposal_id for d in decisions if d.funded], "clause": "vote.binding"},
    )
    return decisions


CSV_COLUMNS = ("project_id", "title", "cost_pence", "votes", "selected_by_vote", "decision", "explanation")


def results_csv(cycle: Cycle) -> str:
    """The results as CSV, one row a project, with no voter data. Raises NotFound."""
    _tally, rows = result_rows(cycle)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        decision = "" if row.decision is None else ("funded" if row.decision.funded else "not funded")
        writer.writerow(
            [
                row.proposal.id,
                _safe_cell(row.proposal.title),
                row.proposal.cost,
                row.votes,
                "yes" if row.funded_by_vote else "no",
                decision,
                row.explanation,
            ]
        )
    return buffer.getvalue()


def _safe_cell(text: str) -> str:
    # A title starting with = + - @ would run as a formula when a council opens the file in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
