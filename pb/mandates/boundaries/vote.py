"""The vote's boundaries: ballot format and limits, counting rule, eligibility."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pb.cycles.models import StageKind
from pb.errors import InvalidInput
from pb.mandates.boundaries.base import Boundaries, Money, spec
from pb.mandates.boundaries.demographics import QUESTION_CHOICES, QUESTIONS

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


@dataclass(frozen=True)
class VoteBoundaries(Boundaries):
    kind: ClassVar[StageKind] = StageKind.VOTE
    binding: bool = spec(True, input="bool", label=_l("Is the vote binding on the council?"))
    budget: int = spec(0, input="money", label=_l("Budget residents allocate, in pounds"))
    ballot_format: str = spec("approval", input="choice", label=_l("Ballot format"), choices=BALLOT_FORMATS)
    min_choices: int = spec(1, input="int", label=_l("Fewest projects a voter must choose (or rank)"))
    max_choices: int = spec(
        3,
        input="int",
        label=_l("Most projects a voter may choose (or rank)"),
        hint=_l("Not used by cumulative ballots."),
    )
    cost_limit: int | None = spec(
        None,
        input="money",
        label=_l("Cost-limited ballots: most the chosen projects may cost in total, in pounds"),
        hint=_l("Leave empty to use the budget residents allocate."),
    )
    points: int = spec(10, input="int", label=_l("Cumulative ballots: points each voter shares out"))
    max_points_per_project: int = spec(
        0,
        input="int",
        label=_l("Cumulative ballots: most points a voter may give one project"),
        hint=_l("0 for no limit."),
    )
    counting_rule: str = spec(
        "greedy",
        input="choice",
        label=_l("Counting rule"),
        hint=_l("Phragmén counts only approval ballots; ranked ballots are counted most votes first."),
        choices=COUNTING_RULES,
    )
    eligibility: str = spec("accounts", input="choice", label=_l("Who may vote"), choices=ELIGIBILITY)
    postcodes: list[str] = spec(
        input="lines",
        label=_l("Account holders must live in these postcode areas"),
        hint=_l("One a line, like CF11 or CF10 5. Leave empty for anywhere. Voting codes are not checked."),
        factory=list,
    )
    minimum_age: int = spec(
        0, input="int", label=_l("Account holders must be at least this age"), hint=_l("0 for no minimum age.")
    )
    desk_checks_conditions: bool = spec(
        False,
        input="bool",
        label=_l("At events, must people meet the postcode and age conditions to be given a voting code?"),
        hint=_l("If yes, the check-in desk asks for a postcode in the areas above and whether they are old enough."),
    )
    show_running_counts: bool = spec(
        False, input="bool", label=_l("May running counts be shown during voting?"), locked_while_open=True
    )
    # Locked while open: answers gathered under two sets of questions could not be compared.
    demographics: list[str] = spec(
        input="multi",
        label=_l("After voting, which optional questions about themselves may voters answer?"),
        hint=_l(
            "For the dashboard's comparison with the area's population. Voters can skip them; "
            "answers are only ever counted, never kept beside a vote or a name. Tick none to ask nothing."
        ),
        choices=QUESTION_CHOICES,
        factory=list,
    )

    def __post_init__(self) -> None:
        # The questions in the catalogue's order, however they were ticked: one set of questions, one value.
        if isinstance(self.demographics, list):
            order = {key: n for n, key in enumerate(QUESTIONS)}
            object.__setattr__(self, "demographics", sorted(self.demographics, key=lambda k: order.get(k, len(order))))

    def validate(self, minimum_representatives: int = 1) -> None:
        super().validate(minimum_representatives)
        if self.budget <= 0:
            raise InvalidInput(_("The budget residents allocate must be more than zero."), field="budget")
        if self.min_choices < 0:
            raise InvalidInput(_("The fewest projects a voter chooses cannot be below zero."), field="min_choices")
        if self.max_choices < max(1, self.min_choices):
            raise InvalidInput(
                _("The most projects a voter may choose must be at least 1 and at least the fewest."),
                field="max_choices",
            )
        if self.cost_limit is not None and self.cost_limit <= 0:
            raise InvalidInput(_("The cost limit must be more than zero, or left empty."), field="cost_limit")
        if self.points < 1:
            raise InvalidInput(_("Give each voter at least 1 point to share out."), field="points")
        if not 0 <= self.max_points_per_project <= self.points:
            raise InvalidInput(
                _("The most points for one project must be from 0 to the points each voter has."),
                field="max_points_per_project",
            )
        if self.counting_rule not in RULES_FOR_FORMAT[self.ballot_format]:
            raise InvalidInput(
                _(
                    "%(rule)s cannot count this ballot format. Choose another counting rule or ballot format.",
                    rule=COUNTING_RULES[self.counting_rule],
                ),
                field="counting_rule",
            )
        if not all(POSTCODE_AREA.match(normalise_postcode(area)) for area in self.postcodes):
            raise InvalidInput(_("Write each postcode area like CF11 or CF10 5, one a line."), field="postcodes")
        if not 0 <= self.minimum_age <= 120:
            raise InvalidInput(_("Enter an age from 0 to 120."), field="minimum_age")

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
            self._demographics_clause(),
            (
                "vote.show_running_counts",
                _("Running counts of votes for each project may be shown while voting is open.")
                if self.show_running_counts
                else _("No count of votes for any project is shown until voting closes."),
            ),
        ]

    def _demographics_clause(self) -> tuple[str, str]:
        if not self.demographics:
            return ("vote.demographics", _("Voters are not asked any questions about themselves."))
        asked = ", ".join(str(QUESTIONS[key].title) for key in self.demographics if key in QUESTIONS)
        return (
            "vote.demographics",
            _(
                "After voting, voters may answer optional questions about themselves (%(questions)s), "
                "counted only in totals, to compare who took part with the area's population.",
                questions=asked,
            ),
        )

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
        if self.desk_checks:
            sentences.append(("vote.desk_checks_conditions", self._desk_sentence()))
        return sentences

    @property
    def desk_checks(self) -> bool:
        """Whether an event's check-in desk applies the postcode and age conditions before giving a code."""
        return self.accepts_codes and self.desk_checks_conditions and bool(self.postcodes or self.minimum_age)

    def _desk_sentence(self) -> str:
        areas = ", ".join(map(normalise_postcode, self.postcodes))
        if self.postcodes and self.minimum_age:
            return _(
                "At events, the check-in desk gives a voting code only to people who live in %(areas)s "
                "and are at least %(age)d.",
                areas=areas,
                age=self.minimum_age,
            )
        if self.postcodes:
            return _("At events, the check-in desk gives a voting code only to people who live in %(areas)s.",
                     areas=areas)
        return _("At events, the check-in desk gives a voting code only to people who are at least %(age)d.",
                 age=self.minimum_age)


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
