"""The rows of a Pabulib `.pb` file, section by section: what :mod:`pb.counting.pabulib` reads them from.

Rows are `;`-separated, fields may be quoted with `"`; blank lines are skipped and every row
keeps the line it starts on, so that errors can name it. The VOTES section, which holds up to
hundreds of thousands of rows, is split without csv wherever it has no quotes.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator

from pb.counting.errors import PabulibError

SECTIONS = ("META", "PROJECTS", "VOTES")

Row = tuple[int, list[str]]


class Rows:
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


def column_index(section: str, header_line: int, header: list[str], required: tuple[str, ...]) -> dict[str, int]:
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


def check_width(section: str, line: int, row: list[str], width: int) -> list[str]:
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


def vote_rows(rows: Rows, header_line: int) -> Iterator[tuple[int, list[str]]]:
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
    return csv_rows(rest, header_line)


def csv_rows(text: str, header_line: int) -> Iterator[tuple[int, list[str]]]:
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
