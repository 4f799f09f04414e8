"""Mandates: read, edit or amend, discuss, start from a template, sign; and "who decides what"."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from pb.cycles.models import Stage, StageState
from pb.cycles.services import get_cycle, get_stage
from pb.db import db
from pb.errors import Conflict, InvalidInput, PBError
from pb.mandates import services
from pb.mandates.authority import Action, allowed
from pb.mandates.forms import CommentForm, MandateForm, SignForm, TemplateForm
from pb.mandates.models import Side
from pb.mandates.templates import templates_with
from pb.results.services import overrides_by_stage
from pb.templating import money
from pb.web import done, render, show_on_form, updated, wants_fragment

bp = Blueprint("mandates", __name__)


def _stage(cycle_id: int, kind: str) -> Stage:
    return get_stage(get_cycle(cycle_id), kind)


@bp.get("/cycles/<int:cycle_id>/who-decides")
def who_decides(cycle_id: int) -> Response:
    """Public: every stage's purpose, roles, boundaries, signatures and amendments."""
    cycle = get_cycle(cycle_id)
    return render("mandates/who_decides.html", cycle=cycle, money=money, overrides=overrides_by_stage(cycle))


@bp.get("/cycles/<int:cycle_id>/stages/<kind>/mandate")
def show_mandate(cycle_id: int, kind: str) -> Response:
    """The current version, its discussion and signatures, and what the viewer can do."""
    stage = _stage(cycle_id, kind)
    return _mandate_page(stage, CommentForm())


@bp.route("/cycles/<int:cycle_id>/stages/<kind>/mandate/edit", methods=["GET", "POST"])
@login_required
def edit_mandate(cycle_id: int, kind: str) -> Response:
    """Write the mandate together; while the stage is open, propose an amendment."""
    stage = _stage(cycle_id, kind)
    services.check_can_edit(stage, current_user)  # no editor for those who may not use it
    form = MandateForm.for_kind(stage.kind)
    if not form.is_submitted():
        _fill(form, stage)
    changed_meanwhile: Conflict | None = None
    if form.validate_on_submit():
        try:
            services.update_mandate(
                stage,
                current_user,
                purpose=form.purpose.data or "",
                roles=form.roles.data or "",
                boundaries=form.boundaries_data(),
                closes_at=_end_of_day(form.closes_on.data),
                reason=form.amendment_reason.data,
                based_on=form.based_on.data or None,
            )
        except Conflict as error:  # their words stay; saving again, having looked, replaces the change
            db.session.rollback()
            changed_meanwhile = error
            form.based_on.data = services.content_stamp(stage.mandate)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("Saved. Both sides need to sign this version before it applies."), "success")
            return done("mandates.show_mandate", cycle_id=cycle_id, kind=kind)
    template_form = _template_form(stage)
    return render(
        "mandates/edit.html",
        stage=stage,
        cycle=stage.cycle,
        form=form,
        template_form=template_form,
        amending=stage.state == StageState.OPEN,
        changed_meanwhile=changed_meanwhile,
        status=409 if changed_meanwhile else 422 if form.errors else 200,
    )


@bp.post("/cycles/<int:cycle_id>/stages/<kind>/mandate/template")
@login_required
def apply_template(cycle_id: int, kind: str) -> Response:
    """Replace the draft with a template's starting text for this stage."""
    stage = _stage(cycle_id, kind)
    form = _template_form(stage)
    if not form.validate_on_submit():
        raise InvalidInput(_("Choose a template."))
    services.apply_template(stage, current_user, form.template.data or "")
    flash(_("The mandate now starts from the template. Adapt it, then both sides sign."), "success")
    return done("mandates.edit_mandate", cycle_id=cycle_id, kind=kind)


@bp.post("/cycles/<int:cycle_id>/stages/<kind>/mandate/sign")
@login_required
def sign_mandate(cycle_id: int, kind: str) -> Response:
    """Sign the version the person read, for one side."""
    stage = _stage(cycle_id, kind)
    form = SignForm()
    version = form.version.data or ""
    if not form.validate_on_submit() or form.side.data not in set(Side) or not version.isdigit():
        raise InvalidInput(_("The signature form was incomplete. Go back and try again."))
    services.sign_mandate(stage, current_user, Side(form.side.data), int(version))
    flash(_("You have signed the mandate."), "success")
    return done("mandates.show_mandate", cycle_id=cycle_id, kind=kind)


@bp.post("/cycles/<int:cycle_id>/stages/<kind>/mandate/discuss")
@login_required
def discuss_mandate(cycle_id: int, kind: str) -> Response:
    """Add to the discussion of the current version."""
    stage = _stage(cycle_id, kind)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            services.discuss_mandate(stage, current_user, form.body.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            if wants_fragment():
                return updated(
                    "mandates/_discussion.html",
                    trigger="mandate-discussed",
                    **_mandate_context(stage, CommentForm(formdata=None)),
                )
            return done("mandates.show_mandate", cycle_id=cycle_id, kind=kind, _anchor="discussion")
    return _mandate_page(stage, form, status=422)


def _mandate_page(stage: Stage, comment_form: CommentForm, status: int = 200) -> Response:
    return render(
        "mandates/show.html", "mandates/_discussion.html", status=status, **_mandate_context(stage, comment_form)
    )


def _mandate_context(stage: Stage, comment_form: CommentForm) -> dict[str, Any]:
    mandate = stage.mandate
    can = {
        "edit": allowed(current_user, Action.EDIT_MANDATE, stage) or allowed(current_user, Action.AMEND_MANDATE, stage),
        "discuss": allowed(current_user, Action.DISCUSS_MANDATE, stage),
        "sign": [side for side in Side if allowed(current_user, Action.SIGN_MANDATE, stage, side=side)]
        if not mandate.is_agreed and not any(s.user_id == getattr(current_user, "id", None) for s in mandate.signatures)
        else [],
    }
    return {
        "stage": stage,
        "cycle": stage.cycle,
        "mandate": mandate,
        "clauses": mandate.boundaries.clauses(money),
        "needed": services.signatures_needed(mandate),
        "sign_form": SignForm(),
        "comment_form": comment_form,
        "can": can,
        "Side": Side,
    }


def _template_form(stage: Stage) -> TemplateForm:
    form = TemplateForm()
    form.template.choices = [SelectChoice(t.name, t.title) for t in templates_with(stage.kind)]
    return form


def _fill(form: MandateForm, stage: Stage) -> None:
    mandate = stage.mandate
    form.purpose.data, form.roles.data = mandate.purpose, mandate.roles
    form.based_on.data = services.content_stamp(mandate)
    form.closes_on.data = mandate.closes_at.date() if mandate.closes_at else None
    form.fill(mandate.boundaries)


def _end_of_day(day: date | None) -> datetime | None:
    """A closing date means the end of that day where the council is."""
    if day is None:
        return None
    return datetime.combine(day, time(23, 59), tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))
