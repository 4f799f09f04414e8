"""Starting points for a cycle's mandates, drawn from common practice, that both sides then adapt.

Each template lists its stages in order and, per stage kind, the purpose, roles and boundaries
it starts from; anything it leaves out comes from `DEFAULTS`. Templates are plain data, so a
council can export them and another can import and adapt them (`template_files.py`,
docs/mandates.md): the four built in here, and those imported, named `imported-<id>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pb.cycles.models import Cycle, StageKind

if TYPE_CHECKING:
    from pb.mandates.models import MandateTemplate

K = StageKind


@dataclass(frozen=True)
class StageStart:
    purpose: str
    roles: str
    boundaries: dict[str, Any] = field(default_factory=dict)


DEFAULTS: dict[StageKind, StageStart] = {
    K.PRIORITIES: StageStart(
        "Residents and commissioners map local needs and local assets, and agree the themes of the cycle.",
        "Residents: record needs and what the community already has.\n"
        "Commissioners: share what the council knows about need and spending.",
    ),
    K.PROPOSALS: StageStart(
        "Residents propose how the budget could be spent in their area.",
        "Residents: submit proposals with a cost estimate.\n"
        "Commissioners: answer questions about costs and council powers.",
    ),
    K.DELIBERATION: StageStart(
        "Residents and commissioners discuss, question and improve the proposals together.",
        "Residents: comment, ask questions and suggest merging similar proposals.\n"
        "Commissioners: answer questions in public.",
    ),
    K.REVIEW: StageStart(
        "Commissioners check that each proposal is lawful, feasible and within budget, "
        "and explain in public any proposal they rule out.",
        "Commissioners: review every proposal on the agreed grounds, with a public reason.\n"
        "Resident representatives: observe the review and raise concerns.",
    ),
    K.VOTE: StageStart(
        "Residents choose which proposals are funded.",
        "Residents: vote for the proposals they want funded.\nCommissioners: run the vote and keep it secret and fair.",
    ),
    K.DECISION: StageStart(
        "The votes are counted and the council records its decision on every proposal.",
        "Commissioners: count the votes and record the decision on each proposal.\n"
        "Resident representatives: check the decision follows the vote.",
    ),
    K.DELIVERY: StageStart(
        "The council and residents deliver the funded projects and report progress.",
        "Commissioners: report progress and milestones.\nResidents: pledge and give time, materials or space.",
    ),
    K.ASSESSMENT: StageStart(
        "Residents assess what was delivered, so that the next cycle learns from this one.",
        "Residents: rate and comment on what was delivered.\n"
        "Commissioners: publish what they learned and what will change.",
    ),
}


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    stages: tuple[StageKind, ...]
    starts: dict[StageKind, StageStart] = field(default_factory=dict)
    source: str = ""  # an imported template's: where it came from
    imported_id: int | None = None

    def start_for(self, kind: StageKind) -> StageStart:
        return self.starts.get(kind, DEFAULTS[kind])


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "binding-pb",
            "Binding participatory budget",
            "Residents propose and vote; the council funds what the vote selects.",
            (K.PROPOSALS, K.DELIBERATION, K.REVIEW, K.VOTE, K.DECISION, K.DELIVERY, K.ASSESSMENT),
            {
                K.VOTE: StageStart(
                    DEFAULTS[K.VOTE].purpose,
                    DEFAULTS[K.VOTE].roles,
                    {"binding": True, "max_choices": 3, "counting_rule": "greedy"},
                )
            },
        ),
        Template(
            "advisory-consultation",
            "Advisory consultation",
            "Residents set priorities, propose and vote; the vote advises the council, which gives public "
            "reasons wherever it decides otherwise.",
            (K.PRIORITIES, K.PROPOSALS, K.REVIEW, K.VOTE, K.DECISION),
            {
                K.VOTE: StageStart(
                    "Residents say which proposals they support, to guide the council's decision.",
                    "Residents: vote for the proposals they support.\n"
                    "Commissioners: weigh the result and explain every decision that departs from it.",
                    {"binding": False, "max_choices": 5},
                )
            },
        ),
        Template(
            "co-design-panel",
            "Co-design panel",
            "A panel of resident representatives designs proposals with commissioners in workshops; a binding "
            "vote of the panel's shortlist decides, with overrides only on agreed grounds.",
            (K.PRIORITIES, K.PROPOSALS, K.DELIBERATION, K.REVIEW, K.VOTE, K.DECISION, K.DELIVERY),
            {
                K.DELIBERATION: StageStart(
                    "The panel and commissioners shape the proposals together in workshops.",
                    "Resident panel: lead the workshops and merge similar proposals.\n"
                    "Commissioners: bring evidence on cost and feasibility.",
                    {"who_may_comment": "representatives", "moderators": "representatives"},
                ),
                K.REVIEW: StageStart(
                    DEFAULTS[K.REVIEW].purpose,
                    DEFAULTS[K.REVIEW].roles,
                    {"may_revise_costs": True, "max_cost_change_percent": 15},
                ),
                K.DECISION: StageStart(
                    DEFAULTS[K.DECISION].purpose, DEFAULTS[K.DECISION].roles, {"override_by": "commissioners"}
                ),
            },
        ),
        Template(
            "co-assessment-review",
            "Co-assessment review",
            "Residents and commissioners agree what to assess, then residents rate and comment on a service "
            "or on delivered projects; the findings feed the next cycle.",
            (K.PRIORITIES, K.ASSESSMENT),
            {
                K.PRIORITIES: StageStart(
                    "Residents and commissioners agree what will be assessed, and how.",
                    "Residents: say what matters to them about the service.\n"
                    "Commissioners: share the service's own data on what it delivers.",
                )
            },
        ),
    )
}


IMPORTED_PREFIX = "imported-"


def find_template(name: str | None) -> Template | None:
    """A built-in template by name, or an imported one (`imported-<id>`); None if there is none."""
    if not name:
        return None
    if name in TEMPLATES:
        return TEMPLATES[name]
    number = name.removeprefix(IMPORTED_PREFIX)
    if name.startswith(IMPORTED_PREFIX) and number.isdigit():
        from pb.db import session
        from pb.mandates.models import MandateTemplate

        row = session().get(MandateTemplate, int(number))
        return imported(row) if row is not None else None
    return None


def all_templates() -> list[Template]:
    """The built-in templates, then the imported ones, newest first."""
    from sqlalchemy import select

    from pb.db import session
    from pb.mandates.models import MandateTemplate

    rows = session().scalars(select(MandateTemplate).order_by(MandateTemplate.imported_at.desc(), MandateTemplate.id))
    return list(TEMPLATES.values()) + [imported(row) for row in rows]


def imported(row: MandateTemplate) -> Template:
    starts = {
        StageKind(s["kind"]): StageStart(s["purpose"], s["roles"], dict(s["boundaries"])) for s in row.stages
    }
    return Template(f"{IMPORTED_PREFIX}{row.id}", row.title, row.description, tuple(starts), starts,
                    source=row.source, imported_id=row.id)


def initial_mandate(cycle: Cycle, kind: StageKind, template: str | None = None) -> StageStart:
    """Purpose, roles and boundaries data for a new stage's first mandate."""
    found = find_template(template)
    start = found.start_for(kind) if found else DEFAULTS[kind]
    boundaries = {"representatives_required": cycle.required_representatives, **start.boundaries}
    if kind == StageKind.VOTE:
        boundaries = {"budget": cycle.budget, **boundaries}
    return StageStart(start.purpose, start.roles, boundaries)


def templates_with(kind: StageKind) -> list[Template]:
    return [t for t in all_templates() if kind in t.stages]
