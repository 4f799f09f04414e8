"""Tie-breaking: a total, documented order on projects used whenever a rule meets a tie.

The order is written as comma-separated keys, applied left to right:
``score-desc`` (higher total score first), ``score-asc``, ``votes-desc`` (more ballots
naming it first), ``cost-asc`` (cheaper first), ``cost-desc``, ``id-asc`` (project id in
Unicode code-point order, as Python compares strings), ``id-desc``. An id key always ends
the order, so no two projects are ever tied; ``id-asc`` is appended when none is given.
"""

from __future__ import annotations

from collections.abc import Sequence

from pb.counting.election import Election
from pb.counting.errors import CountingError

DEFAULT_TIE_BREAK = "score-desc,cost-asc,id-asc"

TIE_BREAK_KEYS = ("score-desc", "score-asc", "votes-desc", "cost-asc", "cost-desc", "id-asc", "id-desc")


def normalise_tie_break(spec: str | Sequence[str] | None) -> str:
    """The tie-break order as its canonical string.

    Raises:
        CountingError: an unknown or repeated key.
    """
    if spec is None:
        return DEFAULT_TIE_BREAK
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    keys = [part.strip() for part in parts if part.strip()]
    for key in keys:
        if key not in TIE_BREAK_KEYS:
            raise CountingError(f"unknown tie-break key {key!r}; use some of {', '.join(TIE_BREAK_KEYS)}")
    if len(set(keys)) != len(keys):
        raise CountingError(f"tie-break order repeats a key: {','.join(keys)}")
    if "id-asc" not in keys and "id-desc" not in keys:
        keys.append("id-asc")
    # Keys after the id key can never matter; dropping them keeps the stored order honest.
    end = next(i for i, key in enumerate(keys) if key.startswith("id-"))
    return ",".join(keys[: end + 1])


def tie_ranks(election: Election, spec: str) -> list[int]:
    """Each project's place (0 = first) in the tie-break order ``spec`` (normalised)."""
    order = list(range(election.n_projects))
    # Python's sort is stable, so sorting by the last key first yields the lexicographic
    # order of all keys.
    for key in reversed(spec.split(",")):
        field, direction = key.rsplit("-", 1)
        values: Sequence[object]
        if field == "score":
            values = election.scores
        elif field == "votes":
            values = election.votes
        elif field == "cost":
            values = election.costs
        else:
            values = election.ids
        order.sort(key=values.__getitem__, reverse=direction == "desc")
    ranks = [0] * election.n_projects
    for place, project in enumerate(order):
        ranks[project] = place
    return ranks
