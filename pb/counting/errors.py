"""Exceptions raised by the counting engine.

Every problem the engine can detect in its input is reported with one of these, so that
callers (the web app, the command line) can show a plain message instead of a traceback.
"""

from __future__ import annotations


class CountingError(Exception):
    """The election cannot be counted as asked: bad input, unknown rule or bad option."""


class PabulibError(CountingError):
    """A Pabulib `.pb` file is malformed.

    Carries the section (``META``, ``PROJECTS``, ``VOTES`` or ``None`` when the problem is not
    inside a section), the 1-based line number (``None`` when the problem concerns the whole
    file) and a human-readable reason.
    """

    def __init__(self, section: str | None, line: int | None, reason: str) -> None:
        self.section = section
        self.line = line
        self.reason = reason
        where = []
        if section:
            where.append(section)
        if line is not None:
            where.append(f"line {line}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)
