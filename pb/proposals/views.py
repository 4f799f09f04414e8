"""Proposals: browse and search, write (with drafts), edit, read, share, and review for feasibility."""

from __future__ import annotations

from flask import Blueprint, Response, flash, make_response, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from pb.cycles.models import Cycle, StageKind
from pb.cycles.services import get_cycle
from pb.db import db
from pb.deliberation import services as deliberation
from pb.deliberation.forms import CommentForm
from pb.errors import NotFound, PBError
from pb.events import workshops
from pb.forms import parse_pounds
from pb.mandates.authority import Action, allowed
from pb.mandates.boundaries import ReviewBoundaries
from pb.proposals import review, services
from pb.proposals.forms import ProposalForm, ResponseForm, ReviewForm
from pb.proposals.models import Proposal, ProposalDraft, ProposalStatus
from pb.proposals.services import Filters, ProposalFields, Upload
from pb.web import done, render, show_on_form, updated, wants_fragment

bp = Blueprint("proposals", __name__)


@bp.get("/cycles/<int:cycle_id>/proposals")
def list_proposals(cycle_id: int) -> Response:
    """Browse and search proposals by text, theme, area, cost and status; htmx gets the results alone."""
    cycle = get_cycle(cycle_id)
    filters = _filters(cycle)
    return render(
        "proposals/list.html",
        "proposals/_results.html",
        cycle=cycle,
        filters=filters,
        proposals=services.find_proposals(cycle, filters),
        themes=services.themes_of(cycle),
        supports=deliberation.support_counts(cycle),
        statuses=list(ProposalStatus),
    )


@bp.get("/p/<int:proposal_id>")
def short_link(proposal_id: int) -> Response:
    """A short link to share a proposal."""
    proposal = services.find_proposal(proposal_id)
    return redirect(url_for("proposals.show_proposal", cycle_id=proposal.cycle_id, proposal_id=proposal.id), 301)


@bp.route("/cycles/<int:cycle_id>/proposals/new", methods=["GET", "POST"])
@login_required
def submit_proposal(cycle_id: int) -> Response:
    """Write a proposal: save it as a draft at any time, submit it when it is ready."""
    cycle = get_cycle(cycle_id)
    draft = (
        services.get_draft(cycle, current_user, int(d)) if (d := request.values.get("draft", "")).isdigit() else None
    )
    form = _proposal_form(cycle)
    refused: PBError | None = None
    if not form.is_submitted():
        services.check_can_submit(cycle, current_user)  # no form for those who may not use it
        if draft is not None:
            form.fill(ProposalFields.from_dict(draft.data))
    else:  # CSRFProtect has already refused any POST without a valid token
        try:
            outcome = _save_or_submit(cycle, form, draft)
        except PBError as error:  # the stage closed while they wrote, say: their words stay on the page
            db.session.rollback()
            refused = error
        else:
            if isinstance(outcome, Response):
                return outcome
            draft = outcome
    response = render(
        "proposals/new.html",
        cycle=cycle,
        form=form,
        draft=draft,
        drafts=services.drafts_of(cycle, current_user),
        refused=refused,
        status=refused.status if refused else 422 if form.errors else 200,
    )
    if form.is_submitted() and not refused:
        db.session.commit()  # the draft, once the page that shows it is made (pb/web.py, `done`)
    return response


def _save_or_submit(cycle: Cycle, form: ProposalForm, draft: ProposalDraft | None) -> Response | ProposalDraft:
    """The page to go to next, or the draft that now keeps what the person wrote. Raises PBError."""
    data = form.fields_data()
    if request.form.get("action") == "draft":
        draft = services.save_draft(cycle, current_user, data, draft)
        flash(_("Your draft is saved. Only you can see it."), "success")
        return done("proposals.submit_proposal", cycle_id=cycle.id, draft=draft.id)
    if form.validate():
        try:
            proposal = services.submit_proposal(cycle, current_user, data, image=_upload(form), draft=draft)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("Your proposal has been submitted. You can change it until the proposals stage closes."), "success")
            return done("proposals.show_proposal", cycle_id=cycle.id, proposal_id=proposal.id)
    # Whatever went wrong, what the person wrote is kept as a draft.
    return services.save_draft(cycle, current_user, data, draft)


