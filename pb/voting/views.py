"""The ballot, its confirmation and receipt, and checking a receipt."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, session, url_for
from flask_login import current_user, login_required

from pb.cycles.models import Cycle, Stage, StageKind
from pb.cycles.services import get_cycle, get_stage
from pb.db import db
from pb.errors import InvalidBallot, PBError
from pb.mandates.boundaries import VoteBoundaries
from pb.mandates.forms import ConfirmForm
from pb.voting import services
from pb.web import render, wants_fragment

bp = Blueprint("voting", __name__)


def _vote_stage(cycle: Cycle) -> Stage:
    return get_stage(cycle, StageKind.VOTE.value)


def _chosen_from(values: list[str]) -> list[int]:
    """Project ids from the form; anything that is not a number is refused, never ignored."""
    if not all(v.isdigit() for v in values):
        raise InvalidBallot("One of your choices is not on this ballot. Choose again from the list.", field="choices")
    return [int(v) for v in values]


@bp.get("/cycles/<int:cycle_id>/vote")
@login_required
def show_ballot(cycle_id: int) -> Response:
    """The ballot, with the voter's current choices; htmx asks it for the meter alone."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    if "choices" in request.args or wants_fragment():
        chosen = set(_chosen_from(request.args.getlist("choices")))
    else:
        chosen = services.current_choices(stage, current_user) if stage.is_open else set()
    return _ballot_page(cycle, stage, chosen)


@bp.post("/cycles/<int:cycle_id>/vote")
@login_required
def cast_ballot(cycle_id: int) -> Response:
    """Cast (or replace) the ballot, then show the receipt."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    ConfirmForm()  # CSRFProtect has already checked the token of every POST
    values = request.form.getlist("choices")
    try:
        receipt = services.cast_ballot(stage, current_user, _chosen_from(values))
    except InvalidBallot as error:
        chosen = {int(v) for v in values if v.isdigit()}
        return _ballot_page(cycle, stage, chosen, error=error, status=422)
    db.session.commit()
    session["receipt"] = {"cycle": cycle.id, "code": receipt}
    return redirect(url_for("voting.ballot_cast", cycle_id=cycle.id), code=303)


@bp.get("/cycles/<int:cycle_id>/vote/done")
@login_required
def ballot_cast(cycle_id: int) -> Response:
    """The confirmation page with the receipt code, shown once."""
    cycle = get_cycle(cycle_id)
    receipt = session.get("receipt")
    if not receipt or receipt.get("cycle") != cycle.id:
        flash("You have voted. Your receipt code was shown after you voted.", "info")
        return redirect(url_for("cycles.show_cycle", cycle_id=cycle.id), code=303)
    response = render("voting/done.html", cycle=cycle, receipt=receipt["code"])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cycles/<int:cycle_id>/receipt")
def check_receipt(cycle_id: int) -> Response:
    """Anyone with a receipt code can check that its ballot is counted."""
    cycle = get_cycle(cycle_id)
    code = request.args.get("code", "").strip()
    result = services.check_receipt(_vote_stage(cycle), code) if code else None
    return render("voting/receipt.html", "voting/_receipt_result.html", cycle=cycle, code=code, result=result)


def _ballot_page(
    cycle: Cycle, stage: Stage, chosen: set[int], *, error: PBError | None = None, status: int = 200
) -> Response:
    mandate = stage.agreed_mandate
    limits = mandate.boundaries if mandate and isinstance(mandate.boundaries, VoteBoundaries) else None
    options = services.ballot_options(stage) if stage.is_open else []
    response = render(
        "voting/ballot.html",
        "voting/_meter.html",
        cycle=cycle,
        stage=stage,
        options=options,
        chosen=chosen,
        limits=limits,
        error=error,
        form=ConfirmForm(),
        has_voted=services.has_voted(stage, current_user),
        status=status,
    )
    response.headers["Cache-Control"] = "no-store"  # a shared device must not show someone's choices
    return response
