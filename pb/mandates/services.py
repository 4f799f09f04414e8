"""Writing, versioning, discussing, amending and signing mandates."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Stage, StageState
from pb.db import session, utcnow
from pb.errors import Conflict, InvalidInput, OutsideMandate
from pb.mandates.actions import Verdict
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import boundaries_for
from pb.mandates.models import Mandate, MandateComment, Side, Signature
from pb.mandates.templates import find_template, initial_mandate

MAX_COMMENT = 4000


def create_first_version(stage: Stage, actor: User | None, template: str | None = None) -> Mandate:
    """Give a new stage its first, draft mandate from a template (or the defaults for its kind)."""
    start = initial_mandate(stage.cycle, stage.kind, template)
    mandate = Mandate(
        version=1,
        purpose=start.purpose,
        roles=start.roles,
        boundaries_data=boundaries_for(stage.kind, start.boundaries).to_dict(),
        created_by_id=actor.id if actor else None,
        template=template if find_template(template) else None,
    )
    stage.mandates.append(mandate)
    return mandate


def content_stamp(mandate: Mandate) -> str:
    """A fingerprint of what the mandate says now. The editor sends back the one it started from."""
    closes = mandate.closes_at.astimezone(UTC).isoformat() if mandate.closes_at else None
    words = [mandate.version, mandate.purpose, mandate.roles, mandate.boundaries_data, closes]
    return hashlib.sha256(json.dumps(words, sort_keys=True, default=str).encode()).hexdigest()[:20]


def check_can_edit(stage: Stage, actor: User | None) -> Verdict:
    """Whether `actor` may change the mandate now (amend it, while the stage is open).

    Raises NotAuthorised, or StageNotOpen once the stage has closed.
    """
    return require(actor, Action.AMEND_MANDATE if stage.state == StageState.OPEN else Action.EDIT_MANDATE, stage)


def update_mandate(
    stage: Stage,
    actor: User,
    *,
    purpose: str,
    roles: str,
    boundaries: dict[str, Any],
    closes_at: datetime | None = None,
    reason: str | None = None,
    template: str | None = None,
    based_on: str | None = None,
) -> Mandate:
    """Change the stage's mandate: in place while nobody has signed it, else as a new version.

    `based_on` is the `content_stamp` of the mandate the person started from: if someone else
    has saved a change since, nothing is saved (both sides write the mandate, often at once).

    Before the stage opens, a new version needs every signature again (an agreed stage goes
    back to draft). While it is open, the change is an **amendment**: it needs a public
    `reason`, it may not touch a boundary locked while open (ballot, counting rule, budget …)
    nor bring the closing date forward, and the stage keeps running under the agreed version
    until both sides sign the amendment.
    Raises NotAuthorised, Conflict (changed meanwhile), OutsideMandate or InvalidInput.
    """
    amending = stage.state == StageState.OPEN
    verdict = check_can_edit(stage, actor)
    if based_on is not None and based_on != content_stamp(stage.mandate):
        raise Conflict(
            _(
                "Someone else saved a change to this mandate while you were writing yours. Yours is below, "
                "not saved: compare it with the mandate as it is now, then save again."
            )
        )
    if not purpose.strip():
        raise InvalidInput(_("Enter the purpose of this stage."), field="purpose")
    if not roles.strip():
        raise InvalidInput(_("Enter who takes part and what each does."), field="roles")
    typed = boundaries_for(stage.kind, boundaries)
    typed.validate(minimum_representatives=stage.cycle.required_representatives)
    if closes_at is not None and closes_at <= utcnow():
        raise InvalidInput(_("The closing date must be in the future."), field="closes_on")
    if amending:
        _check_amendment(stage, typed, closes_at, reason)

    mandate = stage.mandate
    if mandate.signatures or mandate.is_agreed:
        mandate = Mandate(version=mandate.version + 1, created_by_id=actor.id)
        stage.mandates.append(mandate)
        if stage.state == StageState.AGREED:
            stage.state = StageState.DRAFT
    mandate.purpose, mandate.roles = purpose.strip(), roles.strip()
    mandate.boundaries_data = typed.to_dict()
    mandate.closes_at = closes_at
    mandate.amendment_reason = reason.strip() if amending and reason else None
    mandate.template = template if find_template(template) else mandate.template
    session().flush()
    record(
        "mandate.amend" if amending else "mandate.edit",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"mandate v{mandate.version}",
        detail={"version": mandate.version, "boundaries": mandate.boundaries_data, "reason": mandate.amendment_reason},
    )
    return mandate


def _check_amendment(stage: Stage, typed: Any, closes_at: datetime | None, reason: str | None) -> None:
    if not reason or not reason.strip():
        raise InvalidInput(_("Explain, in public, why this amendment is needed."), field="amendment_reason")
    agreed = stage.agreed_mandate
    assert agreed is not None  # an open stage always has one
    locked = typed.locked_changes(agreed.boundaries)
    if locked:
        raise OutsideMandate(
            _(
                "While the stage is open its rules cannot change: only its wording, accepted risks and a later "
                "closing date can be amended."
            ),
            clause=f"{stage.kind.value}.{locked[0]}",
            field=locked[0],
        )
    if agreed.closes_at and (closes_at is None or closes_at < agreed.closes_at):
        raise OutsideMandate(
            _("An amendment can extend the closing date, never bring it forward."),
            clause="mandate.closes_at",
            field="closes_on",
        )


def apply_template(stage: Stage, actor: User, name: str) -> Mandate:
    """Replace the draft with a template's starting text for this stage kind.

    Raises InvalidInput (no such template, or none for this kind), NotAuthorised or OutsideMandate.
    """
    template = find_template(name)
    if template is None or stage.kind not in template.stages:
        raise InvalidInput(_("Choose a template that has this kind of stage."), field="template")
    start = initial_mandate(stage.cycle, stage.kind, name)
    return update_mandate(
        stage,
        actor,
        purpose=start.purpose,
        roles=start.roles,
        boundaries=start.boundaries,
        closes_at=stage.mandate.closes_at,
        template=name,
    )


def sign_mandate(stage: Stage, actor: User, side: Side, version: int) -> Signature:
    """Sign the current version for one side; agree it once both sides have signed enough.

    `version` is the version the person read: if it is no longer current, nothing is signed.
    An amendment, once agreed, applies at once to the open stage.
    Raises NotAuthorised, OutsideMandate (the stage has closed) or Conflict.
    """
    verdict = require(actor, Action.SIGN_MANDATE, stage, side=side)
    mandate = stage.mandate
    if mandate.version != version:
        raise Conflict(_("The mandate changed while you were reading it. Read the new version, then sign."))
    if mandate.is_agreed:
        raise Conflict(_("This version is already agreed."))
    if any(s.user_id == actor.id for s in mandate.signatures):
        raise Conflict(_("You have already signed this version."))
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
    if not any(signatures_needed(mandate).values()):
        mandate.agreed_at = utcnow()
        stage.closes_at = mandate.closes_at
        if stage.state == StageState.DRAFT:
            stage.state = StageState.AGREED
        record(
            "mandate.amendment_agreed" if mandate.is_amendment else "mandate.agree",
            actor=None,
            stage=stage,
            subject=f"mandate v{mandate.version}",
            detail={"version": mandate.version},
        )
    return signature


def signatures_needed(mandate: Mandate) -> dict[Side, int]:
    """How many more signatures each side still needs for this version."""
    representatives = max(mandate.boundaries.representatives_required, mandate.stage.cycle.required_representatives)
    required = {Side.COMMISSIONERS: 1, Side.RESIDENTS: representatives}
    return {side: max(0, n - len(mandate.signatures_for(side))) for side, n in required.items()}


def discuss_mandate(stage: Stage, actor: User, body: str) -> MandateComment:
    """Add a comment to the discussion of the stage's current version.

    Raises NotAuthorised, OutsideMandate (the stage has closed) or InvalidInput.
    """
    verdict = require(actor, Action.DISCUSS_MANDATE, stage)
    body = body.strip()
    if not body:
        raise InvalidInput(_("Write your comment."), field="body")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(_("Keep your comment under %(num)d characters.", num=MAX_COMMENT), field="body")
    comment = MandateComment(author_id=actor.id, author_name=actor.name, role=verdict.role, body=body)
    stage.mandate.comments.append(comment)
    session().flush()
    record("mandate.discuss", actor=actor, role=verdict.role, stage=stage, subject=f"mandate v{stage.mandate.version}")
    return comment