@bp.route("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_proposal(cycle_id: int, proposal_id: int) -> Response:
    """The proposer changes their proposal until the proposals stage closes."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_proposal(cycle, proposal_id)
    services.check_can_edit(proposal, current_user)  # no form for those who may not use it
    form = _proposal_form(cycle)
    if not form.is_submitted():
        form.fill(services.fields_of(proposal))
    if form.validate_on_submit():
        try:
            services.edit_proposal(
                proposal,
                current_user,
                form.fields_data(),
                image=_upload(form),
                remove_image=request.form.get("remove_image") == "yes",
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("Your changes are saved, and shown as a new revision."), "success")
            return done("proposals.show_proposal", cycle_id=cycle.id, proposal_id=proposal.id)
    return render("proposals/edit.html", cycle=cycle, proposal=proposal, form=form, status=422 if form.errors else 200)


@bp.get("/cycles/<int:cycle_id>/proposals/<int:proposal_id>")
def show_proposal(cycle_id: int, proposal_id: int) -> Response:
    """One proposal: its words, cost, contributions, review, revisions and discussion."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_proposal(cycle, proposal_id)
    return render("proposals/show.html", **_proposal_page(cycle, proposal))


@bp.get("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/image")
def proposal_image(cycle_id: int, proposal_id: int) -> Response:
    """The proposal's cleaned picture."""
    proposal = services.get_proposal(get_cycle(cycle_id), proposal_id)
    if proposal.image is None:
        raise NotFound(_("This proposal has no picture."))
    response = make_response(proposal.image.data)
    response.headers["Content-Type"] = proposal.image.content_type
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/respond")
@login_required
def respond_to_review(cycle_id: int, proposal_id: int) -> Response:
    """The proposer answers the review once, and may revise their proposal with it."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_proposal(cycle, proposal_id)
    form = ResponseForm()
    if form.validate_on_submit():
        revision = None
        if form.revise.data == "yes":
            revision = services.fields_of(proposal)
            revision.summary = form.summary.data or ""
            revision.cost = form.cost.data
        try:
            review.respond_to_review(proposal, current_user, response=form.response.data or "", revision=revision)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(
                _("Your response is published. Your proposal goes back for review.")
                if revision
                else _("Your response is published."),
                "success",
            )
            return done("proposals.show_proposal", cycle_id=cycle.id, proposal_id=proposal.id)
    return render("proposals/show.html", status=422, **_proposal_page(cycle, proposal, response_form=form))


@bp.get("/cycles/<int:cycle_id>/review")
@login_required
def review_proposals(cycle_id: int) -> Response:
    """The commissioners' review list: one form a proposal."""
    cycle = get_cycle(cycle_id)
    review.check_can_review(cycle, current_user)  # no forms for those who may not use them
    rows = [(p, _review_form(cycle, p, bound=False)) for p in _reviewable(cycle)]
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
                review.revise_cost(
                    proposal, current_user, new_cost=form.new_cost.data, reason=form.cost_reason.data or ""
                )
            review.review_proposal(
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
            flash(_("Review of “%(title)s” saved.", title=proposal.title), "success")
            return done("proposals.review_proposals", cycle_id=cycle.id, _anchor=f"proposal-{proposal.id}")
    rows = [(p, form if p.id == proposal.id else _review_form(cycle, p, bound=False)) for p in _reviewable(cycle)]
    return render(
        "proposals/review.html",
        "proposals/_review_row.html",
        cycle=cycle,
        rows=rows,
        proposal=proposal,
        form=form,
        status=422,
    )


def _reviewable(cycle: Cycle) -> list[Proposal]:
    return [p for p in services.proposals_for(cycle) if p.status != ProposalStatus.MERGED]


def _proposal_page(cycle: Cycle, proposal: Proposal, *, response_form: ResponseForm | None = None) -> dict[str, object]:
    review_stage = cycle.stage_of_kind(StageKind.REVIEW)
    proposals_stage = cycle.stage_of_kind(StageKind.PROPOSALS)
    deliberation_stage = cycle.stage_of_kind(StageKind.DELIBERATION)
    if response_form is None:
        response_form = ResponseForm(formdata=None, summary=proposal.summary, cost=proposal.cost)
    can = {
        "edit": bool(proposals_stage)
        and allowed(current_user, Action.EDIT_PROPOSAL, proposals_stage, author_id=proposal.author_id),
        "respond": bool(review_stage)
        and proposal.reviewed_at is not None
        and proposal.responded_at is None
        and allowed(current_user, Action.RESPOND_TO_REVIEW, review_stage, author_id=proposal.author_id),
        "discuss": bool(deliberation_stage) and allowed(current_user, Action.COMMENT, deliberation_stage),
        "support": bool(deliberation_stage) and allowed(current_user, Action.SUPPORT_PROPOSAL, deliberation_stage),
        "moderate": bool(deliberation_stage) and allowed(current_user, Action.MODERATE_COMMENT, deliberation_stage),
        "merge": bool(deliberation_stage)
        and proposal.status != ProposalStatus.MERGED
        and allowed(current_user, Action.REQUEST_MERGE, deliberation_stage),
    }
    return {
        "cycle": cycle,
        "proposal": proposal,
        "wording": proposal.wording(str(get_locale() or "en")),
        "can": can,
        "response_form": response_form,
        "discussion": deliberation.discussion_of(proposal, current_user),
        "comment_form": CommentForm(formdata=None),
        "workshop_ideas": workshops.ideas_for_proposal(proposal),
    }


def _proposal_form(cycle: Cycle) -> ProposalForm:
    form = ProposalForm()
    form.theme_id.choices = [SelectChoice("", _("No theme"))] + [
        SelectChoice(str(t.id), t.name) for t in services.themes_of(cycle)
    ]
    form.area.choices = [SelectChoice("", _("Choose an area"))] + [SelectChoice(a, a) for a in cycle.areas]
    if not cycle.areas:
        del form.area  # the cycle covers one area: nothing to choose
    return form


def _upload(form: ProposalForm) -> Upload | None:
    file = form.image.data
    if not file or not getattr(file, "filename", ""):
        return None
    return Upload(data=file.read(), alt=form.image_alt.data or "")


def _filters(cycle: Cycle) -> Filters:
    """The browsing filters from the query string; anything unreadable is simply not applied."""
    args = request.args
    theme, status = args.get("theme", ""), args.get("status", "")
    return Filters(
        text=args.get("q", "")[:100],
        theme_id=int(theme) if theme.isdigit() else None,
        area=args.get("area") or None,
        status=ProposalStatus(status) if status in set(ProposalStatus) else None,
        min_cost=_pence_or_none(args.get("min_cost", "")),
        max_cost=_pence_or_none(args.get("max_cost", "")),
    )


def _pence_or_none(text: str) -> int | None:
    try:
        return parse_pounds(text) if text.strip() else None
    except ValueError:
        return None


def _review_form(cycle: Cycle, proposal: Proposal, *, bound: bool = True) -> ReviewForm:
    """The review form of one proposal; `bound` reads the posted data, else the saved outcome."""
    form = ReviewForm(prefix=f"p{proposal.id}") if bound else ReviewForm(formdata=None, prefix=f"p{proposal.id}")
    stage = cycle.stage_of_kind(StageKind.REVIEW)
    mandate = stage.agreed_mandate if stage else None
    boundaries = mandate.boundaries if mandate and isinstance(mandate.boundaries, ReviewBoundaries) else None
    grounds = boundaries.rule_out_grounds if boundaries else []
    if not (boundaries and boundaries.may_revise_costs):
        del form.new_cost, form.cost_reason  # the mandate does not let commissioners change costs
    form.ground.choices = [SelectChoice("", _("Choose a ground"))] + [SelectChoice(g, g) for g in grounds]
    if not bound:
        form.outcome.data = {"eligible": "eligible", "ruled_out": "ruled_out"}.get(proposal.status.value)
        form.ground.data, form.reason.data = proposal.ruling_ground or "", proposal.ruling_reason or ""
        if "new_cost" in form:
            form.new_cost.data, form.cost_reason.data = proposal.cost, proposal.cost_revision_reason or ""
    return form
