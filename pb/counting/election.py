"""The numeric form of an election that the rules count: projects by index, identical
ballots grouped, scores as integers, and the ballot hash.

Grouping matters: 131,778 choose-1 ballots in Wroclaw are only 197 distinct ballots, and
every rule works on distinct ballots weighted by how many voters cast them.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from pb.counting.errors import CountingError
from pb.counting.model import APPROVAL_TYPES, POINT_TYPES, Instance, Money, Profile

IntArray = npt.NDArray[np.int64]

RawBallot = tuple[tuple[str, ...], tuple[Money, ...] | None]

HASH_FORMAT = "cyd-ballots/1"


@dataclass(frozen=True, eq=False)
class Election:
    """An instance and profile ready for counting.

    Projects are numbered in instance order. ``scale`` is the factor that made every point
    value an integer (1 unless a ballot gives fractional points); ``scores`` are the scaled
    total scores. Distinct non-empty ballots ("groups") are stored as a CSR matrix
    (``indptr``/``indices``/``points``) with ``mult`` voters each; ``supporters[p]`` lists
    the groups giving project ``p`` positive points and ``support_points[p]`` those points.
    """

    ids: tuple[str, ...]
    costs: tuple[Money, ...]
    budget: Money
    vote_type: str
    n_voters: int
    scale: int
    scores: tuple[int, ...]
    votes: tuple[int, ...]
    mult: IntArray
    indptr: IntArray
    indices: IntArray
    points: IntArray
    supporters: tuple[IntArray, ...]
    support_points: tuple[IntArray, ...]
    ballot_hash: str

    @property
    def n_projects(self) -> int:
        """How many projects the instance has."""
        return len(self.ids)

    def unscaled_score(self, project: int) -> Money:
        """The total score of ``project`` in the ballots' own units."""
        score = Fraction(self.scores[project], self.scale)
        return score.numerator if score.denominator == 1 else score


