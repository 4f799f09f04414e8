"""Writing Pabulib `.pb` files (reading is in :mod:`pb.counting.pabulib`)."""

from __future__ import annotations

import csv
import io
import os
from fractions import Fraction
from pathlib import Path

from pb.counting.amounts import format_amount
from pb.counting.errors import CountingError
from pb.counting.model import POINT_TYPES, Instance, Profile

# Pabulib requires these META fields; a file written for an instance built in code, which
# has none of them, gets these placeholders (dates are left out: there is no neutral date).
REQUIRED_META_DEFAULTS = {
    "description": "Participatory budgeting vote counted by Cyd",
    "country": "unknown",
    "unit": "unknown",
    "instance": "unknown",
    "rule": "unknown",
}


def dumps_pb(instance: Instance, profile: Profile) -> str:
    """Write an instance and profile as the text of a `.pb` file.

    META keeps every field of ``instance.meta`` in order; ``budget``, ``vote_type``,
    ``num_projects`` and ``num_votes`` are set from the data, and missing required fields
    get the placeholders of ``REQUIRED_META_DEFAULTS``.

    Raises:
        CountingError: an amount has no finite decimal form, or a ballot names a project
            the instance does not have.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    meta = {key: value for key, value in REQUIRED_META_DEFAULTS.items() if key not in instance.meta}
    meta.update(instance.meta)
    meta["num_projects"] = str(len(instance.projects))
    meta["num_votes"] = str(len(profile))
    meta["budget"] = format_amount(instance.budget)
    meta["vote_type"] = profile.vote_type
    out.write("META\n")
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())

    columns = _project_columns(instance)
    out.write("PROJECTS\n")
    writer.writerow(columns)
    for project in instance.projects.values():
        values = {"project_id": project.id, "cost": format_amount(project.cost), "name": project.name}
        writer.writerow([values[c] if c in values else project.extra.get(c, "") for c in columns])

    vote_columns = _vote_columns(profile)
    out.write("VOTES\n")
    writer.writerow(vote_columns)
    for position, ballot in enumerate(profile.ballots):
        for project_id in ballot.projects:
            if project_id not in instance.projects:
                raise CountingError(f"ballot {position + 1} names unknown project {project_id!r}")
        values = {"voter_id": ballot.voter_id or str(position + 1), "vote": ",".join(ballot.projects)}
        if ballot.points is not None:
            values["points"] = ",".join(format_amount(Fraction(p)) for p in ballot.points)
        writer.writerow([values[c] if c in values else ballot.extra.get(c, "") for c in vote_columns])
    return out.getvalue()


def write_pb(instance: Instance, profile: Profile, target: str | os.PathLike[str]) -> None:
    """Write an instance and profile to a `.pb` file (UTF-8, ``\\n`` line ends).

    Raises:
        CountingError: see :func:`dumps_pb`.
        OSError: the file cannot be written.
    """
    Path(target).write_text(dumps_pb(instance, profile), encoding="utf-8", newline="")


def _project_columns(instance: Instance) -> list[str]:
    """The PROJECTS header: the one read from the file, else the columns the data use."""
    columns = [c for c in instance.project_columns if c]
    if "project_id" not in columns or "cost" not in columns:
        columns = ["project_id", "cost"] + [c for c in columns if c not in ("project_id", "cost")]
    if "name" not in columns and any(p.name for p in instance.projects.values()):
        columns.append("name")
    for project in instance.projects.values():
        for key in project.extra:
            if key not in columns:
                columns.append(key)
    return columns


def _vote_columns(profile: Profile) -> list[str]:
    """The VOTES header: the one read from the file, else the columns the data use."""
    has_points = profile.vote_type in POINT_TYPES
    columns = [c for c in profile.columns if c and (has_points or c != "points")]
    for name in ("voter_id", "vote", "points") if has_points else ("voter_id", "vote"):
        if name not in columns:
            columns.append(name)
    for ballot in profile.ballots:
        for key in ballot.extra:
            if key not in columns:
                columns.append(key)
    return columns
