"""The result of a count: what was funded, in what order, and why each project was or was
not funded, in a form the app can store and show and researchers can re-check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from pb.counting.amounts import Money, format_amount
from pb.counting.errors import CountingError

ENGINE = "cyd-counting/1"

# Why a project ended where it did; ProjectResult.status holds one of these.
STATUSES = {
    "funded": "funded",
    "does-not-fit": "not funded: it did not fit in the money left when its turn came",
    "stopped-count": "not funded: it did not fit in the money left, and the count stopped there",
    "not-reached": "not funded: the count stopped before its turn",
    "below-threshold": "not funded: its score is below the minimum score required",
    "unaffordable": "not funded: its supporters did not have enough money left between them",
    "no-support": "not funded: no voter supported it",
    "over-budget": "not funded: it costs more than the whole budget",
}


def money_json(value: Money | None) -> int | str | None:
    """An exact amount for JSON: an integer, or a string (``"12.5"``, or ``"1/3"`` when it
    has no finite decimal form)."""
    if value is None or isinstance(value, int):
        return value
    if value.denominator == 1:
        return value.numerator
    try:
        return format_amount(value)
    except CountingError:
        return str(value)


def fraction_json(value: Fraction | None) -> str | None:
    """An exact ratio for JSON as ``"numerator/denominator"`` (or an integer string)."""
    return None if value is None else str(value)


@dataclass(frozen=True)
class ProjectResult:
    """Why one project was or was not funded.

    ``position`` is the project's place in the order greedy considered projects, or the
    round in which MES or Phragmén funded it. ``budget_left`` is the money left just before
    greedy (or a greedy completion) considered it. For MES, ``rho`` is the price per unit of
    utility at which it was bought, ``price_per_point`` what one point of support paid
    (for approval with cost utilities: what each full-paying supporter paid), and
    ``supporter_money`` what its supporters held between them when the count ended (for
    projects not funded). For Phragmén, ``rho`` is the load at which it was bought.
    """

    id: str
    cost: Money
    score: Money
    votes: int
    selected: bool
    status: str
    position: int | None = None
    stage: str | None = None
    budget_left: Money | None = None
    rho: Fraction | None = None
    price_per_point: Fraction | None = None
    supporter_money: Money | None = None

    def explain(self, money: Callable[[Money], str] = str) -> str:
        """A plain-English sentence about this project's fate; ``money`` formats amounts."""
        base = STATUSES[self.status]
        if self.status == "funded":
            if self.stage == "fill":
                return f"funded when the money left over was shared out ({money(self.cost)})"
            return f"funded ({money(self.cost)})"
        if self.status in ("does-not-fit", "stopped-count") and self.budget_left is not None:
            return f"not funded: {money(self.budget_left)} left, it costs {money(self.cost)}"
        if self.status == "unaffordable" and self.supporter_money is not None:
            return (
                f"not funded: its supporters had {money(self.supporter_money)} left between "
                f"them, it costs {money(self.cost)}"
            )
        return base

    def to_dict(self) -> dict[str, Any]:
        """This result as JSON-ready values (exact amounts as integers or strings)."""
        return {
            "id": self.id,
            "cost": money_json(self.cost),
            "score": money_json(self.score),
            "votes": self.votes,
            "selected": self.selected,
            "status": self.status,
            "position": self.position,
            "stage": self.stage,
            "budget_left": money_json(self.budget_left),
            "rho": fraction_json(self.rho),
            "price_per_point": fraction_json(self.price_per_point),
            "supporter_money": money_json(self.supporter_money),
            "explanation": self.explain(),
        }


@dataclass(frozen=True)
class Outcome:
    """A complete count.

    ``selected`` lists project ids in the order they were funded. ``tie_break`` is the
    order used to settle ties (see :mod:`pb.counting.tiebreak`), ``options`` every option
    in force, ``details`` rule-specific figures (for add1: the final endowment and number
    of rounds; for comparisons: how many voters preferred each outcome). Re-running
    :func:`pb.counting.count` with the same ballots (same ``ballot_hash``), instance
    (same ``instance_hash``), rule and options gives the same outcome.
    """

    rule: str
    selected: list[str]
    total_cost: Money
    budget: Money
    tie_break: str
    projects: dict[str, ProjectResult]
    ballot_hash: str
    instance_hash: str
    options: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    engine: str = ENGINE

    def to_dict(self) -> dict[str, Any]:
        """The outcome as JSON-ready values."""
        return {
            "rule": self.rule,
            "selected": list(self.selected),
            "total_cost": money_json(self.total_cost),
            "budget": money_json(self.budget),
            "tie_break": self.tie_break,
            "options": dict(self.options),
            "details": {k: _json_value(v) for k, v in self.details.items()},
            "ballot_hash": self.ballot_hash,
            "instance_hash": self.instance_hash,
            "engine": self.engine,
            "projects": [result.to_dict() for result in self.projects.values()],
        }


def _json_value(value: object) -> object:
    """Details values as JSON: exact numbers as integers or strings."""
    if isinstance(value, Fraction):
        return money_json(value)
    return value
