"""The structured boundaries of authority of each stage kind.

Wherever the app can check a boundary it is a typed field here, not prose:
`pb.mandates.authority` reads these, and refusals quote the clause (`vote.max_choices`).
Each field's metadata says how the mandate editor asks for it (`input`, `label`, `hint`,
`choices`), and whether it may change while the stage is open (`locked_while_open`): the
rules of a vote in progress never change, only its deadline and wording may.
Validation raises `InvalidInput` naming the field, so a form can show it beside the input.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from flask_babel import gettext as _

from pb.cycles.models import StageKind
from pb.errors import InvalidInput
from pb.mandates.boundaries.base import (
    COMMENTERS,
    DEFAULT_OVERRIDE_GROUNDS,
    DEFAULT_RULE_OUT_GROUNDS,
    MODERATORS,
    OVERRIDERS,
    Boundaries,
    spec,
)
from pb.mandates.boundaries.stages import (
    AssessmentBoundaries,
    DecisionBoundaries,
    DeliberationBoundaries,
    DeliveryBoundaries,
    PrioritiesBoundaries,
    ProposalsBoundaries,
    ReviewBoundaries,
)
from pb.mandates.boundaries.vote import (
    BALLOT_FORMATS,
    COUNTING_RULES,
    ELIGIBILITY,
    RULES_FOR_FORMAT,
    VoteBoundaries,
    normalise_postcode,
    postcode_in_areas,
)

__all__ = [
    "BALLOT_FORMATS",
    "BOUNDARIES_BY_KIND",
    "COMMENTERS",
    "COUNTING_RULES",
    "DEFAULT_OVERRIDE_GROUNDS",
    "DEFAULT_RULE_OUT_GROUNDS",
    "ELIGIBILITY",
    "MODERATORS",
    "OVERRIDERS",
    "RULES_FOR_FORMAT",
    "AssessmentBoundaries",
    "Boundaries",
    "DecisionBoundaries",
    "DeliberationBoundaries",
    "DeliveryBoundaries",
    "PrioritiesBoundaries",
    "ProposalsBoundaries",
    "ReviewBoundaries",
    "VoteBoundaries",
    "boundaries_for",
    "normalise_postcode",
    "postcode_in_areas",
    "spec",
]

BOUNDARIES_BY_KIND: dict[StageKind, type[Boundaries]] = {
    cls.kind: cls
    for cls in (
        PrioritiesBoundaries,
        ProposalsBoundaries,
        DeliberationBoundaries,
        ReviewBoundaries,
        VoteBoundaries,
        DecisionBoundaries,
        DeliveryBoundaries,
        AssessmentBoundaries,
    )
}


def boundaries_for(kind: StageKind, data: dict[str, Any] | None = None) -> Boundaries:
    """Build the typed boundaries of `kind` from stored data, ignoring unknown keys.

    Raises InvalidInput when a value has the wrong type.
    """
    cls = BOUNDARIES_BY_KIND[kind]
    known = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in (data or {}).items() if k in known})
    except TypeError as error:
        raise InvalidInput(_("These boundaries do not fit this stage.")) from error


def mandate_stage(clause: str | None) -> str | None:
    """For a clause of a stage's mandate, by which both sides cite it ("vote.postcodes": a field of
    the vote's boundaries), that stage's kind; "" for one of every mandate ("mandate.locked"). None
    for the app's own rules ("stage.state", "paper.pending", "vote.codes"): a refusal says those in
    words, and the code would not help the person reading it."""
    kind, _dot, name = (clause or "").partition(".")
    if kind == "mandate":
        return None if name == "agreed" else ""  # "not agreed yet": no mandate decides that
    cls = next((cls for stage_kind, cls in BOUNDARIES_BY_KIND.items() if stage_kind.value == kind), None)
    return kind if cls is not None and name in {f.name for f in fields(cls)} else None
