"""The structured boundaries of authority of each stage kind.

Wherever the app can check a boundary it is a typed field here, not prose:
`pb.mandates.authority` reads these, and refusals quote the clause (`vote.max_choices`).
Each field's metadata says how the mandate editor asks for it (`input`, `label`, `hint`,
`choices`), and whether it may change while the stage is open (`locked_while_open`): the
rules of a vote in progress never change, only its deadline and wording may.
Validation raises `InvalidInput` naming the field, so a form can show it beside the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import Field, asdict, dataclass, field, fields
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from pb.cycles.models import StageKind
from pb.errors import InvalidInput

Money = Callable[[int], str]

BALLOT_FORMATS = {
    "approval": _l("Approval: choose the projects you support"),
    "knapsack": _l("Cost-limited approval: choose projects whose total cost fits within a limit"),
    "ranked": _l("Ranked: put your favourite projects in order"),
    "cumulative": _l("Cumulative: share out points among the projects"),
}
# Which counting rules fit each ballot format (the engine counts ranks as Borda scores, points as scores).
RULES_FOR_FORMAT = {
    "approval": ("greedy", "equalshares/add1", "phragmen"),
    "knapsack": ("greedy", "equalshares/add1", "phragmen"),
    "ranked": ("greedy",),
    "cumulative": ("greedy", "equalshares/add1"),
}
ELIGIBILITY = {
    "accounts": _l("Residents with an account whose details meet the conditions"),
    "codes": _l("Anyone with a voting code"),
    "both": _l("Residents with an account that meets the conditions, or anyone with a voting code"),
}
POSTCODE_AREA = re.compile(r"^[A-Z]{1,2}([0-9][A-Z0-9]?( [0-9])?)?$")
COUNTING_RULES = {
    "greedy": _l("Most votes first: fund each project that still fits the budget"),
    "equalshares/add1": _l("Method of Equal Shares (completed by raising each voter's share)"),
    "phragmen": _l("Sequential Phragmén"),
}
COMMENTERS = {
    "residents": _l("Any signed-in resident"),
    "representatives": _l("Resident representatives and commissioners only"),
}
MODERATORS = {
    "commissioners": _l("Commissioners"),
    "facilitators": _l("Facilitators"),
    "representatives": _l("Resident representatives"),
}
OVERRIDERS = {
    "nobody": _l("Nobody: the result stands"),
    "commissioners": _l("Commissioners, with a public reason on an agreed ground"),
}
DEFAULT_RULE_OUT_GROUNDS = (
    "Unlawful",
    "Over the cost cap",
    "Outside the council's powers",
    "Duplicate of another proposal",
    "Not in the cycle's area",
)
DEFAULT_OVERRIDE_GROUNDS = (
    "Found unlawful after the vote",
    "Cost rose beyond what the budget can meet",
)


def spec(
    default: Any = None,
    *,
    input: str,
    label: str,
    hint: str = "",
    choices: dict[str, str] | None = None,
    locked_while_open: bool = True,
    factory: Callable[[], Any] | None = None,
) -> Any:
    """A boundary field with what the editor needs to ask for it."""
    metadata = {
        "input": input,
        "label": label,
        "hint": hint,
        "choices": choices or {},
        "locked_while_open": locked_while_open,
    }
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Boundaries:
    """What every stage's mandate settles: how many representatives sign, and accepted risks."""

    kind: ClassVar[StageKind | None] = None

    representatives_required: int = spec(
        1,
        input="int",
        label="How many resident representatives must sign this mandate",
        hint="At least the number the cycle requires.",
    )
    risks: str = spec(
        "",
        input="text",
        label="Risks both sides accept, and how they are handled",
        hint="Optional. For example: a project may cost more than estimated; the council meets the first 10%.",
        locked_while_open=False,
    )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def specs(cls) -> list[Field[Any]]:
        """The fields the editor shows, in order: this kind's own first, then the common ones."""
        common = {f.name for f in fields(Boundaries)}
        own = [f for f in fields(cls) if f.name not in common]
        return own + [f for f in fields(cls) if f.name in common]

    def validate(self, minimum_representatives: int = 1) -> None:
        """Raise InvalidInput (naming the field) when a value is out of range."""
        if self.representatives_required < minimum_representatives:
            raise InvalidInput(
                f"At least {minimum_representatives} resident representative"
                f"{'s' if minimum_representatives != 1 else ''} must sign, as the cycle requires.",
                field="representatives_required",
            )
        for f in fields(self):
            choices = f.metadata.get("choices")
            if choices and getattr(self, f.name) not in choices:
                raise InvalidInput(f"Choose one of the options for “{f.metadata['label']}”.", field=f.name)

    def clauses(self, money: Money) -> list[tuple[str, str]]:
        """(clause, plain-English sentence) pairs for the "who decides what" page."""
        return self._own_clauses(money) + self._common_clauses()

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        return []

    def _common_clauses(self) -> list[tuple[str, str]]:
        n = self.representatives_required
        agreed = ngettext(
            "Agreed when a commissioner and %(num)d resident representative sign it.",
            "Agreed when a commissioner and %(num)d resident representatives sign it.",
            n,
        )
        sentences = [("mandate.signatures", agreed)]
        if self.risks.strip():
            sentences.append(("mandate.risks", _("Risks both sides accept: %(risks)s", risks=self.risks.strip())))
        return sentences

    def locked_changes(self, other: Boundaries) -> list[str]:
        """The fields that differ from `other` but may not change while the stage is open."""
        return [
            f.name
            for f in fields(self)
            if f.metadata.get("locked_while_open", True) and getattr(self, f.name) != getattr(other, f.name)
        ]


