"""Deliberation on a proposal: comment or ask, answer, support, moderate, merge."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.cycles.models import StageKind
from pb.cycles.services import get_cycle
from pb.deliberation import services
from pb.deliberation.forms import CommentForm, HideForm, MergeForm
from pb.deliberation.models import CommentKind
from pb.errors import InvalidInput, PBError
from pb.mandates.authority import Action, allowed
from pb.proposals.models import Proposal
from pb.proposals.services import get_proposal
from pb.web import done, render, show_on_form, updated, wants_fragment

bp = Blueprint("deliberation", __name__)


def _proposal(cycle_id: int, proposal_id: int) -> Proposal:
    return get_proposal(get_cycle(cycle_id), proposal_id)


def _back(proposal: Proposal, anchor: str = "discussion") -> Response:
    return done("proposals.show_proposal", cycle_id=proposal.cycle_id, proposal_id=proposal.id, _anchor=anchor)


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/comments")
@login_required
def add_comment(cycle_id: int, proposal_id: int) -> Response:
    """Comment, ask or reply; htmx gets the updated thread."""
    proposal = _proposal(cycle_id, proposal_id)
    form = CommentForm()
    if form.validate_on_submit():
        parent_id = form.parent_id.data or ""
        parent = services.get_comment(proposal, int(parent_id)) if parent_id.isdigit() else None
        kind = CommentKind(form.kind.data) if form.kind.data in set(CommentKind) else CommentKind.COMMENT
        try:
            services.add_comment(proposal, current_user, form.body.data or "", kind=kind, parent=parent)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            if wants_fragment():
                return updated("deliberation/_thread.html", trigger="comment-added", **_thread(proposal))
            return _back(proposal)
    return render("deliberation/comment.html", "deliberation/_thread.html", status=422, **_thread(proposal, form))


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/comments/<int:comment_id>/hide")
@login_required
def hide_comment(cycle_id: int, proposal_id: int, comment_id: int) -> Response:
    """A moderator hides a comment on a ground the mandate allows, leaving a public note."""
    proposal = _proposal(cycle_id, proposal_id)
    comment = services.get_comment(proposal, comment_id)
    form = HideForm()
    if not form.validate_on_submit():
        raise InvalidInput(_("The form was incomplete. Go back and try again."))
    services.hide_comment(comment, current_user, ground=form.ground.data or "", note=form.note.data or "")
    flash(_("The comment is hidden. Your note stands in its place."), "success")
    return _back(proposal, f"comment-{comment.id}")


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/support")
@login_required
def support_proposal(cycle_id: int, proposal_id: int) -> Response:
    """Support a proposal, or take the support back; htmx gets the button back."""
    proposal = _proposal(cycle_id, proposal_id)
    CommentForm()  # CSRFProtect has checked the token; this form has no fields of its own
    supported = request.form.get("supported") == "yes"
    services.set_support(proposal, current_user, supported=supported)
    if wants_fragment():
        return updated(
            "deliberation/_support.html",
            trigger="support-changed",
            proposal=proposal,
            discussion=services.discussion_of(proposal, current_user),
            can={"support": True},
        )
    flash(_("Thank you for your support.") if supported else _("Your support is taken back."), "success")
    return _back(proposal, "support")


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/merge")
@login_required
def request_merge(cycle_id: int, proposal_id: int) -> Response:
    """Suggest merging this proposal into a similar one; both authors must agree."""
    proposal = _proposal(cycle_id, proposal_id)
    form = MergeForm()
    target_id = form.target.data or ""
    if not form.validate_on_submit() or not target_id.isdigit():
        raise InvalidInput(_("Choose the proposal to merge with."), field="target")
    target = get_proposal(proposal.cycle, int(target_id))
    services.request_merge(proposal, target, current_user, form.reason.data or "")
    flash(_("The merge is suggested. It happens when both proposers agree."), "success")
    return _back(proposal, "merges")


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/merges/<int:request_id>")
@login_required
def answer_merge(cycle_id: int, proposal_id: int, request_id: int) -> Response:
    """A proposer agrees to a merge, or declines it."""
    proposal = _proposal(cycle_id, proposal_id)
    merge = services.get_merge_request(proposal, request_id)
    CommentForm()
    agree = request.form.get("agree") == "yes"
    merge = services.answer_merge(merge, current_user, agree=agree)
    flash(
        _("The proposals are merged.")
        if merge.merged_at
        else (_("You agreed. The other proposer must agree too.") if agree else _("You declined the merge.")),
        "success",
    )
    return _back(proposal, "merges")


def _thread(proposal: Proposal, form: CommentForm | None = None) -> dict[str, object]:
    stage = proposal.cycle.stage_of_kind(StageKind.DELIBERATION)
    can = {
        "discuss": bool(stage) and allowed(current_user, Action.COMMENT, stage),
        "moderate": bool(stage) and allowed(current_user, Action.MODERATE_COMMENT, stage),
    }
    return {
        "cycle": proposal.cycle,
        "proposal": proposal,
        "comment_form": form or CommentForm(formdata=None),
        "discussion": services.discussion_of(proposal, current_user),
        "can": can,
    }
