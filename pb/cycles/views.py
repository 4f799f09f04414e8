"""Cycles: the list, a cycle's page, creating one, and opening and closing its stages."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.cycles import endorsements, services
from pb.cycles.forms import CycleForm, EndorsementForm, RepresentativeForm, TemplateChoiceForm
from pb.cycles.models import Cycle, StageKind
from pb.errors import Conflict, PBError
from pb.mandates.authority import Action, require_cycle_action
from pb.mandates.forms import ConfirmForm
from pb.mandates.templates import all_templates, find_template
from pb.proposals.services import proposals_for
from pb.templating import stage_name
from pb.web import done, render, show_on_form

bp = Blueprint("cycles", __name__)
DEFAULT_TEMPLATE = "binding-pb"


@bp.get("/")
def list_cycles() -> Response:
    """Every cycle, newest first."""
    return render("cycles/list.html", cycles=services.list_cycles())


@bp.route("/cycles/new", methods=["GET", "POST"])
@login_required
def create_cycle() -> Response:
    """A commissioner sets up a cycle from a template, with its budget and stages in order."""
    require_cycle_action(current_user, Action.CREATE_CYCLE)  # no form for those who may not use it
    chooser = TemplateChoiceForm(request.args, template=request.args.get("template", DEFAULT_TEMPLATE))
    chooser.offer(all_templates())
    form = CycleForm()
    if not form.is_submitted():
        template = find_template(chooser.template.data)
        form.template.data = template.name if template else ""
        form.place_kinds(list(template.stages) if template else list(StageKind))
    if form.validate_on_submit() and (kinds := form.ordered_kinds()) is not None:
        try:
            cycle = services.create_cycle(current_user, **form.cycle_fields(kinds))
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("Cycle created. Agree each stage's mandate with the resident representatives."), "success")
            return done("cycles.show_cycle", cycle_id=cycle.id)
    return render(
        "cycles/new.html", form=form, chooser=chooser, chosen=find_template(form.template.data),
        status=422 if form.errors else 200,
    )


@bp.get("/cycles/<int:cycle_id>")
def show_cycle(cycle_id: int) -> Response:
    """A cycle's purpose, budget and stages, with what the viewer can do next."""
    return _cycle_page(services.get_cycle(cycle_id))


@bp.get("/cycles/<int:cycle_id>/stages/<kind>/open")
@login_required
def confirm_open_stage(cycle_id: int, kind: str) -> Response:
    """Asks first, since an open stage's rules are fixed and it stays open until closed; or says why it cannot open."""
    cycle = services.get_cycle(cycle_id)
    stage = services.get_stage(cycle, kind)
    services.check_opening(stage, current_user)
    return render("cycles/open_stage.html", cycle=cycle, stage=stage)


@bp.post("/cycles/<int:cycle_id>/stages/<kind>/open")
@login_required
def open_stage(cycle_id: int, kind: str) -> Response:
    """Open a stage whose mandate is agreed."""
    stage = services.get_stage(services.get_cycle(cycle_id), kind)
    services.open_stage(stage, current_user)
    flash(_("The %(stage)s stage is open.", stage=stage_name(stage.kind).lower()), "success")
    return done("cycles.show_cycle", cycle_id=cycle_id)


@bp.get("/cycles/<int:cycle_id>/stages/<kind>/close")
@login_required
def confirm_close_stage(cycle_id: int, kind: str) -> Response:
    """Asks first, since closing cannot be undone (closing the vote counts it); or says why it cannot be closed."""
    cycle = services.get_cycle(cycle_id)
    stage = services.get_stage(cycle, kind)
    try:
        services.check_closing(stage, current_user)
    except Conflict as refused:
        if refused.clause not in ("paper.pending", "paper.reconciliation"):
            raise
        # Paper still to settle: the page says so, with the way to each event's reconciliation.
        from pb.events.paper_checks import events_with_paper  # events depend on cycles, not the reverse

        return render("cycles/close_stage.html", cycle=cycle, stage=stage, refused=refused,
                      paper_events=events_with_paper(stage), status=409)
    return render("cycles/close_stage.html", cycle=cycle, stage=stage)


@bp.post("/cycles/<int:cycle_id>/stages/<kind>/close")
@login_required
def close_stage(cycle_id: int, kind: str) -> Response:
    """Close an open stage (closing the vote counts it)."""
    stage = services.get_stage(services.get_cycle(cycle_id), kind)
    services.close_stage(stage, current_user)
    closed = _("The %(stage)s stage is closed.", stage=stage_name(stage.kind).lower())
    flash(closed + (" " + _("The votes have been counted.") if kind == "vote" else ""), "success")
    return done("cycles.show_cycle", cycle_id=cycle_id)


@bp.post("/cycles/<int:cycle_id>/representatives")
@login_required
def appoint_representative(cycle_id: int) -> Response:
    """A commissioner makes a resident a representative who co-signs mandates."""
    cycle = services.get_cycle(cycle_id)
    form = RepresentativeForm()
    if form.validate_on_submit():
        try:
            person = services.appoint_representative(cycle, current_user, form.email.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("%(name)s is now a resident representative of this cycle.", name=person.name), "success")
            return done("cycles.show_cycle", cycle_id=cycle_id)
    return _cycle_page(cycle, representative_form=form, status=422)


@bp.post("/cycles/<int:cycle_id>/endorsement")
@login_required
def endorse_cycle(cycle_id: int) -> Response:
    """A councillor endorses the cycle, or changes what their endorsement says."""
    cycle = services.get_cycle(cycle_id)
    form = EndorsementForm()
    if form.validate_on_submit():
        try:
            endorsements.endorse(cycle, current_user, form.statement.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("Your endorsement is on the cycle's page for everyone to read."), "success")
            return done("cycles.show_cycle", cycle_id=cycle_id, _anchor="endorsements")
    return _cycle_page(cycle, endorsement_form=form, status=422)


@bp.post("/cycles/<int:cycle_id>/endorsement/withdraw")
@login_required
def withdraw_endorsement(cycle_id: int) -> Response:
    """A councillor takes their endorsement back."""
    endorsements.withdraw_endorsement(services.get_cycle(cycle_id), current_user)
    flash(_("Your endorsement has been taken back."), "success")
    return done("cycles.show_cycle", cycle_id=cycle_id, _anchor="endorsements")


def _cycle_page(cycle: Cycle, *, representative_form: RepresentativeForm | None = None,
                endorsement_form: EndorsementForm | None = None, status: int = 200) -> Response:
    """A cycle's page, with a form that came back with errors, if any (the others empty)."""
    given = endorsements.endorsements_of(cycle)
    mine = next((e for e in given if e.user_id == getattr(current_user, "id", None)), None)
    if endorsement_form is None:
        endorsement_form = EndorsementForm(statement=mine.statement if mine else "")
    return render(
        "cycles/show.html",
        cycle=cycle,
        proposals=proposals_for(cycle),
        confirm=ConfirmForm(),
        representative_form=representative_form or RepresentativeForm(),
        representatives=services.representatives(cycle),
        endorsements=given,
        my_endorsement=mine,
        endorsement_form=endorsement_form,
        status=status,
    )
