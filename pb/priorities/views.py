"""Priorities: the needs and assets of the area, residents' support for them, and the agreed themes."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from pb.cycles.models import Cycle, StageKind
from pb.cycles.services import get_cycle
from pb.errors import InvalidInput, PBError
from pb.events import workshops
from pb.mandates.authority import Action, allowed
from pb.priorities import services
from pb.priorities.forms import NeedForm, ThemeForm
from pb.priorities.models import AssetType, NeedKind
from pb.web import done, render, show_on_form, updated, wants_fragment

bp = Blueprint("priorities", __name__)


@bp.get("/cycles/<int:cycle_id>/priorities")
def show_priorities(cycle_id: int) -> Response:
    """Needs and assets by area and theme, most supported first, and the cycle's themes."""
    cycle = get_cycle(cycle_id)
    return render(
        "priorities/show.html",
        "priorities/_needs.html",
        **_page(cycle, NeedForm(formdata=None), ThemeForm(formdata=None)),
    )


@bp.post("/cycles/<int:cycle_id>/priorities/needs")
@login_required
def record_need(cycle_id: int) -> Response:
    """Record a need or an asset."""
    cycle = get_cycle(cycle_id)
    form = _need_form(cycle, NeedForm())
    if form.validate_on_submit():
        kind = NeedKind(form.kind.data) if form.kind.data in set(NeedKind) else NeedKind.NEED
        asset = AssetType(form.asset_type.data) if form.asset_type.data in set(AssetType) else None
        try:
            services.record_need(
                cycle,
                current_user,
                kind=kind,
                title=form.title.data or "",
                description=form.description.data or "",
                area=form.area.data or None,
                theme_id=form.theme_id.data,
                asset_type=asset,
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("Thank you: it is on the map of needs and assets."), "success")
            return done("priorities.show_priorities", cycle_id=cycle.id)
    return render("priorities/show.html", status=422, **_page(cycle, form, ThemeForm(formdata=None)))


@bp.post("/cycles/<int:cycle_id>/priorities/needs/<int:need_id>/support")
@login_required
def support_need(cycle_id: int, need_id: int) -> Response:
    """Say a need matters to you (or take it back); htmx gets the list back."""
    cycle = get_cycle(cycle_id)
    need = services.get_need(cycle, need_id)
    NeedForm()  # CSRFProtect has checked the token
    services.support_need(need, current_user, supported=request.form.get("supported") == "yes")
    if wants_fragment():
        return updated("priorities/_needs.html", trigger="need-supported", **_page(cycle, None, None))
    return done("priorities.show_priorities", cycle_id=cycle.id, _anchor=f"need-{need.id}")


@bp.post("/cycles/<int:cycle_id>/priorities/themes")
@login_required
def agree_theme(cycle_id: int) -> Response:
    """Commissioners and resident representatives name a theme, gathering needs under it."""
    cycle = get_cycle(cycle_id)
    form = ThemeForm()
    form.needs.choices = [SelectChoice(str(n.id), n.title) for n in services.needs_of(cycle)]
    if not form.validate_on_submit():
        raise InvalidInput(_("The form was incomplete. Go back and try again."))
    try:
        services.agree_theme(
            cycle,
            current_user,
            name=form.name.data or "",
            description=form.description.data or "",
            need_ids=list(form.needs.data or []),
        )
    except PBError as error:
        if not show_on_form(form, error):
            raise
        return render("priorities/show.html", status=422, **_page(cycle, NeedForm(formdata=None), form))
    flash(_("The theme is agreed. Proposals can now be tagged with it."), "success")
    return done("priorities.show_priorities", cycle_id=cycle.id, _anchor="themes")


def _page(cycle: Cycle, need_form: NeedForm | None, theme_form: ThemeForm | None) -> dict[str, object]:
    stage = cycle.stage_of_kind(StageKind.PRIORITIES)
    kind = request.args.get("kind", "")
    theme = request.args.get("theme", "")
    rows = services.need_rows(
        cycle,
        current_user,
        kind=NeedKind(kind) if kind in set(NeedKind) else None,
        area=request.args.get("area") or None,
        theme_id=int(theme) if theme.isdigit() else None,
    )
    themes = services.themes_of(cycle)
    if theme_form is not None:
        theme_form.needs.choices = [SelectChoice(str(r.need.id), r.need.title) for r in rows]
    return {
        "cycle": cycle,
        "stage": stage,
        "rows": rows,
        "themes": themes,
        "need_form": _need_form(cycle, need_form) if need_form is not None else None,
        "theme_form": theme_form,
        "can": {
            "record": bool(stage) and allowed(current_user, Action.RECORD_NEED, stage),
            "support": bool(stage) and allowed(current_user, Action.SUPPORT_NEED, stage),
            "theme": bool(stage) and allowed(current_user, Action.AGREE_THEME, stage),
        },
        "kinds": NeedKind,
        "workshop_ideas": workshops.ideas_for_needs(cycle),
        "asset_types": AssetType,
    }


def _need_form(cycle: Cycle, form: NeedForm) -> NeedForm:
    form.area.choices = [SelectChoice("", _("The whole area"))] + [SelectChoice(a, a) for a in cycle.areas]
    form.theme_id.choices = [SelectChoice("", _("No theme yet"))] + [
        SelectChoice(str(t.id), t.name) for t in services.themes_of(cycle)
    ]
    return form
