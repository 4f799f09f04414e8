"""The structured boundaries of authority of each stage kind.

Wherever the app can check a boundary it is a typed field here, not prose: services ask
`pb.mandates.authority`, which reads these. Each field has a clause name (`vote.max_choices`)
that refusals quote, and a plain-English description for the public "who decides what" page.
Validation raises `InvalidInput` naming the field, so a form can show it beside the input.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from pb.cycles.models import StageKind
from pb.errors import InvalidInput

BALLOT_FORMATS = ("approval",)
COUNTING_RULES = {
    "greedy": "Most votes first: fund each project that still fits the budget",
    "equalshares/add1": "Method of Equal Shares (completed by raising each voter's share)",
    "phragmen": "Sequential Phragmén",
}
DEFAULT_RULE_OUT_GROUNDS = (
    "Unlawful",
    "Over the cost cap",
    "Outside the council's powers",
    "Duplicate of another proposal",
    "Not in the cycle's area",
)


@dataclass(frozen=True)
class Boundaries:
    """Base for the boundaries of one stage kind; stages with nothing checkable use it as is."""

    kind: ClassVar[StageKind | None] = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def validate(self) -> None:
        """Raise InvalidInput when a value is out of range."""

    def clauses(self, money: Any) -> list[tuple[str, str]]:
        """(clause, plain-English sentence) pairs; `money` formats minor units for display."""
        return []


@dataclass(frozen=True)
class ProposalsBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.PROPOSALS
    max_cost: int | None = None  # pence; None means no cap beyond the cycle budget

    def validate(self) -> None:
        if self.max_cost is not None and self.max_cost <= 0:
            raise InvalidInput("The cost cap must be more than zero, or left empty.", field="max_cost")

    def clauses(self, money: Any) -> list[tuple[str, str]]:
        cap = f"up to {money(self.max_cost)} each" if self.max_cost else "up to the cycle's budget"
        return [("proposals.max_cost", f"Any resident may submit proposals costing {cap}.")]


@dataclass(frozen=True)
class ReviewBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.REVIEW
    rule_out_grounds: list[str] = field(default_factory=lambda: list(DEFAULT_RULE_OUT_GROUNDS))

    def validate(self) -> None:
        grounds = [g.strip() for g in self.rule_out_grounds]
        if not all(grounds) or len(set(grounds)) != len(grounds):
            raise InvalidInput("Each ground for ruling out must be written once.", field="rule_out_grounds")

    def clauses(self, money: Any) -> list[tuple[str, str]]:
        if not self.rule_out_grounds:
            return [("review.rule_out_grounds", "Commissioners may not rule any proposal out.")]
        grounds = "; ".join(self.rule_out_grounds)
        return [
            (
                "review.rule_out_grounds",
                f"Commissioners may rule a proposal out only on these grounds, with a public reason: {grounds}.",
            )
        ]


@dataclass(frozen=True)
class VoteBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.VOTE
    binding: bool = True
    budget: int = 0  # pence residents allocate; 0 until the cycle's budget is copied in
    ballot_format: str = "approval"
    min_choices: int = 1
    max_choices: int = 3
    counting_rule: str = "greedy"

    def validate(self) -> None:
        if self.budget <= 0:
            raise InvalidInput("The budget residents allocate must be more than zero.", field="budget")
        if self.ballot_format not in BALLOT_FORMATS:
            raise InvalidInput("Choose a ballot format.", field="ballot_format")
        if self.counting_rule not in COUNTING_RULES:
            raise InvalidInput("Choose a counting rule.", field="counting_rule")
        if self.min_choices < 0:
            raise InvalidInput("The fewest projects a voter chooses cannot be below zero.", field="min_choices")
        if self.max_choices < max(1, self.min_choices):
            raise InvalidInput(
                "The most projects a voter may choose must be at least 1 and at least the fewest.",
                field="max_choices",
            )

    def clauses(self, money: Any) -> list[tuple[str, str]]:
        effect = (
            "The result binds the council: commissioners must fund what the vote selects."
            if self.binding
            else "The vote is advisory: commissioners decide, and must give public reasons."
        )
        return [
            ("vote.binding", effect),
            ("vote.budget", f"Residents allocate {money(self.budget)}."),
            (
                "vote.max_choices",
                f"Each voter chooses between {self.min_choices} and {self.max_choices} projects.",
            ),
            ("vote.counting_rule", f"Votes are counted by: {COUNTING_RULES[self.counting_rule]}."),
        ]


@dataclass(frozen=True)
class DecisionBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.DECISION

    def clauses(self, money: Any) -> list[tuple[str, str]]:
        return [
            (
                "decision.follows_vote",
                "Commissioners record the decision: where the vote binds, exactly the projects it selected.",
            )
        ]


_BY_KIND: dict[StageKind, type[Boundaries]] = {
    cls.kind: cls for cls in (ProposalsBoundaries, ReviewBoundaries, VoteBoundaries, DecisionBoundaries)
}


def boundaries_for(kind: StageKind, data: dict[str, Any] | None = None) -> Boundaries:
    """Build the typed boundaries of `kind` from stored data, ignoring unknown keys.

    Raises InvalidInput when a value has the wrong type.
    """
    cls = _BY_KIND.get(kind, Boundaries)
    known = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in (data or {}).items() if k in known})
    except TypeError as error:
        raise InvalidInput(f"These boundaries do not fit a {kind.value} stage.") from error
