"""Reading Pabulib `.pb` files (writing is in :mod:`pb.counting.pabulib_write`).

A file has three sections, META, PROJECTS and VOTES, each a line holding only its name,
then a header line, then `;`-separated rows (fields may be quoted with `"`). Every column is
kept, so that read -> write -> read gives back the same instance and profile. Anything
malformed is refused with a :class:`PabulibError` naming the section, line and reason.
"""

from __future__ import annotations

import io
import operator
import os
from collections.abc import Callable
from pathlib import Path

from pb.counting.amounts import Money, parse_amount
from pb.counting.errors import CountingError, PabulibError
from pb.counting.model import NO_EXTRA, POINT_TYPES, VOTE_TYPES, Instance, Profile, Project, check_id
from pb.counting.pabulib_rows import SECTIONS, Row, Rows, check_width, column_index, vote_rows


def read_pb(source: str | os.PathLike[str]) -> tuple[Instance, Profile]:
    """Read a `.pb` file.

    Raises:
        PabulibError: the file cannot be read, is not UTF-8, or is malformed.
    """
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise PabulibError(None, None, f"cannot read {os.fspath(source)}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PabulibError(None, line, "the file is not valid UTF-8") from None
    return parse_pb(text)


def parse_pb(text: str) -> tuple[Instance, Profile]:
    """Parse the text of a `.pb` file.

    Raises:
        PabulibError: missing, repeated or misplaced sections, bad headers, rows of the
            wrong length, unknown or repeated ids, numbers that are not numbers.
    """
    # newline="" splits rows on \n, \r\n and \r only, never on other Unicode line breaks,
    # and lets csv keep line breaks that sit inside quoted fields.
    rows = Rows(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    meta = _parse_meta(rows.section("META"))
    vote_type = meta.get("vote_type", "").strip()
    if not vote_type:
        raise PabulibError("META", None, "no vote_type")
    if vote_type not in VOTE_TYPES:
        raise PabulibError("META", None, f"vote_type {vote_type!r} is not one of {', '.join(VOTE_TYPES)}")
    budget_text = meta.get("budget")
    if budget_text is None:
        raise PabulibError("META", None, "no budget")
    try:
        budget = parse_amount(budget_text)
    except ValueError:
        raise PabulibError("META", None, f"budget is not a number: {budget_text!r}") from None
    if budget < 0:
        raise PabulibError("META", None, f"budget is negative: {budget_text}")
    projects, project_columns = _parse_projects(rows.section("PROJECTS"))
    profile = _parse_votes(rows, vote_type, projects)
    _check_counts(meta, len(projects), len(profile))
    return Instance(projects, budget, meta, project_columns), profile


def _parse_meta(section: tuple[int, list[str], list[Row]]) -> dict[str, str]:
    """Read META rows into an ordered mapping of key to value.

    Raises:
        PabulibError: a row that is not ``key;value`` or a key given twice.
    """
    header_line, header, rows = section
    if len(header) < 2 or header[:2] != ["key", "value"]:
        raise PabulibError("META", header_line, "the header must be 'key;value'")
    meta: dict[str, str] = {}
    for line, row in rows:
        row = check_width("META", line, row, 2)
        key, value = row
        if not key:
            raise PabulibError("META", line, "empty key")
        if key in meta:
            raise PabulibError("META", line, f"key {key!r} appears twice")
        meta[key] = value
    return meta


def _parse_projects(
    section: tuple[int, list[str], list[Row]],
) -> tuple[dict[str, Project], tuple[str, ...]]:
    """Read PROJECTS rows.

    Raises:
        PabulibError: missing columns, bad or repeated ids, costs that are not
            non-negative numbers.
    """
    header_line, header, rows = section
    index = column_index("PROJECTS", header_line, header, ("project_id", "cost"))
    id_at, cost_at = index["project_id"], index["cost"]
    name_at = index.get("name")
    extra_columns = [(name, at) for name, at in index.items() if name not in ("project_id", "cost", "name")]
    projects: dict[str, Project] = {}
    for line, row in rows:
        row = check_width("PROJECTS", line, row, len(header))
        project_id = row[id_at]
        try:
            check_id(project_id)
        except CountingError as exc:
            raise PabulibError("PROJECTS", line, str(exc)) from None
        if project_id in projects:
            raise PabulibError("PROJECTS", line, f"project {project_id!r} appears twice")
        try:
            cost = parse_amount(row[cost_at])
        except ValueError:
            raise PabulibError(
                "PROJECTS", line, f"cost of project {project_id!r} is not a number: {row[cost_at]!r}"
            ) from None
        if cost < 0:
            raise PabulibError("PROJECTS", line, f"cost of project {project_id!r} is negative")
        extra = {name: row[at] for name, at in extra_columns}
        projects[project_id] = Project(project_id, cost, row[name_at] if name_at is not None else "", extra or NO_EXTRA)
    return projects, tuple(header)


def _parse_votes(rows: Rows, vote_type: str, projects: dict[str, Project]) -> Profile:
    """Read the VOTES section, the last of the file, into a profile.

    Raises:
        PabulibError: missing columns, repeated voter ids, unknown or repeated projects on a
            ballot, points that do not match the projects, or anything after VOTES.
    """
    rows.expect("VOTES")
    header_line, header = rows.header()
    wants_points = vote_type in POINT_TYPES
    required = ("voter_id", "vote", "points") if wants_points else ("voter_id", "vote")
    index = column_index("VOTES", header_line, header, required)
    voter_at, vote_at = index["voter_id"], index["vote"]
    points_at = index["points"] if wants_points else None
    extra_names = tuple(name for name in index if name not in required)
    extra_of = _extra_getter(tuple(index[name] for name in extra_names))
    width = len(header)
    # Real files repeat the same few ballots thousands of times; checking each distinct
    # vote field once keeps reading fast.
    checked: dict[object, tuple[tuple[str, ...], tuple[Money, ...] | None]] = {}
    votes: list[tuple[str, ...]] = []
    points: list[tuple[Money, ...] | None] = []
    voter_ids: list[str] = []
    extras: list[tuple[str, ...]] = []
    # This loop runs once per ballot (130,000 times for Wroclaw): no per-row calls of our own.
    for line, row in vote_rows(rows, header_line):
        if len(row) != width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) == 1 and row[0].strip().upper() in SECTIONS:
                raise PabulibError(row[0].strip().upper(), line, "no section may follow VOTES")
            row = check_width("VOTES", line, row, width)
        raw = row[vote_at] if points_at is None else (row[vote_at], row[points_at])
        parsed = checked.get(raw)
        if parsed is None:
            parsed = _parse_vote(line, raw if points_at is not None else (raw, ""), wants_points, projects)
            checked[raw] = parsed
        voter_ids.append(row[voter_at].strip())
        votes.append(parsed[0])
        points.append(parsed[1])
        extras.append(extra_of(row))
    if len(set(voter_ids)) != len(voter_ids):
        seen: set[str] = set()
        for position, voter_id in enumerate(voter_ids):
            if voter_id in seen:
                raise PabulibError("VOTES", None, f"voter {voter_id!r} appears twice (ballot {position + 1})")
            seen.add(voter_id)
    try:
        return Profile.from_columns(vote_type, votes, points, voter_ids, extras, tuple(header), extra_names)
    except CountingError as exc:
        raise PabulibError("VOTES", None, str(exc)) from None


def _extra_getter(positions: tuple[int, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """A fast function picking the fields at ``positions`` from a row, as a tuple."""
    if not positions:
        return lambda row: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda row: (row[only],)
    return operator.itemgetter(*positions)  # type: ignore[return-value]


def _parse_vote(
    line: int, raw: tuple[str, str], wants_points: bool, projects: dict[str, Project]
) -> tuple[tuple[str, ...], tuple[Money, ...] | None]:
    """Split one ``vote`` (and ``points``) field.

    Raises:
        PabulibError: unknown or repeated project ids, or points that are missing, extra or
            not numbers.
    """
    vote_text, points_text = raw
    vote_text = vote_text.strip()
    ids = tuple(vote_text.split(",")) if vote_text else ()
    if " " in vote_text or "\t" in vote_text:
        ids = tuple(part.strip() for part in ids)
    unique = set(ids)
    # A dict's key view compares as a set, in C: much faster than testing ids one by one.
    if not projects.keys() >= unique:
        unknown = next(pid for pid in ids if pid not in projects)
        raise PabulibError("VOTES", line, f"unknown project {unknown!r} in vote")
    if len(unique) != len(ids):
        raise PabulibError("VOTES", line, "a project appears twice in the same vote")
    if not wants_points:
        return ids, None
    texts = [part.strip() for part in points_text.split(",")] if points_text else []
    if len(texts) != len(ids):
        raise PabulibError("VOTES", line, f"{len(ids)} projects in vote but {len(texts)} values in points")
    try:
        points = tuple(parse_amount(text) for text in texts)
    except ValueError as exc:
        raise PabulibError("VOTES", line, f"points: {exc}") from None
    return ids, points


def _check_counts(meta: dict[str, str], num_projects: int, num_votes: int) -> None:
    """Compare META's announced counts with what the file holds.

    Raises:
        PabulibError: ``num_projects`` or ``num_votes`` disagrees with the rows (a sign of
            a truncated or hand-edited file).
    """
    for key, actual, section in (
        ("num_projects", num_projects, "PROJECTS"),
        ("num_votes", num_votes, "VOTES"),
    ):
        text = meta.get(key)
        if text is None:
            continue
        if not text.strip().isdigit():
            raise PabulibError("META", None, f"{key} is not a whole number: {text!r}")
        if int(text) != actual:
            raise PabulibError("META", None, f"{key} is {text} but the {section} section has {actual} rows")
