"""Co-planning: recording needs and assets, supporting needs, agreeing the cycle's themes."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import session
from pb.errors import Conflict, InvalidInput, NotFound
from pb.mandates.authority import Action, require
from pb.priorities.models import AssetType, Need, NeedKind, NeedSupport, Theme

MAX_TITLE = 120
MAX_DESCRIPTION = 2000


def _stage(cycle: Cycle) -> Stage:
    stage = cycle.stage_of_kind(StageKind.PRIORITIES)
    if stage is None:
        raise NotFound(_("This cycle has no priorities stage."))
    return stage


def record_need(
    cycle: Cycle,
    actor: User,
    *,
    kind: NeedKind,
    title: str,
    description: str = "",
    area: str | None = None,
    theme_id: int | None = None,
    asset_type: AssetType | None = None,
) -> Need:
    """Record a local need, or a local asset (a place, group or skill), by area and theme.

    Raises StageNotOpen, OutsideMandate (the mandate limits who contributes) or InvalidInput.
    """
    stage = _stage(cycle)
    verdict = require(actor, Action.RECORD_NEED, stage)
    title, description = title.strip(), description.strip()
    if not title:
        raise InvalidInput(_("Say in a few words what the need or asset is."), field="title")
    if len(title) > MAX_TITLE or len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            _(
                "Keep the title under %(title)d characters and the description under %(description)d.",
                title=MAX_TITLE,
                description=MAX_DESCRIPTION,
            ),
            field="title" if len(title) > MAX_TITLE else "description",
        )
    if kind == NeedKind.ASSET and asset_type is None:
        raise InvalidInput(
            _("Say whether the asset is a place, a group, a skill or something else."), field="asset_type"
        )
    if cycle.areas and area not in cycle.areas:
        raise InvalidInput(_("Choose the area."), field="area")
    if theme_id is not None and session().get(Theme, theme_id) not in themes_of(cycle):
        raise InvalidInput(_("Choose one of the cycle's themes."), field="theme_id")
    need = Need(
        cycle_id=cycle.id,
        kind=kind,
        title=title,
        description=description,
        area=area,
        theme_id=theme_id,
        asset_type=asset_type if kind == NeedKind.ASSET else None,
        author_id=actor.id,
        author_name=actor.name,
    )
    session().add(need)
    session().flush()
    record("priorities.record", actor=actor, role=verdict.role, stage=stage, subject=f"{kind.value} {need.id}")
    return need


def support_need(need: Need, actor: User, *, supported: bool = True) -> None:
    """Say that a need matters to you (or take that back). Supporting twice changes nothing.

    Raises StageNotOpen or NotAuthorised.
    """
    cycle = session().get(Cycle, need.cycle_id)
    assert cycle is not None
    require(actor, Action.SUPPORT_NEED, _stage(cycle))
    existing = session().scalar(
        select(NeedSupport).where(NeedSupport.need_id == need.id, NeedSupport.user_id == actor.id)
    )
    if supported and existing is None:
        session().add(NeedSupport(need_id=need.id, user_id=actor.id))
    elif not supported and existing is not None:
        session().execute(delete(NeedSupport).where(NeedSupport.id == existing.id))
    session().flush()


def agree_theme(
    cycle: Cycle, actor: User, *, name: str, description: str = "", need_ids: list[int] | None = None
) -> Theme:
    """Commissioners and resident representatives name a theme of the cycle, from the needs recorded.

    Needs given in `need_ids` are tagged with it. Raises StageNotOpen, NotAuthorised,
    InvalidInput or Conflict (a theme of that name exists).
    """
    stage = _stage(cycle)
    verdict = require(actor, Action.AGREE_THEME, stage)
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(_("Name the theme in 80 characters or fewer."), field="name")
    if any(t.name.lower() == name.lower() for t in themes_of(cycle)):
        raise Conflict(_("The cycle already has a theme with that name."), field="name")
    theme = Theme(cycle_id=cycle.id, name=name, description=description.strip(), created_by_id=actor.id)
    session().add(theme)
    session().flush()
    for need in needs_of(cycle):
        if need.id in set(need_ids or []):
            need.theme_id = theme.id
    session().flush()
    record(
        "priorities.theme",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=name,
        detail={"needs": sorted(need_ids or [])},
    )
    return theme


def themes_of(cycle: Cycle) -> list[Theme]:
    return list(session().scalars(select(Theme).where(Theme.cycle_id == cycle.id).order_by(Theme.name)))


@dataclass(frozen=True)
class NeedRow:
    need: Need
    supporters: int
    supported_by_me: bool


def needs_of(cycle: Cycle) -> list[Need]:
    return list(session().scalars(select(Need).where(Need.cycle_id == cycle.id).order_by(Need.id)))


def need_rows(
    cycle: Cycle,
    viewer: User | None,
    *,
    kind: NeedKind | None = None,
    area: str | None = None,
    theme_id: int | None = None,
) -> list[NeedRow]:
    """Needs and assets with their support, most supported first."""
    counts = dict(
        session()
        .execute(
            select(NeedSupport.need_id, func.count())
            .join(Need)
            .where(Need.cycle_id == cycle.id)
            .group_by(NeedSupport.need_id)
        )
        .tuples()
        .all()
    )
    mine: set[int] = set()
    if viewer is not None and getattr(viewer, "is_authenticated", False):
        mine = set(session().scalars(select(NeedSupport.need_id).where(NeedSupport.user_id == viewer.id)))
    rows = [
        NeedRow(n, counts.get(n.id, 0), n.id in mine)
        for n in needs_of(cycle)
        if (kind is None or n.kind == kind)
        and (not area or n.area == area)
        and (theme_id is None or n.theme_id == theme_id)
    ]
    return sorted(rows, key=lambda r: (-r.supporters, r.need.id))


def get_need(cycle: Cycle, need_id: int) -> Need:
    """Raises NotFound, also for a need of another cycle."""
    need = session().get(Need, need_id)
    if need is None or need.cycle_id != cycle.id:
        raise NotFound(_("There is no need or asset with that number in this cycle."))
    return need
