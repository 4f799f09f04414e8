"""Instances (projects and budget) and profiles (ballots) of a participatory-budgeting vote.

Money is an ``int`` (minor units, as the app stores it) or, for the odd Pabulib file with
decimal costs, an exact :class:`~fractions.Fraction`; floats are refused because they would
make outcomes depend on rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from pb.counting.amounts import Money, as_amount, parse_amount
from pb.counting.errors import CountingError

VOTE_TYPES: tuple[str, ...] = ("approval", "choose-1", "cumulative", "ordinal", "scoring")
APPROVAL_TYPES = frozenset({"approval", "choose-1"})
POINT_TYPES = frozenset({"cumulative", "scoring"})

NO_EXTRA: Mapping[str, str] = MappingProxyType({})


def check_id(project_id: object) -> str:
    """Return ``project_id`` if it can name a project in a Pabulib file.

    Raises:
        CountingError: the id is not a non-empty string, has surrounding blanks, or holds a
            comma or line break (Pabulib ballots list ids separated by commas).
    """
    if not isinstance(project_id, str) or not project_id:
        raise CountingError(f"project id must be a non-empty string, not {project_id!r}")
    if project_id != project_id.strip() or any(c in project_id for c in ",\r\n"):
        raise CountingError(f"project id {project_id!r} has blanks at its ends, a comma or a newline")
    return project_id


@dataclass(frozen=True)
class Project:
    """A project: its id, exact cost, name, and any further Pabulib columns as text."""

    id: str
    cost: Money
    name: str = ""
    extra: Mapping[str, str] = field(default_factory=lambda: NO_EXTRA)

    def __post_init__(self) -> None:
        """Validate and normalise the fields.

        Raises:
            CountingError: bad id, or a cost that is not a non-negative exact amount.
        """
        check_id(self.id)
        cost = as_amount(self.cost, f"cost of project {self.id!r}")
        if cost < 0:
            raise CountingError(f"cost of project {self.id!r} is negative: {cost}")
        object.__setattr__(self, "cost", cost)


@dataclass
class Instance:
    """The projects on offer (in a fixed order) and the budget.

    ``meta`` holds the Pabulib META fields as text (``rule``, ``vote_type``,
    ``min_project_score_threshold``, ``max_length``...); ``project_columns`` is the PROJECTS
    header, kept so that a file written back has its columns in the same order.
    """

    projects: dict[str, Project]
    budget: Money
    meta: dict[str, str] = field(default_factory=dict)
    project_columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Validate the budget and the project table.

        Raises:
            CountingError: negative or non-exact budget, or a key that differs from its
                project's id.
        """
        self.budget = as_amount(self.budget, "budget")
        if self.budget < 0:
            raise CountingError(f"budget is negative: {self.budget}")
        for key, project in self.projects.items():
            if key != project.id:
                raise CountingError(f"project stored under {key!r} has id {project.id!r}")

    @classmethod
    def create(
        cls,
        projects: Iterable[Project] | Mapping[str, Money],
        budget: Money,
        meta: Mapping[str, str] | None = None,
    ) -> Instance:
        """Build an instance from projects, or from a mapping of project id to cost.

        Raises:
            CountingError: duplicate project ids, bad costs or a bad budget.
        """
        if isinstance(projects, Mapping):
            items = [Project(pid, cost) for pid, cost in projects.items()]
        else:
            items = list(projects)
        table: dict[str, Project] = {}
        for project in items:
            if project.id in table:
                raise CountingError(f"project id {project.id!r} appears twice")
            table[project.id] = project
        return cls(table, budget, dict(meta or {}))

    def __len__(self) -> int:
        return len(self.projects)

    def __iter__(self) -> Iterator[Project]:
        return iter(self.projects.values())

    @property
    def rule(self) -> str | None:
        """The META ``rule`` the organisers used, if recorded."""
        return self.meta.get("rule")

    def meta_amount(self, key: str) -> Money | None:
        """The META field ``key`` as an exact amount, or ``None`` when it is absent.

        Raises:
            CountingError: the field is present but not a number.
        """
        text = self.meta.get(key)
        if text is None or not text.strip():
            return None
        try:
            return parse_amount(text)
        except ValueError:
            raise CountingError(f"META {key} is not a number: {text!r}") from None


