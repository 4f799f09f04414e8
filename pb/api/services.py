"""The open data API's documents: cycles, stages, mandates, proposals, results and decisions.

No personal data: no names, emails or accounts of residents or officials (signatures say which
side signed and when), and never a ballot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from pb.cycles.models import Cycle, Stage
from pb.db import session
from pb.errors import PBError
from pb.proposals.models import Proposal
from pb.results.services import decisions_for, latest_tally, result_rows
from pb.templating import money

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @classmethod
    def parse(cls, number: str | None, size: str | None) -> Page:
        """Raises PBError (400) for a page or size that is not a positive whole number (size at most 100)."""
        try:
            page, per_page = int(number or 1), int(size or 20)
        except ValueError:
            raise PBError("page and per_page must be whole numbers.") from None
        if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
            raise PBError(f"page must be 1 or more, and per_page from 1 to {MAX_PER_PAGE}.")
        return cls(page, per_page)


def paginated(query: Any, page: Page, render: Any) -> dict[str, Any]:
    total = session().scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session().scalars(query.offset((page.number - 1) * page.size).limit(page.size))
    return {
        "items": [render(row) for row in rows],
        "page": page.number,
        "per_page": page.size,
        "total": total,
        "pages": (total + page.size - 1) // page.size,
    }


def cycles(page: Page) -> dict[str, Any]:
    return paginated(select(Cycle).order_by(Cycle.id), page, cycle_document)


def cycle_document(cycle: Cycle) -> dict[str, Any]:
    return {
        "id": cycle.id,
        "title": cycle.title,
        "purpose": cycle.purpose,
        "area": cycle.area,
        "areas": list(cycle.areas),
        "budget": cycle.budget,
        "currency": cycle.currency,
        "created_at": cycle.created_at.isoformat(),
        "stages": [stage_document(s) for s in cycle.stages],
    }


def stage_document(stage: Stage) -> dict[str, Any]:
    return {
        "kind": stage.kind.value,
        "position": stage.position,
        "state": stage.state.value,
        "opened_at": stage.opened_at.isoformat() if stage.opened_at else None,
        "closed_at": stage.closed_at.isoformat() if stage.closed_at else None,
    }


def mandates(cycle: Cycle) -> list[dict[str, Any]]:
    """Every version of every stage's mandate, with which side signed each and when."""
    return [
        {
            "stage": stage.kind.value,
            "version": m.version,
            "agreed_at": m.agreed_at.isoformat() if m.agreed_at else None,
            "purpose": m.purpose,
            "roles": m.roles,
            "boundaries": m.boundaries_data,
            "clauses": [{"clause": c, "text": str(t)} for c, t in m.boundaries.clauses(money)],
            "amendment_reason": m.amendment_reason,
            "signatures": [{"side": s.side.value, "signed_at": s.signed_at.isoformat()} for s in m.signatures],
        }
        for stage in cycle.stages
        for m in stage.mandates
    ]


def proposals(cycle: Cycle, page: Page) -> dict[str, Any]:
    query = select(Proposal).where(Proposal.cycle_id == cycle.id).order_by(Proposal.id)
    return paginated(query, page, proposal_document)


def proposal_document(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "summary": p.summary,
        "description": p.description,
        "language": p.language,
        "title_translated": p.title_translated,
        "summary_translated": p.summary_translated,
        "theme": p.theme.name if p.theme else None,
        "area": p.area,
        "cost": p.cost,
        "estimated_cost": p.estimated_cost or p.cost,
        "cost_revision_reason": p.cost_revision_reason,
        "volunteer_hours": p.volunteer_hours,
        "materials": p.materials,
        "space": p.space,
        "status": p.status.value,
        "ruling_ground": p.ruling_ground,
        "ruling_reason": p.ruling_reason,
        "merged_into": p.merged_into_id,
        "created_at": p.created_at.isoformat(),
    }


def results(cycle: Cycle) -> dict[str, Any] | None:
    """The latest count, or None before it."""
    tally = latest_tally(cycle)
    if tally is None:
        return None
    _tally, rows = result_rows(cycle)
    return {
        "rule": tally.rule,
        "tie_break": tally.tie_break,
        "ballot_hash": tally.ballot_hash,
        "ballots_counted": tally.ballots_counted,
        "budget": tally.budget,
        "counted_at": tally.run_at.isoformat(),
        "selected": [int(pid) for pid in tally.outcome["selected"]],
        "projects": [
            {"id": r.proposal.id, "votes": r.votes, "selected": r.funded_by_vote, "explanation": r.explanation}
            for r in rows
        ],
    }


def decisions(cycle: Cycle) -> list[dict[str, Any]]:
    return [
        {
            "proposal": d.proposal_id,
            "funded": d.funded,
            "reason": d.reason,
            "override_ground": d.override_ground,
            "changes": d.changes,
            "recorded_at": d.recorded_at.isoformat(),
        }
        for d in sorted(decisions_for(cycle), key=lambda d: d.proposal_id)
    ]
