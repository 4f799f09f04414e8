"""The starting text of each stage kind's mandate: a draft both sides then adapt."""

from __future__ import annotations

from typing import Any

from pb.cycles.models import Cycle, StageKind

PURPOSES: dict[StageKind, str] = {
    StageKind.PRIORITIES: "Residents and commissioners map local needs and assets, and agree the themes of the cycle.",
    StageKind.PROPOSALS: "Residents propose how the budget could be spent in their area.",
    StageKind.DELIBERATION: "Residents and commissioners discuss, question and improve the proposals.",
    StageKind.REVIEW: "Commissioners check that each proposal is lawful, feasible and within budget, "
    "and explain in public any proposal they rule out.",
    StageKind.VOTE: "Residents choose which proposals are funded.",
    StageKind.DECISION: "The votes are counted and the council records its decision on every proposal.",
    StageKind.DELIVERY: "The council and residents deliver the funded projects and report progress.",
    StageKind.ASSESSMENT: "Residents assess what was delivered, to improve the next cycle.",
}

ROLES: dict[StageKind, str] = {
    StageKind.PROPOSALS: "Residents: submit proposals with a cost estimate.\n"
    "Commissioners: answer questions about costs and council powers.",
    StageKind.REVIEW: "Commissioners: review every proposal on the agreed grounds, with a public reason.\n"
    "Resident representatives: observe the review and raise concerns.",
    StageKind.VOTE: "Residents: vote for the proposals they want funded.\n"
    "Commissioners: run the vote and keep it secret and fair.",
    StageKind.DECISION: "Commissioners: count the votes and record the decision on each proposal.\n"
    "Resident representatives: check the decision follows the vote.",
}


def initial_mandate(cycle: Cycle, kind: StageKind) -> dict[str, Any]:
    """Purpose, roles and boundaries data for a new stage's first mandate."""
    boundaries: dict[str, Any] = {}
    if kind == StageKind.VOTE:
        boundaries = {"budget": cycle.budget}
    return {
        "purpose": PURPOSES[kind],
        "roles": ROLES.get(kind, "Residents and commissioners: to be agreed."),
        "boundaries": boundaries,
    }
