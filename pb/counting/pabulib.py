"""Reading Pabulib `.pb` files (writing is in :mod:`pb.counting.pabulib_write`).

A file has three sections, META, PROJECTS and VOTES, each a line holding only its name,
then a header line, then `;`-separated rows (fields may be quoted with `"`). Every column is
kept, so that read -> write -> read gives back the same instance and profile. Anything
malformed is refused with a :class:`PabulibError` naming the section, line and reason.
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from pb.counting.amounts import Money, parse_amount
from pb.counting.errors import CountingError, PabulibError
from pb.counting.model import NO_EXTRA, POINT_TYPES, VOTE_TYPES, Instance, Profile, Project, check_id

SECTIONS = ("META", "PROJECTS", "VOTES")

Row = tuple[int, list[str]]


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
    return _parse_pb(text)


def _parse_pb(text: str) -> tuple[Instance, Profile]:
    """Parse the text of a `.pb` file.

    Raises:
        PabulibError: see :func:`parse_pb`.
    """
    # newline="" splits rows on \n, \r\n and \r only, never on other Unicode line breaks,
    # and lets csv keep line breaks that sit inside quoted fields.
    rows = _Rows(io.StringIO(text.removeprefix("\ufeff"), newline=""))
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


class _Rows:
    """Walks the csv rows of a file section by section, in the order META, PROJECTS, VOTES."""

    def __init__(self, buffer: io.StringIO) -> None:
        self.buffer = buffer
        # The csv reader pulls one line at a time from the buffer, so after any row the
        # buffer's position is exactly the start of the next line.
        self.reader = csv.reader(buffer, delimiter=";", strict=True)
        self.current: str | None = None
        self.pending: tuple[int, list[str]] | None = None

    def next_row(self) -> tuple[int, list[str]] | None:
        """The next non-blank row and the line it starts on, or ``None`` at the end.

        Raises:
            PabulibError: bad quoting.
        """
        if self.pending is not None:
            row, self.pending = self.pending, None
            return row
        reader = self.reader
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return None
            except csv.Error as exc:
                raise PabulibError(self.current, reader.line_num, f"bad quoting: {exc}") from None
            if row and (len(row) > 1 or row[0].strip()):
                return line, row

    def section(self, name: str) -> tuple[int, list[str], list[Row]]:
        """Read the section ``name``: its header line number, header and stripped rows.

        Raises:
            PabulibError: the section is missing or out of order, or has no header.
        """
        self.expect(name)
        header_line, header = self.header()
        rows: list[Row] = []
        while (item := self.next_row()) is not None:
            line, row = item
            if len(row) == 1 and row[0].strip().upper() in SECTIONS:
                self.pending = item
                break
            rows.append((line, [field.strip() for field in row]))
        return header_line, header, rows

    def expect(self, name: str) -> None:
        """Consume the line that opens section ``name``.

        Raises:
            PabulibError: the next line opens another section or is not a section line.
        """
        item = self.next_row()
        if item is None:
            raise PabulibError(name, None, f"no {name} section")
        line, row = item
        found = row[0].strip().upper() if len(row) == 1 else ""
        if found != name:
            if found in SECTIONS:
                raise PabulibError(found, line, f"section {found} where {name} was expected")
            where = self.current or None
            raise PabulibError(where, line, f"expected the {name} section line")
        self.current = name

    def header(self) -> tuple[int, list[str]]:
        """Consume the header line of the current section.

        Raises:
            PabulibError: the section ends before its header.
        """
        item = self.next_row()
        if item is None or (len(item[1]) == 1 and item[1][0].strip().upper() in SECTIONS):
            raise PabulibError(self.current, item[0] if item else None, "no header line")
        return item[0], [field.strip() for field in item[1]]


def _column_index(section: str, header_line: int, header: list[str], required: tuple[str, ...]) -> dict[str, int]:
    """Map column names to positions, checking required and repeated columns.

    Raises:
        PabulibError: a required column is missing or a column name is repeated.
    """
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in index:
            raise PabulibError(section, header_line, f"column {name!r} appears twice")
        index[name] = position
    for name in required:
        if name not in index:
            raise PabulibError(section, header_line, f"no {name!r} column")
    return index


def _check_width(section: str, line: int, row: list[str], width: int) -> list[str]:
    """Return ``row`` cut to the header's width.

    Raises:
        PabulibError: the row has fewer fields than the header, or extra non-empty ones.
    """
    if len(row) == width:
        return row
    if len(row) > width and not any(row[width:]):
        # A trailing ";" is a common export artefact, not a missing value.
        return row[:width]
    raise PabulibError(section, line, f"expected {width} fields, found {len(row)}")


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
        row = _check_width("META", line, row, 2)
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
    index = _column_index("PROJECTS", header_line, header, ("project_id", "cost"))
    id_at, cost_at = index["project_id"], index["cost"]
    name_at = index.get("name")
    extra_columns = [(name, at) for name, at in index.items() if name not in ("project_id", "cost", "name")]
    projects: dict[str, Project] = {}
    for line, row in rows:
        row = _check_width("PROJECTS", line, row, len(header))
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


def _parse_votes(rows: _Rows, vote_type: str, projects: dict[str, Project]) -> Profile:
    """Read the VOTES section, the last of the file, into a profile.

    Raises:
        PabulibError: missing columns, repeated voter ids, unknown or repeated projects on a
            ballot, points that do not match the projects, or anything after VOTES.
    """
    rows.expect("VOTES")
    header_line, header = rows.header()
    wants_points = vote_type in POINT_TYPES
    required = ("voter_id", "vote", "points") if wants_points else ("voter_id", "vote")
    index = _column_index("VOTES", header_line, header, required)
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
    for line, row in _vote_rows(rows, header_line):
        if len(row) != width:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) == 1 and row[0].strip().upper() in SECTIONS:
                raise PabulibError(row[0].strip().upper(), line, "no section may follow VOTES")
            row = _check_width("VOTES", line, row, width)
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


def _vote_rows(rows: _Rows, header_line: int) -> Iterator[tuple[int, list[str]]]:
    """The rows after the VOTES header, each with its line number.

    Raises:
        PabulibError: bad quoting.
    """
    buffer = rows.buffer
    rest = buffer.read()
    if '"' not in rest and ("\r" not in rest or rest.count("\r") == rest.count("\r\n")):
        # Without quotes a row is one line split on ";": about four times faster than csv,
        # which matters for files of 100,000+ ballots.
        lines = rest.replace("\r\n", "\n").split("\n") if "\r" in rest else rest.split("\n")
        return zip(itertools.count(header_line + 1), map(str.split, lines, itertools.repeat(";")))
    return _csv_rows(rest, header_line)


def _csv_rows(text: str, header_line: int) -> Iterator[tuple[int, list[str]]]:
    """Rows of ``text`` parsed by csv, numbered from after ``header_line``.

    Raises:
        PabulibError: bad quoting.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    while True:
        line = header_line + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise PabulibError("VOTES", header_line + reader.line_num, f"bad quoting: {exc}") from None
        yield line, row


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
