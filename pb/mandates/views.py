"""A stage's mandate: read it, edit it, sign it."""

from __future__ import annotations

from flask import Blueprint, Response, flash
from flask_login import current_user, login_required

from pb.cycles.models import Stage
from pb.cycles.services import get_cycle, get_stage
from pb.errors import InvalidInput, PBError
from pb.mandates import services
from pb.mandates.boundaries import VoteBoundaries
from pb.mandates.forms import MandateForm, SignForm
from pb.mandates.models import Side
from pb.templating import money
from pb.web import done, render, show_on_form

bp = Blueprint("mandates", __name__)


def _stage(cycle_id: int, kind: str) -> Stage:
    return get_stage(get_cycle(cycle_id), kind)


@bp.get("/cycles/<int:cycle_id>/stages/<kind>/mandate")
def show_mandate(cycle_id: int, kind: str) -> Response:
    """The mandate's current version, who has signed it, and the sign buttons."""
    stage = _stage(cycle_id, kind)
    mandate = stage.mandate
    return render(
        "mandates/show.html",
        stage=stage,
        cycle=stage.cycle,
        mandate=mandate,
        clauses=mandate.boundaries.clauses(money),
        needed=services.signatures_needed(mandate),
        sign_form=SignForm(),
        Side=Side,
    )


@bp.route("/cycles/<int:cycle_id>/stages/<kind>/mandate/edit", methods=["GET", "POST"])
@login_required
def edit_mandate(cycle_id: int, kind: str) -> Response:
    """Commissioners and resident representatives write the mandate together."""
    stage = _stage(cycle_id, kind)
    form = MandateForm()
    if not form.is_submitted():
        _fill(form, stage)
    if form.validate_on_submit():
        try:
            services.update_mandate(
                stage,
                current_user,
                purpose=form.purpose.data or "",
                roles=form.roles.data or "",
                boundaries=form.boundaries_data(stage.kind),
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash("Mandate saved. Both sides need to sign this version before the stage can open.", "success")
            return done("mandates.show_mandate", cycle_id=cycle_id, kind=kind)
    return render("mandates/edit.html", stage=stage, cycle=stage.cycle, form=form, status=422 if form.errors else 200)


@bp.post("/cycles/<int:cycle_id>/stages/<kind>/mandate/sign")
@login_required
def sign_mandate(cycle_id: int, kind: str) -> Response:
    """Sign the version the person read, for one side."""
    stage = _stage(cycle_id, kind)
    form = SignForm()
    if (
        not form.validate_on_submit()
        or form.side.data not in {s.value for s in Side}
        or not (form.version.data or "").isdigit()
    ):
        raise InvalidInput("The signature form was incomplete. Go back and try again.")
    services.sign_mandate(stage, current_user, Side(form.side.data), int(form.version.data or 0))
    flash("You have signed the mandate.", "success")
    return done("mandates.show_mandate", cycle_id=cycle_id, kind=kind)


def _fill(form: MandateForm, stage: Stage) -> None:
    mandate = stage.mandate
    form.purpose.data, form.roles.data = mandate.purpose, mandate.roles
    data = mandate.boundaries_data
    if "max_cost" in data:
        form.max_cost.data = data["max_cost"]
    if "rule_out_grounds" in data:
        form.rule_out_grounds.data = "\n".join(data["rule_out_grounds"])
    boundaries = mandate.boundaries
    if isinstance(boundaries, VoteBoundaries):
        form.binding.data = "yes" if boundaries.binding else "no"
        form.budget.data = boundaries.budget
        form.min_choices.data, form.max_choices.data = boundaries.min_choices, boundaries.max_choices
        form.counting_rule.data = boundaries.counting_rule
