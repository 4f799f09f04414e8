"""Mandate templates as files: "principles travel, processes do not" (docs/mandates.md).

A council exports a cycle's mandates, or any template, as a JSON file; another council's
commissioner imports it, and it becomes a starting point for their cycles, which both sides
there adapt and sign as usual. The file holds only what travels: each stage's purpose, roles
and boundaries of authority. Money, postcodes and the number of representatives who sign are
the exporting council's own, so they are left out and the new cycle's own fill them.

An import is checked whole before anything is saved: the format, every stage kind and their
order, and every boundary's type and value, as the mandate editor checks them.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, fields
from datetime import date
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, StageKind
from pb.db import session, utcnow
from pb.errors import InvalidInput, NotFound
from pb.mandates.actions import Action
from pb.mandates.authority import require_cycle_action
from pb.mandates.boundaries import BOUNDARIES_BY_KIND
from pb.mandates.models import MandateTemplate
from pb.mandates.templates import Template, find_template
from pb.templating import stage_name

FORMAT = "cyd-mandate-template"
VERSION = 1
# Boundaries that belong to one council's cycle, not to the principles: never exported, never imported.
LOCAL = frozenset({"representatives_required", "budget", "cost_limit", "max_cost", "postcodes"})
MAX_FILE_BYTES = 200_000
MAX_TEXT = 10_000


def template_document(template: Template) -> dict[str, Any]:
    """A template as the file another council imports."""
    return _document(
        template.title,
        template.description,
        template.source or _("A starting point built into Cyd"),
        [(kind, template.start_for(kind).purpose, template.start_for(kind).roles, template.start_for(kind).boundaries)
         for kind in template.stages],
    )


def cycle_document(cycle: Cycle) -> dict[str, Any]:
    """A cycle's mandates as a template for another council: each stage's agreed version, as the public page
    shows it, or its newest draft if none is agreed yet."""
    today = format_date(date.today(), "d MMMM yyyy")
    return _document(
        cycle.title,
        cycle.purpose,
        _("The mandates of “%(cycle)s”, %(area)s, exported on %(date)s", cycle=cycle.title, area=cycle.area,
          date=today),
        [(s.kind, m.purpose, m.roles, m.boundaries_data) for s in cycle.stages if (m := s.agreed_mandate or s.mandate)],
    )


def as_file(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def import_template(actor: User, data: bytes) -> MandateTemplate:
    """A commissioner imports a template file.

    Raises NotAuthorised, or InvalidInput (on the form's `file`) saying what is wrong; nothing is saved then.
    """
    verdict = require_cycle_action(actor, Action.MANAGE_TEMPLATES)
    document = read_document(data)
    row = MandateTemplate(title=document["title"], description=document["description"], source=document["source"],
                          stages=document["stages"], imported_by_id=actor.id, imported_at=utcnow())
    session().add(row)
    session().flush()
    record("template.import", actor=actor, role=verdict.role, subject=row.title[:120],
           detail={"template_id": row.id, "source": row.source, "stages": [s["kind"] for s in row.stages]})
    return row


def delete_template(actor: User, template_id: int) -> str:
    """A commissioner removes an imported template; mandates that started from it keep their words.

    Returns its title. Raises NotAuthorised or NotFound.
    """
    verdict = require_cycle_action(actor, Action.MANAGE_TEMPLATES)
    row = session().get(MandateTemplate, template_id)
    if row is None:
        raise NotFound(_("That template has already been removed."))
    title = row.title
    session().delete(row)
    session().flush()
    record("template.delete", actor=actor, role=verdict.role, subject=title[:120], detail={"template_id": template_id})
    return title


def template_named(name: str) -> Template:
    """A template to download, built in or imported. Raises NotFound."""
    template = find_template(name)
    if template is None:
        raise NotFound(_("There is no template by that name. It may have been removed."))
    return template


def read_document(data: bytes) -> dict[str, Any]:
    """The checked contents of a template file: title, description, source and stages. Raises InvalidInput."""
    if not data:
        raise _bad(_("Choose a template file to import."))
    if len(data) > MAX_FILE_BYTES:
        raise _bad(_("The file is too large to be a mandate template (the most is 200 KB)."))
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _bad(_("The file is not a mandate template: it is not JSON. Choose a file Cyd exported.")) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _bad(_("The file is not a mandate template. Choose a file Cyd exported."))
    if document.get("version") != VERSION:
        raise _bad(_("This template was written by another version of Cyd, which this one cannot read."))
    title, description, source = (_text(document, key, most) for key, most in
                                  (("title", 200), ("description", MAX_TEXT), ("source", 300)))
    if not title:
        raise _bad(_("The template has no title."))
    stages = document.get("stages")
    if not isinstance(stages, list) or not stages:
        raise _bad(_("The template has no stages."))
    checked = [_stage(entry) for entry in stages]
    kinds = [StageKind(s["kind"]) for s in checked]
    if len(set(kinds)) != len(kinds):
        raise _bad(_("The template has a kind of stage twice."))
    from pb.cycles.services import check_stage_order  # cycles.services imports the mandates' services

    try:
        check_stage_order(kinds)
    except InvalidInput as error:
        raise _bad(error.message) from None
    return {"title": title, "description": description, "source": source or _("Not given"), "stages": checked}


def _document(title: str, description: str, source: str,
              stages: list[tuple[StageKind, str, str, dict[str, Any]]]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "title": title,
        "description": description,
        "source": source,
        "stages": [
            {"kind": kind.value, "purpose": purpose, "roles": roles,
             "boundaries": {k: v for k, v in boundaries.items() if k not in LOCAL}}
            for kind, purpose, roles, boundaries in stages
        ],
    }


def _stage(entry: object) -> dict[str, Any]:
    if not isinstance(entry, dict) or entry.get("kind") not in set(StageKind):
        raise _bad(_("Each stage in the template must be one of Cyd's kinds of stage."))
    kind = StageKind(entry["kind"])
    name = stage_name(kind).lower()
    purpose, roles = _text(entry, "purpose", MAX_TEXT), _text(entry, "roles", MAX_TEXT)
    if not purpose or not roles:
        raise _bad(_("The %(stage)s stage needs its purpose and its roles.", stage=name))
    boundaries = entry.get("boundaries", {})
    if not isinstance(boundaries, dict):
        raise _bad(_("The %(stage)s stage's boundaries of authority cannot be read.", stage=name))
    cls = BOUNDARIES_BY_KIND[kind]
    known = {f.name: f for f in fields(cls) if f.name not in LOCAL}
    kept: dict[str, Any] = {}
    for key, value in boundaries.items():
        if key in LOCAL:
            continue  # another council's own: this cycle's fill it
        if key not in known:
            raise _bad(_("The %(stage)s stage has a boundary this version of Cyd does not know: “%(name)s”.",
                         stage=name, name=key))
        if not _fits(value, known[key]):
            raise _bad(_("The %(stage)s stage's boundary “%(name)s” has a value of the wrong kind.",
                         stage=name, name=key))
        kept[key] = value
    probe = {**kept, "budget": 1} if kind == StageKind.VOTE else kept  # the new cycle's budget comes later
    try:
        cls(**probe).validate()
    except InvalidInput as error:
        raise _bad(_("The %(stage)s stage: %(problem)s", stage=name, problem=error.message)) from None
    return {"kind": kind.value, "purpose": purpose, "roles": roles, "boundaries": kept}


def _fits(value: object, field: Any) -> bool:
    """Whether a boundary's value is of the kind its default is (a whole number, yes or no, words, lines)."""
    default = field.default if field.default is not MISSING else field.default_factory()
    if default is None:  # an amount or a limit, or none
        return value is None or (isinstance(value, int) and not isinstance(value, bool))
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, type(default))


def _text(document: dict[str, Any], key: str, most: int) -> str:
    value = document.get(key, "")
    if not isinstance(value, str):
        raise _bad(_("The template's “%(name)s” must be words.", name=key))
    if len(value) > most:
        raise _bad(_("The template's “%(name)s” is too long: the most is %(num)d characters.", name=key, num=most))
    return value.strip()


def _bad(message: str) -> InvalidInput:
    return InvalidInput(message, field="file")
