"""The base of every stage's boundaries: field specs for the editor, validation, clauses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import Field, asdict, dataclass, field, fields
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from pb.cycles.models import StageKind
from pb.errors import InvalidInput

Money = Callable[[int], str]

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
    """A boundary field with what the editor needs to ask for it.

    `input` is how the editor asks: `int`, `money`, `bool` (yes or no), `choice` (radios, one
    of `choices`), `multi` (checkboxes, any of `choices`, kept as a list), `lines` or `text`.
    """
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
        label=_l("How many resident representatives must sign this mandate"),
        hint=_l("At least the number the cycle requires."),
    )
    risks: str = spec(
        "",
        input="text",
        label=_l("Risks both sides accept, and how they are handled"),
        hint=_l("Optional. For example: a project may cost more than estimated; the council meets the first 10%."),
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
                ngettext(
                    "At least %(num)d resident representative must sign, as the cycle requires.",
                    "At least %(num)d resident representatives must sign, as the cycle requires.",
                    minimum_representatives,
                ),
                field="representatives_required",
            )
        for f in fields(self):
            choices = f.metadata.get("choices")
            value = getattr(self, f.name)
            if not choices:
                continue
            if f.metadata.get("input") == "multi":  # checkboxes: any of the options, each once
                if not isinstance(value, list) or any(v not in choices for v in value) or len(set(value)) != len(value):
                    raise InvalidInput(
                        _("Choose from the options for “%(question)s”.", question=f.metadata["label"]), field=f.name
                    )
            elif not isinstance(value, str) or value not in choices:
                raise InvalidInput(
                    _("Choose one of the options for “%(question)s”.", question=f.metadata["label"]), field=f.name
                )

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


def _check_lines(lines: list[str], name: str) -> None:
    cleaned = [line.strip() for line in lines]
    if not all(cleaned) or len(set(cleaned)) != len(cleaned):
        raise InvalidInput(_("Write each ground once, one a line."), field=name)