class RowExtra(Mapping[str, str]):
    """Read-only extra columns of one VOTES row, sharing the column names with every row.

    A plain dict per ballot would cost a quarter of the reading time on the largest files.
    """

    __slots__ = ("_keys", "_values")

    def __init__(self, keys: tuple[str, ...], values: tuple[str, ...]) -> None:
        self._keys = keys
        self._values = values

    def __getitem__(self, key: str) -> str:
        """The value of column ``key``.

        Raises:
            KeyError: there is no such column.
        """
        try:
            return self._values[self._keys.index(key)]
        except ValueError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return repr(dict(zip(self._keys, self._values, strict=True)))


class Ballot(NamedTuple):
    """One voter's ballot.

    ``projects`` lists project ids (most preferred first for ordinal ballots); ``points``
    gives the points for each listed project on cumulative and scoring ballots and is
    ``None`` otherwise. ``voter_id`` and ``extra`` (further VOTES columns such as ``age``
    or ``voting_method``) are carried for round trips and never affect the count.
    """

    projects: tuple[str, ...]
    points: tuple[Money, ...] | None = None
    voter_id: str = ""
    extra: Mapping[str, str] = NO_EXTRA


class Profile:
    """The ballots of one vote, all of the same ``vote_type``.

    ``columns`` is the VOTES header as read from a file (empty when built in code); the
    writer uses it to keep the column order.

    Ballots are stored column by column (projects, points, voter ids, extra fields) and
    :class:`Ballot` objects are made on demand: a file of 130,000 ballots then costs a few
    lists instead of 260,000 objects for the garbage collector to scan.
    """

    __slots__ = ("_ballots", "_extra_keys", "_extras", "_points", "_voter_ids", "_votes", "columns", "vote_type")

    def __init__(self, vote_type: str, ballots: Iterable[Ballot], columns: Sequence[str] = ()) -> None:
        """Store and check the ballots.

        Raises:
            CountingError: unknown vote type, or a ballot whose points do not match its
                projects (points are required exactly for cumulative and scoring ballots).
        """
        items = list(ballots)
        self._setup(
            vote_type,
            [b.projects for b in items],
            [b.points for b in items],
            [b.voter_id for b in items],
            [b.extra for b in items],
            columns,
        )

    @classmethod
    def from_columns(
        cls,
        vote_type: str,
        votes: list[tuple[str, ...]],
        points: list[tuple[Money, ...] | None],
        voter_ids: list[str],
        extras: list[Mapping[str, str]] | list[tuple[str, ...]],
        columns: Sequence[str] = (),
        extra_keys: tuple[str, ...] | None = None,
    ) -> Profile:
        """Build a profile from parallel lists, one entry per ballot (used by the reader).

        With ``extra_keys``, each entry of ``extras`` is the tuple of values for those keys
        (no per-ballot mapping object until ballots are asked for).

        Raises:
            CountingError: as for the constructor, or lists of different lengths.
        """
        if not len(votes) == len(points) == len(voter_ids) == len(extras):
            raise CountingError("profile columns have different lengths")
        profile = cls.__new__(cls)
        profile._setup(vote_type, votes, points, voter_ids, extras, columns)
        profile._extra_keys = extra_keys
        return profile

    def _setup(
        self,
        vote_type: str,
        votes: list[tuple[str, ...]],
        points: list[tuple[Money, ...] | None],
        voter_ids: list[str],
        extras: list[Mapping[str, str]] | list[tuple[str, ...]],
        columns: Sequence[str],
    ) -> None:
        """Check and store the columns.

        Raises:
            CountingError: see the constructor.
        """
        if vote_type not in VOTE_TYPES:
            raise CountingError(f"unknown vote type {vote_type!r}; expected one of {', '.join(VOTE_TYPES)}")
        if vote_type in POINT_TYPES:
            for position, (projects, values) in enumerate(zip(votes, points, strict=True)):
                if values is None or len(values) != len(projects):
                    raise CountingError(
                        f"ballot {position + 1}: {vote_type} ballots need one point value per listed project"
                    )
        elif any(values is not None for values in points):
            position = next(i for i, values in enumerate(points) if values is not None)
            raise CountingError(f"ballot {position + 1}: {vote_type} ballots carry no points")
        self.vote_type = vote_type
        self.columns: tuple[str, ...] = tuple(columns)
        self._votes = votes
        self._points = points
        self._voter_ids = voter_ids
        self._extras = extras
        self._extra_keys: tuple[str, ...] | None = None
        self._ballots: list[Ballot] | None = None

    @property
    def votes(self) -> list[tuple[str, ...]]:
        """Each ballot's project ids (read-only view of the stored column)."""
        return self._votes

    @property
    def points(self) -> list[tuple[Money, ...] | None]:
        """Each ballot's points, ``None`` for approval and ordinal ballots."""
        return self._points

    @property
    def ballots(self) -> list[Ballot]:
        """The ballots as :class:`Ballot` objects (made on first use)."""
        if self._ballots is None:
            keys = self._extra_keys
            extras = [RowExtra(keys, values) for values in self._extras] if keys is not None else self._extras
            self._ballots = [
                Ballot(*fields) for fields in zip(self._votes, self._points, self._voter_ids, extras, strict=True)
            ]
        return self._ballots

    @classmethod
    def from_approvals(cls, votes: Iterable[Iterable[str]], vote_type: str = "approval") -> Profile:
        """Build an approval (or choose-1) profile from lists of project ids, one per voter.

        Voters get ids ``"1"``, ``"2"``... in the order given.

        Raises:
            CountingError: ``vote_type`` is not an approval-like type.
        """
        if vote_type not in APPROVAL_TYPES:
            raise CountingError(f"{vote_type!r} is not an approval vote type")
        return cls(
            vote_type,
            (Ballot(tuple(vote), None, str(i)) for i, vote in enumerate(votes, start=1)),
        )

    @classmethod
    def from_rankings(cls, votes: Iterable[Sequence[str]]) -> Profile:
        """Build an ordinal profile from rankings (most preferred project first)."""
        return cls("ordinal", (Ballot(tuple(vote), None, str(i)) for i, vote in enumerate(votes, start=1)))

    @classmethod
    def from_points(cls, votes: Iterable[Mapping[str, Money]], vote_type: str = "cumulative") -> Profile:
        """Build a cumulative or scoring profile from ``{project id: points}`` mappings.

        Raises:
            CountingError: ``vote_type`` is not a points type, or points are not exact numbers.
        """
        if vote_type not in POINT_TYPES:
            raise CountingError(f"{vote_type!r} is not a points vote type")
        ballots = []
        for i, vote in enumerate(votes, start=1):
            points = tuple(as_amount(v, f"points on ballot {i}") for v in vote.values())
            ballots.append(Ballot(tuple(vote), points, str(i)))
        return cls(vote_type, ballots)

    def __len__(self) -> int:
        return len(self._votes)

    def __iter__(self) -> Iterator[Ballot]:
        return iter(self.ballots)

    def __getitem__(self, index: int) -> Ballot:
        return self.ballots[index]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        return self.vote_type == other.vote_type and self.columns == other.columns and self.ballots == other.ballots

    # Profiles are mutable containers compared by content, so they are not hashable.
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Profile({self.vote_type!r}, {len(self)} ballots)"
