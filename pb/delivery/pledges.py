"""Pledges made in person, which a commissioner records for someone without an account.

At a workshop or on the phone, people offer a funded project their time or materials without
ever signing up. A commissioner records each such offer under the name the person gave, marks it
given when it is, or removes it. Residents with an account pledge for themselves
(`services.pledge`); both kinds count in the same contributions.

The name is personal data: only the cycle's commissioners see it (as with account holders'
pledges), and the audit log records the pledge's number, never the name.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import StageKind
from pb.db import session, utcnow
from pb.delivery.models import Pledge
from pb.delivery.services import checked_offer, require_funded, stage_of
from pb.errors import InvalidInput, NotFound
from pb.mandates.authority import Action, require
from pb.proposals.models import Proposal

MAX_NAME = 120


def record_pledge(
    proposal: Proposal, actor: User, *, name: str, hours: int = 0, materials: str = "", given: bool = False
) -> Pledge:
    """Record an offer made in person. Raises StageNotOpen, NotAuthorised, OutsideMandate (the
    mandate asks for no pledges), Conflict (not funded) or InvalidInput."""
    stage = stage_of(proposal.cycle, StageKind.DELIVERY)
    verdict = require(actor, Action.RECORD_PLEDGE, stage)
    require_funded(proposal)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Enter the name of the person who made the pledge."), field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(_("Keep the name under %(max)d characters.", max=MAX_NAME), field="name")
    hours, materials = checked_offer(hours, materials)
    now = utcnow()
    pledge = Pledge(
        proposal_id=proposal.id,
        user_id=None,
        name=name,
        recorded_by_id=actor.id,
        hours=hours,
        materials=materials,
        given=given,
        given_at=now if given else None,
        created_at=now,
        updated_at=now,
    )
    session().add(pledge)
    session().flush()
    record(
        "delivery.pledge_recorded",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"pledge": pledge.id, "hours": hours, "materials": bool(materials), "given": given},
    )
    return pledge


def _recorded(proposal: Proposal, pledge_id: int) -> Pledge:
    """One of this project's recorded pledges; a resident's own pledge is theirs to change."""
    pledge = session().scalar(
        select(Pledge).where(Pledge.id == pledge_id, Pledge.proposal_id == proposal.id, Pledge.user_id.is_(None))
    )
    if pledge is None:
        raise NotFound(_("There is no such pledge recorded for this project."))
    return pledge


def mark_given(proposal: Proposal, pledge_id: int, actor: User) -> Pledge:
    """The person gave what they offered. Raises as `record_pledge`, or NotFound."""
    stage = stage_of(proposal.cycle, StageKind.DELIVERY)
    verdict = require(actor, Action.RECORD_PLEDGE, stage)
    pledge = _recorded(proposal, pledge_id)
    if not pledge.given:
        pledge.given, pledge.given_at = True, utcnow()
        pledge.updated_at = pledge.given_at
        session().flush()
        record(
            "delivery.pledge_given",
            actor=actor,
            role=verdict.role,
            stage=stage,
            subject=f"proposal {proposal.id}",
            detail={"pledge": pledge.id},
        )
    return pledge


def remove_pledge(proposal: Proposal, pledge_id: int, actor: User) -> None:
    """Take a recorded pledge back (the person withdrew it, or it was keyed in wrongly)."""
    stage = stage_of(proposal.cycle, StageKind.DELIVERY)
    verdict = require(actor, Action.RECORD_PLEDGE, stage)
    pledge = _recorded(proposal, pledge_id)
    session().execute(delete(Pledge).where(Pledge.id == pledge.id))
    session().flush()
    record(
        "delivery.pledge_removed",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {proposal.id}",
        detail={"pledge": pledge_id},
    )
