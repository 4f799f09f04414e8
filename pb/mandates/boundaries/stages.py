"""The boundaries of every stage kind but the vote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.cycles.models import StageKind
from pb.errors import InvalidInput
from pb.mandates.boundaries.base import (
    COMMENTERS,
    DEFAULT_OVERRIDE_GROUNDS,
    DEFAULT_RULE_OUT_GROUNDS,
    MODERATORS,
    OVERRIDERS,
    Boundaries,
    Money,
    _check_lines,
    spec,
)


@dataclass(frozen=True)
class PrioritiesBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.PRIORITIES
    who_may_contribute: str = spec(
        "residents", input="choice", label=_l("Who may record needs and assets"), choices=COMMENTERS
    )
    moderators: str = spec("commissioners", input="choice", label=_l("Who moderates"), choices=MODERATORS)

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        return [
            (
                "priorities.who_may_contribute",
                _("%(who)s may record local needs and assets.", who=COMMENTERS[self.who_may_contribute]),
            ),
            ("priorities.moderators", _("%(who)s moderate, giving a public reason.", who=MODERATORS[self.moderators])),
        ]


@dataclass(frozen=True)
class ProposalsBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.PROPOSALS
    max_cost: int | None = spec(
        None,
        input="money",
        label=_l("Most a single proposal may cost, in pounds"),
        hint=_l("Leave empty for no cap below the cycle's budget."),
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        if self.max_cost is not None and self.max_cost <= 0:
            raise InvalidInput(_("The cost cap must be more than zero, or left empty."), field="max_cost")

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        cap = (
            _("Any resident may submit proposals costing up to %(cap)s each.", cap=money(self.max_cost))
            if self.max_cost
            else _("Any resident may submit proposals costing up to the cycle's budget.")
        )
        return [
            ("proposals.max_cost", cap),
        ]


@dataclass(frozen=True)
class DeliberationBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.DELIBERATION
    who_may_comment: str = spec(
        "residents", input="choice", label=_l("Who may comment and ask questions"), choices=COMMENTERS
    )
    moderators: str = spec("commissioners", input="choice", label=_l("Who moderates comments"), choices=MODERATORS)
    moderation_grounds: list[str] = spec(
        input="lines",
        label=_l("Grounds on which a comment may be hidden"),
        hint=_l("One ground a line."),
        factory=lambda: ["Abusive or discriminatory", "Personal information about someone", "Spam or advertising"],
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        _check_lines(self.moderation_grounds, "moderation_grounds")

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        grounds = "; ".join(self.moderation_grounds) or _("none")
        return [
            ("deliberation.who_may_comment", _("%(who)s may comment and ask.", who=COMMENTERS[self.who_may_comment])),
            (
                "deliberation.moderators",
                _(
                    "%(who)s may hide a comment only on these grounds, with a public note: %(grounds)s.",
                    who=MODERATORS[self.moderators],
                    grounds=grounds,
                ),
            ),
        ]


@dataclass(frozen=True)
class ReviewBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.REVIEW
    rule_out_grounds: list[str] = spec(
        input="lines",
        label=_l("Grounds on which commissioners may rule a proposal out"),
        hint=_l("One ground a line. Leave empty to allow none."),
        factory=lambda: list(DEFAULT_RULE_OUT_GROUNDS),
    )
    may_revise_costs: bool = spec(False, input="bool", label=_l("May commissioners revise a proposal's cost?"))
    proposers_may_respond: bool = spec(
        True, input="bool", label=_l("May a proposer respond to the review, and revise their proposal once?")
    )
    max_cost_change_percent: int = spec(
        20, input="int", label=_l("By how much, at most, in per cent of the proposer's estimate")
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        _check_lines(self.rule_out_grounds, "rule_out_grounds")
        if not 0 <= self.max_cost_change_percent <= 1000:
            raise InvalidInput(_("Enter a percentage from 0 to 1000."), field="max_cost_change_percent")

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        if self.rule_out_grounds:
            rule_out = _(
                "Commissioners may rule a proposal out only on these grounds, with a public reason: %(grounds)s.",
                grounds="; ".join(self.rule_out_grounds),
            )
        else:
            rule_out = _("Commissioners may not rule any proposal out.")
        costs = (
            _(
                "Commissioners may revise a proposal's cost by up to %(percent)d%%, with a public reason.",
                percent=self.max_cost_change_percent,
            )
            if self.may_revise_costs
            else _("Commissioners may not change costs.")
        )
        return [
            ("review.rule_out_grounds", rule_out),
            ("review.may_revise_costs", costs),
            (
                "review.proposers_may_respond",
                _("A proposer may respond to the review, and revise their proposal once.")
                if self.proposers_may_respond
                else _("Proposers may not respond to the review."),
            ),
        ]


@dataclass(frozen=True)
class DecisionBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.DECISION
    override_by: str = spec(
        "nobody", input="choice", label=_l("Who may override the result of a binding vote"), choices=OVERRIDERS
    )
    override_grounds: list[str] = spec(
        input="lines",
        label=_l("Grounds on which a result may be overridden"),
        hint=_l("One ground a line. Every override is published with its ground and reason."),
        factory=lambda: list(DEFAULT_OVERRIDE_GROUNDS),
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        _check_lines(self.override_grounds, "override_grounds")
        if self.override_by != "nobody" and not self.override_grounds:
            raise InvalidInput(_("List the grounds on which a result may be overridden."), field="override_grounds")

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        if self.override_by == "nobody":
            override = _("Nobody may override the result of a binding vote.")
        else:
            override = _(
                "%(who)s: they may override the result of a binding vote only on these grounds: "
                "%(grounds)s. Every override is published.",
                who=OVERRIDERS[self.override_by],
                grounds="; ".join(self.override_grounds),
            )
        return [
            (
                "decision.follows_vote",
                _("Commissioners record the decision on every project: where the vote binds, what it selected."),
            ),
            ("decision.override_by", override),
        ]


@dataclass(frozen=True)
class DeliveryBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.DELIVERY
    residents_may_pledge: bool = spec(
        True, input="bool", label=_l("May residents pledge time, materials or space to funded projects?")
    )

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        pledge = (
            _("Residents may pledge time, materials or space, recorded beside the council's spend.")
            if self.residents_may_pledge
            else _("Residents are not asked to pledge contributions.")
        )
        return [
            ("delivery.reports", _("Commissioners report progress and milestones on every funded project.")),
            ("delivery.residents_may_pledge", pledge),
        ]


@dataclass(frozen=True)
class AssessmentBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.ASSESSMENT
    who_may_rate: str = spec(
        "residents", input="choice", label=_l("Who may rate and comment on what was delivered"), choices=COMMENTERS
    )

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        return [
            ("assessment.who_may_rate", _("%(who)s may rate what was delivered.", who=COMMENTERS[self.who_may_rate])),
            ("assessment.feeds_next_cycle", _("Commissioners publish what they learned for the next cycle.")),
        ]
