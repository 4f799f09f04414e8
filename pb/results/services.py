"""Counting a closed vote, explaining each project's fate, and recording the decision."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb.accounts.models import User
from pb.audit.services import record
from pb.counting import CountingError, Instance, count
from pb.counting.outcome import STATUSES
from pb.cycles.models import Cycle, Stage, StageKind, StageState
from pb.db import session, utcnow
from pb.errors import Conflict, InvalidInput, NotCounted, NotFound
from pb.mandates.actions import Verdict
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import DecisionBoundaries, VoteBoundaries
from pb.proposals.models import Proposal, ProposalStatus
from pb.results.models import ProjectDecision, TallyRun
from pb.templating import date_time, money
from pb.voting.counts import counting_profile

# The counting engine's STATUSES, as whole sentences a resident reads in their own language.
STATUS_SENTENCES = {
    "funded": _l("Funded."),
    "does-not-fit": _l("Not funded: it did not fit in the money left when its turn came."),
    "stopped-count": _l("Not funded: it did not fit in the money left, and the count stopped there."),
    "not-reached": _l("Not funded: the count stopped before its turn."),
    "below-threshold": _l("Not funded: its score is below the minimum score required."),
    "unaffordable": _l("Not funded: its supporters did not have enough money left between them."),
    "no-support": _l("Not funded: no voter supported it."),
    "over-budget": _l("Not funded: it costs more than the whole budget."),
}


PENCE_PER_POUND = 100


def run_tally(stage: Stage, actor: User | None) -> TallyRun:
    """Count the vote stage's active ballots with the rule its agreed mandate names.

    Called when the vote closes. Raises InvalidInput if the stage is not a closed vote.
    """
    if stage.kind != StageKind.VOTE or stage.state != StageState.CLOSED:
        raise InvalidInput(_("Only a closed vote can be counted."))
    mandate = stage.agreed_mandate
    assert mandate is not None  # a stage only opens (and so closes) under an agreed mandate
    boundaries = mandate.boundaries
    assert isinstance(boundaries, VoteBoundaries)
    projects = {str(p.id): p.cost for p in _on_ballot(stage.cycle)}
    profile, options = counting_profile(stage, boundaries)  # the profile of the mandate's ballot format
    if boundaries.counting_rule.startswith("equalshares/add1"):
        # Pabulib's add1 raises each voter's share by one currency unit a round; money here is in pence.
        options = {**options, "increment": PENCE_PER_POUND}
    ballots = profile.ballots
    try:
        outcome = count(
            Instance.create(projects, boundaries.budget), profile, boundaries.counting_rule, **options
        ).to_dict()
    except CountingError as error:  # only a defect can bring this: the app validated every input
        raise InvalidInput(_("The votes could not be counted: %(error)s", error=error)) from error
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


def counted(cycle: Cycle) -> TallyRun:
    """The latest count. Raises NotCounted (a NotFound), which says when there will be one."""
    tally = latest_tally(cycle)
    if tally is None:
        raise NotCounted(_not_counted_yet(cycle))
    return tally


@dataclass(frozen=True)
class ResultRow:
    proposal: Proposal
    votes: int
    funded_by_vote: bool
    explanation: str
    decision: ProjectDecision | None
    explanation_en: str = ""  # the same words in English: what a decision that follows the vote stores


def result_rows(cycle: Cycle) -> tuple[TallyRun, list[ResultRow]]:
    """Each project on the ballot, most votes first, with its fate in plain words.

    Raises NotCounted (a NotFound) when the vote has not been counted.
    """
    tally = counted(cycle)
    proposals = {str(p.id): p for p in _on_ballot(cycle)}
    decisions = {d.proposal_id: d for d in decisions_for(cycle)}
    # Most support first; among equals, the cheaper first (the count's own tie-break order).
    ordered = sorted(tally.outcome["projects"], key=lambda p: (-_pence(p["score"]), _pence(p["cost"]), p["id"]))
    rows = [
        ResultRow(
            proposals[info["id"]],
            info["votes"],
            info["selected"],
            explain(info, cycle.currency),
            decisions.get(proposals[info["id"]].id),
            _explain_in_english(info, cycle.currency),
        )
        for info in ordered
        if info["id"] in proposals
    ]
    return tally, rows


def _not_counted_yet(cycle: Cycle) -> str:
    """Why there are no results yet, and when there will be."""
    vote = cycle.stage_of_kind(StageKind.VOTE)
    if vote is None:
        return _("This cycle has no vote, so it has no results.")
    if vote.state == StageState.OPEN and vote.closes_at and vote.closes_at <= utcnow():
        return _(
            "The votes have not been counted yet. The vote was due to close on %(when)s; the votes are counted as "
            "soon as a commissioner closes it.",
            when=date_time(vote.closes_at),
        )
    if vote.state == StageState.OPEN and vote.closes_at:
        return _(
            "The votes have not been counted yet. The vote is open until %(when)s, and the votes are counted as "
            "soon as it closes.",
            when=date_time(vote.closes_at),
        )
    if vote.state == StageState.OPEN:
        return _("The votes have not been counted yet. They are counted as soon as the vote closes.")
    if vote.state in (StageState.DRAFT, StageState.AGREED):
        return _("The votes have not been counted yet. The vote has not opened.")
    return _("The votes have not been counted yet.")


def explain(info: dict[str, Any], currency: str) -> str:
    """One project's fate in plain words, e.g. "Not funded: £1,000 was left when its turn came, …"."""
    cost = money(_pence(info["cost"]), currency)
    status = info["status"]
    if status == "funded":
        if info.get("stage") == "fill":
            return _("Funded when the money left over was shared out: it costs %(cost)s.", cost=cost)
        return _("Funded: it had enough support, and its %(cost)s fitted the budget.", cost=cost)
    if status in ("does-not-fit", "stopped-count") and info.get("budget_left") is not None:
        left = money(_pence(info["budget_left"]), currency)
        return _("Not funded: %(left)s was left when its turn came, and it costs %(cost)s.", left=left, cost=cost)
    if status == "unaffordable" and info.get("supporter_money") is not None:
        held = money(_pence(info["supporter_money"]), currency)
        return _(
            "Not funded: its supporters had %(held)s left between them, and it costs %(cost)s.", held=held, cost=cost
        )
    if status in STATUS_SENTENCES:
        return str(STATUS_SENTENCES[status])
    return STATUSES[status][0].upper() + STATUSES[status][1:] + "."