def ordinal_length(instance: Instance, profile: Profile) -> int:
    """L for ordinal scoring: META ``max_length`` if given, else the longest ballot.

    Raises:
        CountingError: ``max_length`` is not a positive whole number.
    """
    text = instance.meta.get("max_length", "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise CountingError(f"META max_length is not a positive whole number: {text!r}")
        return int(text)
    return max(map(len, profile.votes), default=1)


def compile_election(instance: Instance, profile: Profile, length: int | None = None) -> Election:
    """Check the ballots against the instance and build the numeric form.

    For ordinal ballots a project ranked r-th gets ``length - r + 1`` points; ``length``
    defaults to :func:`ordinal_length`.

    Raises:
        CountingError: a ballot names an unknown project or the same project twice, an
            ordinal ballot is longer than ``length``, or points are not exact numbers or
            too large to sum exactly in 63 bits.
    """
    ids = tuple(instance.projects)
    index = {pid: i for i, pid in enumerate(ids)}
    if profile.vote_type in APPROVAL_TYPES:
        return _compile_approval(instance, profile, ids, index)
    raw_counts = _raw_counts(profile)
    if profile.vote_type == "ordinal" and length is None:
        length = ordinal_length(instance, profile)
    items_of = {raw: _items(raw, profile.vote_type, index, length) for raw in raw_counts}
    denominators = {
        value.denominator for items in items_of.values() for _, value in items if isinstance(value, Fraction)
    }
    scale = math.lcm(*denominators) if denominators else 1
    groups: Counter[tuple[tuple[int, int], ...]] = Counter()
    for raw, count in raw_counts.items():
        items = items_of[raw]
        if items:
            groups[tuple(sorted((p, int(v * scale)) for p, v in items))] += count
    largest = max((abs(v) for key in groups for _, v in key), default=0)
    if largest * max(len(profile), 1) >= 2**62:
        raise CountingError("points too large to count exactly")
    flat = [item for key in groups for item in key]
    indices = np.array([p for p, _ in flat], dtype=np.int64)
    points = np.array([v for _, v in flat], dtype=np.int64)
    lengths = np.array([len(key) for key in groups], dtype=np.int64)
    digest = _hash(profile.vote_type, raw_counts)
    return _build(instance, profile, ids, indices, lengths, points, list(groups.values()), scale, digest)


def _compile_approval(
    instance: Instance,
    profile: Profile,
    ids: tuple[str, ...],
    index: dict[str, int],
) -> Election:
    """:func:`compile_election` for approval ballots, in one pass over distinct ballots.

    Projects are numbered in id order here, so that one sort per ballot yields both the
    group key and the canonical text of the ballot hash.

    Raises:
        CountingError: a ballot names an unknown project or the same project twice.
    """
    by_id = sorted(ids)
    rank = {pid: r for r, pid in enumerate(by_id)}
    groups: Counter[tuple[int, ...]] = Counter()
    try:
        for projects, count in Counter(profile.votes).items():
            groups[tuple(sorted(map(rank.__getitem__, projects)))] += count
    except KeyError as exc:
        raise CountingError(f"a ballot names project {exc.args[0]!r}, which is not in the instance") from None
    lines = sorted(f"{','.join(map(by_id.__getitem__, key))}\t{count}" for key, count in groups.items())
    groups.pop((), None)
    keys = list(groups)
    to_index = np.array([index[pid] for pid in by_id], dtype=np.int64)
    ranked = np.fromiter(itertools.chain.from_iterable(keys), dtype=np.int64)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    starts = np.cumsum(lengths) - lengths
    repeated = np.flatnonzero(np.diff(ranked) == 0) + 1
    repeated = repeated[~np.isin(repeated, starts)]
    if len(repeated):
        raise CountingError(f"a ballot names the same project twice: {by_id[ranked[repeated[0]]]}")
    return _build(
        instance,
        profile,
        ids,
        to_index[ranked],
        lengths,
        None,
        list(groups.values()),
        1,
        _digest(profile.vote_type, lines),
    )


def _items(raw: RawBallot, vote_type: str, index: dict[str, int], length: int | None) -> tuple[tuple[int, Money], ...]:
    """(project index, points) pairs of one distinct ballot.

    Raises:
        CountingError: unknown or repeated project, or an ordinal ballot longer than
            ``length``.
    """
    projects, points = raw
    try:
        positions = [index[pid] for pid in projects]
    except KeyError as exc:
        raise CountingError(f"a ballot names project {exc.args[0]!r}, which is not in the instance") from None
    if len(set(positions)) != len(positions):
        raise CountingError(f"a ballot names the same project twice: {','.join(projects)}")
    if vote_type in APPROVAL_TYPES:
        return tuple((p, 1) for p in positions)
    if vote_type == "ordinal":
        assert length is not None
        if len(positions) > length:
            raise CountingError(f"a ranking of {len(positions)} projects is longer than the maximum {length}")
        return tuple((p, length - rank) for rank, p in enumerate(positions))
    assert points is not None and vote_type in POINT_TYPES
    for value in points:
        if isinstance(value, bool) or not isinstance(value, int | Fraction):
            raise CountingError(f"points must be int or Fraction, not {value!r}")
    return tuple(zip(positions, points, strict=True))


def _build(
    instance: Instance,
    profile: Profile,
    ids: tuple[str, ...],
    indices: IntArray,
    lengths: IntArray,
    points: IntArray | None,
    counts: list[int],
    scale: int,
    ballot_digest: str,
) -> Election:
    """Assemble the arrays of an :class:`Election` from grouped ballots: group ``g`` holds
    ``lengths[g]`` consecutive entries of ``indices`` (projects) and ``points`` (scaled
    points; ``None``: all 1), and ``counts[g]`` voters."""
    n_projects = len(ids)
    mult = np.array(counts, dtype=np.int64)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    if points is None:
        points = np.ones(len(indices), dtype=np.int64)
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    weighted = points * mult[owner]
    score_sums = np.zeros(n_projects, dtype=np.int64)
    np.add.at(score_sums, indices, weighted)
    vote_sums = np.zeros(n_projects, dtype=np.int64)
    np.add.at(vote_sums, indices, mult[owner])
    scores = tuple(score_sums.tolist())
    votes = tuple(vote_sums.tolist())

    positive = points > 0
    by_project = np.argsort(indices[positive], kind="stable")
    sup_groups = owner[positive][by_project]
    sup_points = points[positive][by_project]
    bounds = np.searchsorted(indices[positive][by_project], np.arange(n_projects + 1))
    supporters = tuple(sup_groups[bounds[p] : bounds[p + 1]] for p in range(n_projects))
    support_points = tuple(sup_points[bounds[p] : bounds[p + 1]] for p in range(n_projects))
    return Election(
        ids=ids,
        costs=tuple(project.cost for project in instance.projects.values()),
        budget=instance.budget,
        vote_type=profile.vote_type,
        n_voters=len(profile),
        scale=scale,
        scores=scores,
        votes=votes,
        mult=mult,
        indptr=indptr,
        indices=indices,
        points=points,
        supporters=supporters,
        support_points=support_points,
        ballot_hash=ballot_digest,
    )


def ballot_hash(profile: Profile) -> str:
    """A SHA-256 fingerprint of the ballots, independent of their order and of voter data.

    Each distinct ballot is written canonically — approval: its project ids sorted and
    joined by ``,``; ordinal: its ids in rank order; cumulative and scoring: ``id=points``
    pairs sorted by id, points as integers or reduced fractions — followed by a tab and the
    number of voters who cast it. The lines are sorted and joined by newlines after a header
    ``cyd-ballots/1`` and the vote type. Voter ids and extra columns do not count.
    """
    return _hash(profile.vote_type, _raw_counts(profile))


def _raw_counts(profile: Profile) -> Counter[RawBallot]:
    """How many voters cast each distinct (projects, points) ballot."""
    return Counter(zip(profile.votes, profile.points, strict=True))


def _hash(vote_type: str, raw_counts: Counter[RawBallot]) -> str:
    """The ballot hash from counted distinct ballots; see :func:`ballot_hash`."""
    merged: Counter[str] = Counter()
    for (projects, points), count in raw_counts.items():
        merged[_canonical(vote_type, projects, points)] += count
    return _digest(vote_type, sorted(f"{text}\t{count}" for text, count in merged.items()))


def _digest(vote_type: str, lines: list[str]) -> str:
    """SHA-256 of the header and the sorted canonical lines."""
    digest = hashlib.sha256()
    digest.update(f"{HASH_FORMAT}\n{vote_type}\n".encode())
    digest.update("\n".join(lines).encode())
    return digest.hexdigest()


def _canonical(vote_type: str, projects: tuple[str, ...], points: Iterable[Money] | None) -> str:
    """One ballot in the canonical text form used by the hash."""
    if vote_type == "ordinal":
        return ",".join(projects)
    if points is None:
        return ",".join(sorted(projects))
    pairs = sorted(zip(projects, points, strict=True))
    return ",".join(f"{pid}={Fraction(value)}" for pid, value in pairs)
