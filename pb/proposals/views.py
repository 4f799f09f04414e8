"""Proposals: submit, read, and review for feasibility."""

from __future__ import annotations

from flask import Blueprint, Response, flash
from flask_login import current_user, login_required
from wtforms import SelectChoice

from pb.cycles.models import Cycle, StageKind
from pb.cycles.services import get_cycle
from pb.errors import PBError
from pb.mandates.boundaries import ReviewBoundaries
from pb.proposals import services
from pb.proposals.forms import ProposalForm, ReviewForm
from pb.proposals.models import Proposal
from pb.web import done, render, show_on_form, updated, wants_fragment

bp = Blueprint("proposals", __name__)


@bp.get("/cycles/<int:cycle_id>/proposals")
def list_proposals(cycle_id: int) -> Response:
    """Every proposal in the cycle, with its review outcome."""
    cycle = get_cycle(cycle_id)
    return render("proposals/list.html", cycle=cycle, proposals=services.proposals_for(cycle))


@bp.route("/cycles/<int:cycle_id>/proposals/new", methods=["GET", "POST"])
@login_required
def submit_proposal(cycle_id: int) -> Response:
    """A resident submits a proposal with its cost."""
    cycle = get_cycle(cycle_id)
    form = ProposalForm()
    if form.validate_on_submit():
        try:
            proposal = services.submit_proposal(
                cycle,
                current_user,
                title=form.title.data or "",
                summary=form.summary.data or "",
                cost=form.cost.data or 0,
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash("Your proposal has been submitted. Commissioners will review it.", "success")
            return done("proposals.show_proposal", cycle_id=cycle.id, proposal_id=proposal.id)
    return render("proposals/new.html", cycle=cycle, form=form, status=422 if form.errors else 200)


@bp.get("/cycles/<int:cycle_id>/proposals/<int:proposal_id>")
def show_proposal(cycle_id: int, proposal_id: int) -> Response:
    """One proposal, its cost and its review outcome."""
    cycle = get_cycle(cycle_id)
    return render("proposals/show.html", cycle=cycle, proposal=services.get_proposal(cycle, proposal_id))


@bp.get("/cycles/<int:cycle_id>/review")
@login_required
def review_proposals(cycle_id: int) -> Response:
    """The commissioners' review list: one form a proposal."""
    cycle = get_cycle(cycle_id)
    rows = [(p, _review_form(cycle, p, bound=False)) for p in services.proposals_for(cycle)]
    return render("proposals/review.html", cycle=cycle, rows=rows)


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/review")
@login_required
def review_proposal(cycle_id: int, proposal_id: int) -> Response:
    """Record one review outcome; htmx gets the updated row back."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_proposal(cycle, proposal_id)
    form = _review_form(cycle, proposal)
    if form.validate_on_submit():
        try:
            if "new_cost" in form and form.new_cost.data is not None and form.new_cost.data != proposal.cost:
                services.revise_cost(
                    proposal, current_user, new_cost=form.new_cost.data, reason=form.cost_reason.data or ""
                )
            services.review_proposal(
                proposal,
                current_user,
                eligible=form.outcome.data == "eligible",
                ground=form.ground.data,
                reason=form.reason.data,
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            if wants_fragment():
                return updated(
                    "proposals/_review_row.html",
                    trigger="proposal-reviewed",
                    cycle=cycle,
                    proposal=proposal,
                    form=_review_form(cycle, proposal, bound=False),
                    saved=True,
                )
            flash(f"Review of “{proposal.title}” saved.", "success")
            return done("proposals.review_proposals", cycle_id=cycle.id, _anchor=f"proposal-{proposal.id}")
    rows = [
        (p, form if p.id == proposal.id else _review_form(cycle, p, bound=False)) for p in services.proposals_for(cycle)
    ]
    return render(
        "proposals/review.html",
        "proposals/_review_row.html",
        cycle=cycle,
        rows=rows,
        proposal=proposal,
        form=form,
        status=422,
    )


def _review_form(cycle: Cycle, proposal: Proposal, *, bound: bool = True) -> ReviewForm:
    """The review form of one proposal; `bound` reads the posted data, else the saved outcome."""
    form = ReviewForm(prefix=f"p{proposal.id}") if bound else ReviewForm(formdata=None, prefix=f"p{proposal.id}")
    stage = cycle.stage_of_kind(StageKind.REVIEW)
    mandate = stage.agreed_mandate if stage else None
    boundaries = mandate.boundaries if mandate and isinstance(mandate.boundaries, ReviewBoundaries) else None
    grounds = boundaries.rule_out_grounds if boundaries else []
    if not (boundaries and boundaries.may_revise_costs):
        del form.new_cost, form.cost_reason  # the mandate does not let commissioners change costs
    form.ground.choices = [SelectChoice("", "Choose a ground")] + [SelectChoice(g, g) for g in grounds]
    if not bound:
        form.outcome.data = {"eligible": "eligible", "ruled_out": "ruled_out"}.get(proposal.status.value)
        form.ground.data, form.reason.data = proposal.ruling_ground or "", proposal.ruling_reason or ""
        if "new_cost" in form:
            form.new_cost.data, form.cost_reason.data = proposal.cost, proposal.cost_revision_reason or ""
    return form