def _explain_in_english(info: dict[str, Any], currency: str) -> str:
    with force_locale("en"):
        return explain(info, currency)


def _pence(amount: int | str) -> int:
    """An engine amount (an integer, or an exact fraction as text) in whole pence, rounded down."""
    return amount if isinstance(amount, int) else math.floor(Fraction(amount))


def overrides_by_stage(cycle: Cycle) -> dict[int, list[ProjectDecision]]:
    """Every override of a binding vote in the cycle, by decision stage: exceptions shown in public."""
    overrides: dict[int, list[ProjectDecision]] = {}
    for decision in decisions_for(cycle):
        if decision.override_ground:
            overrides.setdefault(decision.stage_id, []).append(decision)
    return overrides


def decisions_for(cycle: Cycle) -> list[ProjectDecision]:
    stage = cycle.stage_of_kind(StageKind.DECISION)
    if stage is None:
        return []
    query = select(ProjectDecision).where(ProjectDecision.stage_id == stage.id).order_by(ProjectDecision.proposal_id)
    return list(session().scalars(query))


@dataclass(frozen=True)
class DecisionTerms:
    """What the mandates let commissioners decide: follow the vote, depart with reasons, or override."""

    binding: bool
    override_grounds: list[str]  # empty when a binding vote cannot be overridden


def decision_terms(cycle: Cycle) -> DecisionTerms:
    vote_stage, decision_stage = cycle.stage_of_kind(StageKind.VOTE), cycle.stage_of_kind(StageKind.DECISION)
    vote = vote_stage.agreed_mandate.boundaries if vote_stage and vote_stage.agreed_mandate else None
    decision = decision_stage.mandate.boundaries if decision_stage else None
    binding = not isinstance(vote, VoteBoundaries) or vote.binding
    grounds = (
        list(decision.override_grounds)
        if binding and isinstance(decision, DecisionBoundaries) and decision.override_by != "nobody"
        else []
    )
    return DecisionTerms(binding, grounds)


@dataclass(frozen=True)
class Choice:
    """What commissioners decide for one project.

    `changes` makes it "fund with changes" (the changes are published); `ground` is only for
    overriding a binding vote.
    """

    funded: bool
    reason: str = ""
    ground: str | None = None
    changes: str = ""


def _decision_stage(cycle: Cycle) -> Stage:
    stage = cycle.stage_of_kind(StageKind.DECISION)
    if stage is None:
        raise NotFound(_("This cycle has no decision stage."))
    return stage