@dataclass(frozen=True)
class PrioritiesBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.PRIORITIES
    who_may_contribute: str = spec(
        "residents", input="choice", label="Who may record needs and assets", choices=COMMENTERS
    )
    moderators: str = spec("commissioners", input="choice", label="Who moderates", choices=MODERATORS)

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
        label="Most a single proposal may cost, in pounds",
        hint="Leave empty for no cap below the cycle's budget.",
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        if self.max_cost is not None and self.max_cost <= 0:
            raise InvalidInput("The cost cap must be more than zero, or left empty.", field="max_cost")

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
        "residents", input="choice", label="Who may comment and ask questions", choices=COMMENTERS
    )
    moderators: str = spec("commissioners", input="choice", label="Who moderates comments", choices=MODERATORS)
    moderation_grounds: list[str] = spec(
        input="lines",
        label="Grounds on which a comment may be hidden",
        hint="One ground a line.",
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
        label="Grounds on which commissioners may rule a proposal out",
        hint="One ground a line. Leave empty to allow none.",
        factory=lambda: list(DEFAULT_RULE_OUT_GROUNDS),
    )
    may_revise_costs: bool = spec(False, input="bool", label="May commissioners revise a proposal's cost?")
    proposers_may_respond: bool = spec(
        True, input="bool", label="May a proposer respond to the review, and revise their proposal once?")
    max_cost_change_percent: int = spec(
        20, input="int", label="By how much, at most, in per cent of the proposer's estimate"
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        _check_lines(self.rule_out_grounds, "rule_out_grounds")
        if not 0 <= self.max_cost_change_percent <= 1000:
            raise InvalidInput("Enter a percentage from 0 to 1000.", field="max_cost_change_percent")

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
        return [("review.rule_out_grounds", rule_out), ("review.may_revise_costs", costs),
            (
                "review.proposers_may_respond",
                _("A proposer may respond to the review, and revise their proposal once.")
                if self.proposers_may_respond
                else _("Proposers may not respond to the review."),
            ),
        ]


@dataclass(frozen=True)
class VoteBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.VOTE
    binding: bool = spec(True, input="bool", label="Is the vote binding on the council?")
    budget: int = spec(0, input="money", label="Budget residents allocate, in pounds")
    ballot_format: str = spec("approval", input="choice", label="Ballot format", choices=BALLOT_FORMATS)
    min_choices: int = spec(1, input="int", label="Fewest projects a voter must choose (or rank)")
    max_choices: int = spec(
        3, input="int", label="Most projects a voter may choose (or rank)", hint="Not used by cumulative ballots."
    )
    cost_limit: int | None = spec(
        None,
        input="money",
        label="Cost-limited ballots: most the chosen projects may cost in total, in pounds",
        hint="Leave empty to use the budget residents allocate.",
    )
    points: int = spec(10, input="int", label="Cumulative ballots: points each voter shares out")
    max_points_per_project: int = spec(
        0, input="int", label="Cumulative ballots: most points a voter may give one project", hint="0 for no limit."
    )
    counting_rule: str = spec(
        "greedy",
        input="choice",
        label="Counting rule",
        hint="Phragmén counts only approval ballots; ranked ballots are counted most votes first.",
        choices=COUNTING_RULES,
    )
    eligibility: str = spec("accounts", input="choice", label="Who may vote", choices=ELIGIBILITY)
    postcodes: list[str] = spec(
        input="lines",
        label="Account holders must live in these postcode areas",
        hint="One a line, like CF11 or CF10 5. Leave empty for anywhere. Voting codes are not checked.",
        factory=list,
    )
    minimum_age: int = spec(
        0, input="int", label="Account holders must be at least this age", hint="0 for no minimum age."
    )
    show_running_counts: bool = spec(
        False, input="bool", label="May running counts be shown during voting?", locked_while_open=True
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        if self.budget <= 0:
            raise InvalidInput("The budget residents allocate must be more than zero.", field="budget")
        if self.min_choices < 0:
            raise InvalidInput("The fewest projects a voter chooses cannot be below zero.", field="min_choices")
        if self.max_choices < max(1, self.min_choices):
            raise InvalidInput(
                "The most projects a voter may choose must be at least 1 and at least the fewest.", field="max_choices"
            )
        if self.cost_limit is not None and self.cost_limit <= 0:
            raise InvalidInput("The cost limit must be more than zero, or left empty.", field="cost_limit")
        if self.points < 1:
            raise InvalidInput("Give each voter at least 1 point to share out.", field="points")
        if not 0 <= self.max_points_per_project <= self.points:
            raise InvalidInput(
                "The most points for one project must be from 0 to the points each voter has.",
                field="max_points_per_project",
            )
        if self.counting_rule not in RULES_FOR_FORMAT[self.ballot_format]:
            raise InvalidInput(
                f"{COUNTING_RULES[self.counting_rule]} cannot count a {self.ballot_format} ballot. "
                "Choose another counting rule or ballot format.",
                field="counting_rule",
            )
        if not all(POSTCODE_AREA.match(normalise_postcode(area)) for area in self.postcodes):
            raise InvalidInput("Write each postcode area like CF11 or CF10 5, one a line.", field="postcodes")
        if not 0 <= self.minimum_age <= 120:
            raise InvalidInput("Enter an age from 0 to 120.", field="minimum_age")

    @property
    def spending_limit(self) -> int:
        """The most a cost-limited ballot's projects may cost together: the limit, else the budget."""
        return self.cost_limit or self.budget

    @property
    def accepts_accounts(self) -> bool:
        return self.eligibility in ("accounts", "both")

    @property
    def accepts_codes(self) -> bool:
        return self.eligibility in ("codes", "both")

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        effect = (
            _("The result binds the council: commissioners must fund what the vote selects.")
            if self.binding
            else _("The vote is advisory: commissioners decide, and must give public reasons.")
        )
        return [
            ("vote.binding", effect),
            ("vote.budget", _("Residents allocate %(budget)s.", budget=money(self.budget))),
            ("vote.ballot_format", _("Ballot: %(format)s.", format=BALLOT_FORMATS[self.ballot_format])),
            self._limits_clause(money),
            ("vote.counting_rule", _("Votes are counted by: %(rule)s.", rule=COUNTING_RULES[self.counting_rule])),
            *self._eligibility_clauses(),
            (
                "vote.show_running_counts",
                _("Running counts of votes for each project may be shown while voting is open.")
                if self.show_running_counts
                else _("No count of votes for any project is shown until voting closes."),
            ),
        ]

    def _limits_clause(self, money: Money) -> tuple[str, str]:
        if self.ballot_format == "cumulative":
            if self.max_points_per_project:
                return (
                    "vote.points",
                    _(
                        "Each voter shares out up to %(points)d points, at most %(most)d on one project.",
                        points=self.points,
                        most=self.max_points_per_project,
                    ),
                )
            return ("vote.points", _("Each voter shares out up to %(points)d points.", points=self.points))
        if self.ballot_format == "ranked":
            return (
                "vote.max_choices",
                _("Each voter ranks between %(min)d and %(max)d projects.", min=self.min_choices, max=self.max_choices),
            )
        choose = _(
            "Each voter chooses between %(min)d and %(max)d projects.", min=self.min_choices, max=self.max_choices
        )
        if self.ballot_format == "knapsack":
            limit = _(
                "The projects a voter chooses may cost at most %(limit)s together.", limit=money(self.spending_limit)
            )
            return ("vote.cost_limit", f"{choose} {limit}")
        return ("vote.max_choices", choose)

    def _eligibility_clauses(self) -> list[tuple[str, str]]:
        sentences = [("vote.eligibility", _("Who may vote: %(who)s.", who=ELIGIBILITY[self.eligibility]))]
        if self.accepts_accounts and self.postcodes:
            sentences.append(
                (
                    "vote.postcodes",
                    _(
                        "Account holders must live in: %(areas)s.",
                        areas=", ".join(map(normalise_postcode, self.postcodes)),
                    ),
                )
            )
        if self.accepts_accounts and self.minimum_age:
            sentences.append(
                ("vote.minimum_age", _("Account holders must be at least %(age)d years old.", age=self.minimum_age))
            )
        return sentences


def normalise_postcode(text: str) -> str:
    """Upper case with one space before the inward code: "cf105ab" → "CF10 5AB", "cf11" → "CF11"."""
    compact = "".join(text.split()).upper()
    if len(compact) >= 5 and compact[-3].isdigit() and compact[-2:].isalpha():
        return f"{compact[:-3]} {compact[-3:]}"
    return " ".join(text.upper().split())


def postcode_in_areas(postcode: str, areas: list[str]) -> bool:
    """Whether a full postcode lies in one of the areas: "CF11" (a district), "CF10 5" (a sector) or "CF"."""
    full = normalise_postcode(postcode)
    outward = full.split(" ")[0]
    for area in map(normalise_postcode, areas):
        if " " in area:
            if full.startswith(area):
                return True
        elif area.isalpha():
            if re.match(rf"^{area}[0-9]", outward):  # "CF" is every CF district, never "CFA…"
                return True
        elif outward == area:
            return True
    return False


@dataclass(frozen=True)
class DecisionBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.DECISION
    override_by: str = spec(
        "nobody", input="choice", label="Who may override the result of a binding vote", choices=OVERRIDERS
    )
    override_grounds: list[str] = spec(
        input="lines",
        label="Grounds on which a result may be overridden",
        hint="One ground a line. Every override is published with its ground and reason.",
        factory=lambda: list(DEFAULT_OVERRIDE_GROUNDS),
    )

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        _check_lines(self.override_grounds, "override_grounds")
        if self.override_by != "nobody" and not self.override_grounds:
            raise InvalidInput("List the grounds on which a result may be overridden.", field="override_grounds")

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
        True, input="bool", label="May residents pledge time, materials or space to funded projects?"
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
        "residents", input="choice", label="Who may rate and comment on what was delivered", choices=COMMENTERS
    )

    def _own_clauses(self, money: Money) -> list[tuple[str, str]]:
        return [
            ("assessment.who_may_rate", _("%(who)s may rate what was delivered.", who=COMMENTERS[self.who_may_rate])),
            ("assessment.feeds_next_cycle", _("Commissioners publish what they learned for the next cycle.")),
        ]


def _check_lines(lines: list[str], name: str) -> None:
    cleaned = [line.strip() for line in lines]
    if not all(cleaned) or len(set(cleaned)) != len(cleaned):
        raise InvalidInput("Write each ground once, one a line.", field=name)


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
        raise InvalidInput(f"These boundaries do not fit a {kind.value} stage.") from error
