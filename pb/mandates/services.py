"""Writing, versioning and signing mandates."""

from __future__ import annotations

from typing import Any

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage, StageState
from pb.db import session, utcnow
from pb.errors import Conflict, InvalidInput
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import boundaries_for
from pb.mandates.defaults import initial_mandate
from pb.mandates.models import Mandate, Side, Signature


def create_first_version(stage: Stage, actor: User | None) -> Mandate:
    """Give a new stage its first, draft mandate from the starting text for its kind."""
    start = initial_mandate(stage.cycle, stage.kind)
    mandate = Mandate(
        version=1,
        purpose=start["purpose"],
        roles=start["roles"],
        boundaries_data=boundaries_for(stage.kind, start["boundaries"]).to_dict(),
        created_by_id=actor.id if actor else None,
    )
    stage.mandates.append(mandate)
    return mandate


def update_mandate(stage: Stage, actor: User, *, purpose: str, roles: str, boundaries: dict[str, Any]) -> Mandate:
    """Change the stage's mandate: in place while nobody has signed it, else as a new version.

    A new version needs every signature again, so an agreed stage goes back to draft.
    Raises NotAuthorised, OutsideMandate (the stage has opened) or InvalidInput.
    """
    verdict = require(actor, Action.EDIT_MANDATE, stage)
    if not purpose.strip():
        raise InvalidInput("Enter the purpose of this stage.", field="purpose")
    if not roles.strip():
        raise InvalidInput("Enter who takes part and what each does.", field="roles")
    typed = boundaries_for(stage.kind, boundaries)
    typed.validate()

    mandate = stage.mandate
    if mandate.signatures or mandate.is_agreed:
        mandate = Mandate(version=mandate.version + 1, created_by_id=actor.id)
        stage.mandates.append(mandate)
        stage.state = StageState.DRAFT
    mandate.purpose = purpose.strip()
    mandate.roles = roles.strip()
    mandate.boundaries_data = typed.to_dict()
    session().flush()
    record(
        "mandate.edit",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"mandate v{mandate.version}",
        detail={"version": mandate.version, "boundaries": mandate.boundaries_data},
    )
    return mandate


def sign_mandate(stage: Stage, actor: User, side: Side, version: int) -> Signature:
    """Sign the current version for one side; agree it once both sides have signed enough.

    `version` is the version the person read: if it is no longer current, nothing is signed.
    Raises NotAuthorised, OutsideMandate (the stage has opened) or Conflict.
    """
    verdict = require(actor, Action.SIGN_MANDATE, stage, side=side)
    mandate = stage.mandate
    if mandate.version != version:
        raise Conflict("The mandate changed while you were reading it. Read the new version, then sign.")
    if any(s.user_id == actor.id for s in mandate.signatures):
        raise Conflict("You have already signed this version.")
    signature = Signature(user_id=actor.id, side=side, name=actor.name)
    mandate.signatures.append(signature)
    session().flush()
    record(
        "mandate.sign",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"mandate v{mandate.version}",
        detail={"version": mandate.version, "side": side.value},
    )
    if _has_enough_signatures(mandate):
        mandate.agreed_at = utcnow()
        stage.state = StageState.AGREED
        record(
            "mandate.agree",
            actor=None,
            stage=stage,
            subject=f"mandate v{mandate.version}",
            detail={"version": mandate.version},
        )
    return signature


def signatures_needed(mandate: Mandate) -> dict[Side, int]:
    """How many more signatures each side still needs."""
    required = {Side.COMMISSIONERS: 1, Side.RESIDENTS: mandate.stage.cycle.required_representatives}
    return {side: max(0, n - len(mandate.signatures_for(side))) for side, n in required.items()}


def _has_enough_signatures(mandate: Mandate) -> bool:
    return not any(signatures_needed(mandate).values())