def check_can_decide(cycle: Cycle, actor: User | None) -> Verdict:
    """Whether `actor` may record the decision now. Raises NotFound, StageNotOpen or NotAuthorised."""
    return require(actor, Action.RECORD_DECISION, _decision_stage(cycle))


# The longest public reason for a decision, or account of what changes: a few paragraphs, which
# the results page, the report and every export carry beside each project.
MAX_DECISION_TEXT = 2000


def check_decision(cycle: Cycle, actor: User, choices: dict[int, Choice] | None = None) -> list[ProjectDecision]:
    """The decision `record_decision` would record, checked the same way and not added to the
    session: the page that asks before publishing shows it.

    A project missing from `choices` follows the vote. Departing from an advisory vote needs
    a public reason. Departing from a binding vote is an **override**: only where the decision
    stage's mandate allows one, on one of its grounds, with a public reason.
    Raises StageNotOpen, NotAuthorised, NotFound (not counted), OutsideMandate, InvalidInput or Conflict.
    """
    return _checked_decision(cycle, actor, choices)[2]


def _checked_decision(
    cycle: Cycle, actor: User, choices: dict[int, Choice] | None
) -> tuple[Verdict, TallyRun, list[ProjectDecision]]:
    """`check_decision`'s work, with the verdict and the count that recording it writes in the log."""
    verdict, stage = check_can_decide(cycle, actor), _decision_stage(cycle)
    if decisions_for(cycle):
        raise Conflict(_("The decision has already been recorded."))
    tally, rows = result_rows(cycle)
    vote_stage = cycle.stage_of_kind(StageKind.VOTE)
    assert vote_stage is not None and vote_stage.agreed_mandate is not None
    vote = vote_stage.agreed_mandate.boundaries
    assert isinstance(vote, VoteBoundaries)

    decisions = []
    for row in rows:
        choice = (choices or {}).get(row.proposal.id, Choice(row.funded_by_vote))
        reason, ground = choice.reason.strip(), None
        for name, text in (("reason", reason), ("changes", choice.changes.strip())):
            if len(text) > MAX_DECISION_TEXT:
                raise InvalidInput(
                    _("Write at most %(most)d characters about “%(title)s”: this has %(num)d.",
                      most=MAX_DECISION_TEXT, title=row.proposal.title, num=len(text)),
                    field=f"{name}-{row.proposal.id}",
                )
        if choice.funded != row.funded_by_vote:
            if not reason:
                raise InvalidInput(
                    _("Give a public reason for departing from the vote on “%(title)s”.", title=row.proposal.title),
                    field=f"reason-{row.proposal.id}",
                )
            if vote.binding:
                # Departing from a binding vote: the mandate's override clause decides.
                require(actor, Action.OVERRIDE_RESULT, stage, ground=choice.ground)
                ground = choice.ground
        if choice.changes.strip() and not choice.funded:
            raise InvalidInput(
                _("Changes can only be made to a project that is funded: “%(title)s”.", title=row.proposal.title),
                field=f"changes-{row.proposal.id}",
            )
        decisions.append(
            ProjectDecision(
                stage_id=stage.id,
                proposal_id=row.proposal.id,
                funded=choice.funded,
                changes=choice.changes.strip() or None,
                reason=reason or row.explanation_en,
                override_ground=ground,
                recorded_by_id=actor.id,
            )
        )
    return verdict, tally, decisions


def record_decision(cycle: Cycle, actor: User, choices: dict[int, Choice] | None = None) -> list[ProjectDecision]:
    """Record and publish the council's decision on every project on the ballot, as the mandates
    allow (`check_decision` says what is allowed); an override is recorded as such in the audit log.
    Raises what `check_decision` does."""
    verdict, tally, decisions = _checked_decision(cycle, actor, choices)
    stage = _decision_stage(cycle)
    session().add_all(decisions)
    session().flush()
    record(
        "decision.record",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"tally {tally.id}",
        detail={"funded": [d.proposal_id for d in decisions if d.funded]},
    )
    for decision in decisions:
        if decision.override_ground:
            record(
                "decision.override",
                actor=actor,
                role=verdict.role,
                stage=stage,
                subject=f"proposal {decision.proposal_id}",
                detail={
                    "funded": decision.funded,
                    "ground": decision.override_ground,
                    "reason": decision.reason,
                    "clause": "decision.override_by",
                },
            )
    return decisions
