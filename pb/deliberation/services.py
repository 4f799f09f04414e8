"""Deliberation: comments and questions, commissioners' answers, supports, moderation and merges."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from pb.accounts.models import User
from pb.audit.services import record
from pb.cycles.models import Cycle, Stage, StageKind
from pb.db import session, utcnow
from pb.deliberation.models import Comment, CommentKind, MergeRequest, Support
from pb.errors import Conflict, InvalidInput, NotFound
from pb.mandates.authority import Action, require
from pb.proposals.models import Proposal, ProposalStatus
from pb.proposals.services import snapshot

MAX_COMMENT = 4000


def _stage(cycle: Cycle) -> Stage:
    stage = cycle.stage_of_kind(StageKind.DELIBERATION)
    if stage is None:
        raise NotFound(_("This cycle has no deliberation stage."))
    return stage


def add_comment(
    proposal: Proposal,
    actor: User,
    body: str,
    *,
    kind: CommentKind = CommentKind.COMMENT,
    parent: Comment | None = None,
) -> Comment:
    """Comment on a proposal or ask a question, or reply to a comment; the role written in is shown.

    Raises StageNotOpen, OutsideMandate (the mandate limits who comments) or InvalidInput.
    """
    stage = _stage(proposal.cycle)
    verdict = require(actor, Action.COMMENT, stage)
    body = body.strip()
    if not body:
        raise InvalidInput(_("Write your comment."), field="body")
    if len(body) > MAX_COMMENT:
        raise InvalidInput(_("Keep your comment under %(num)d characters.", num=MAX_COMMENT), field="body")
    if parent is not None and parent.proposal_id != proposal.id:
        raise NotFound(_("There is no such comment on this proposal."))
    comment = Comment(
        proposal_id=proposal.id,
        parent_id=parent.id if parent else None,
        kind=kind,
        author_id=actor.id,
        author_name=actor.name,
        role=verdict.role,
        body=body,
    )
    session().add(comment)
    session().flush()
    record(
        "deliberation.comment",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"comment {comment.id}",
        detail={"proposal": proposal.id, "kind": kind.value, "reply_to": comment.parent_id},
    )
    return comment


def hide_comment(comment: Comment, actor: User, *, ground: str, note: str) -> Comment:
    """A moderator the mandate names hides a comment on an allowed ground; a public note stays.

    Raises StageNotOpen, NotAuthorised, OutsideMandate, InvalidInput or Conflict (already hidden).
    """
    proposal = session().get(Proposal, comment.proposal_id)
    assert proposal is not None
    stage = _stage(proposal.cycle)
    if not ground:
        raise InvalidInput(_("Choose the ground for hiding this comment."), field="ground")
    if not note.strip():
        raise InvalidInput(_("Write the public note that will stand in its place."), field="note")
    verdict = require(actor, Action.MODERATE_COMMENT, stage, ground=ground)
    if comment.is_hidden:
        raise Conflict(_("This comment is already hidden."))
    comment.hidden_at, comment.hidden_by_name = utcnow(), actor.name
    comment.hidden_ground, comment.hidden_note = ground, note.strip()
    session().flush()
    record(
        "deliberation.hide",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"comment {comment.id}",
        detail={"ground": ground, "note": comment.hidden_note, "clause": verdict.clause},
    )
    return comment


def set_support(proposal: Proposal, actor: User, *, supported: bool) -> None:
    """Support a proposal (or take the support back); once each. Raises StageNotOpen or NotAuthorised."""
    require(actor, Action.SUPPORT_PROPOSAL, _stage(proposal.cycle))
    existing = session().scalar(select(Support).where(Support.proposal_id == proposal.id, Support.user_id == actor.id))
    if supported and existing is None:
        session().add(Support(proposal_id=proposal.id, user_id=actor.id))
    elif not supported and existing is not None:
        session().execute(delete(Support).where(Support.id == existing.id))
    session().flush()


def support_counts(cycle: Cycle) -> dict[int, int]:
    query = (
        select(Support.proposal_id, func.count())
        .join(Proposal)
        .where(Proposal.cycle_id == cycle.id)
        .group_by(Support.proposal_id)
    )
    return dict(session().execute(query).tuples().all())


def supports(proposal: Proposal, user: User | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (
        session().scalar(select(Support.id).where(Support.proposal_id == proposal.id, Support.user_id == user.id))
        is not None
    )


def comments_on(proposal: Proposal) -> list[Comment]:
    """Top-level comments, oldest first; replies hang from each."""
    query = select(Comment).where(Comment.proposal_id == proposal.id, Comment.parent_id.is_(None))
    return list(session().scalars(query.order_by(Comment.created_at, Comment.id)))


def get_comment(proposal: Proposal, comment_id: int) -> Comment:
    comment = session().get(Comment, comment_id)
    if comment is None or comment.proposal_id != proposal.id:
        raise NotFound(_("There is no such comment on this proposal."))
    return comment


def request_merge(source: Proposal, target: Proposal, actor: User, reason: str) -> MergeRequest:
    """Suggest merging `source` into `target`; nothing happens until both authors agree.

    A proposer who suggests merging their own proposal has agreed for it already.
    Raises StageNotOpen, NotAuthorised, InvalidInput or Conflict.
    """
    stage = _stage(source.cycle)
    verdict = require(actor, Action.REQUEST_MERGE, stage)
    if source.id == target.id or source.cycle_id != target.cycle_id:
        raise InvalidInput(_("Choose another proposal of this cycle to merge with."), field="target")
    if ProposalStatus.MERGED in (source.status, target.status):
        raise Conflict(_("One of these proposals has already been merged."))
    if not reason.strip():
        raise InvalidInput(_("Say why these proposals belong together."), field="reason")
    if any(r.is_pending and {r.source_id, r.target_id} == {source.id, target.id} for r in merge_requests(source)):
        raise Conflict(_("A merge of these two proposals is already waiting for agreement."))
    request = MergeRequest(source_id=source.id, target_id=target.id, requested_by_id=actor.id, reason=reason.strip())
    now = utcnow()
    if actor.id == source.author_id:
        request.source_consent_at = now
    if actor.id == target.author_id:
        request.target_consent_at = now
    session().add(request)
    session().flush()
    record(
        "deliberation.merge_request",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {source.id} into {target.id}",
    )
    _merge_if_agreed(request, actor)
    return request


def answer_merge(request: MergeRequest, actor: User, *, agree: bool) -> MergeRequest:
    """An author of either proposal agrees to the merge, or declines it (which ends the request).

    Raises StageNotOpen, NotAuthorised (not an author of either) or Conflict.
    """
    source, target = session().get(Proposal, request.source_id), session().get(Proposal, request.target_id)
    assert source is not None and target is not None
    stage = _stage(source.cycle)
    if not request.is_pending:
        raise Conflict(_("This merge has already been settled."))
    own = source if actor.id == source.author_id else target
    verdict = require(actor, Action.CONSENT_TO_MERGE, stage, author_id=own.author_id)
    if not agree:
        request.declined_at = utcnow()
    elif own is source:
        request.source_consent_at = utcnow()
    if agree and actor.id == target.author_id:
        request.target_consent_at = utcnow()
    session().flush()
    record(
        "deliberation.merge_agree" if agree else "deliberation.merge_decline",
        actor=actor,
        role=verdict.role,
        stage=stage,
        subject=f"proposal {source.id} into {target.id}",
    )
    _merge_if_agreed(request, actor)
    return request


def _merge_if_agreed(request: MergeRequest, actor: User) -> None:
    if request.source_consent_at is None or request.target_consent_at is None or request.merged_at:
        return
    source, target = session().get(Proposal, request.source_id), session().get(Proposal, request.target_id)
    assert source is not None and target is not None
    # Supporters of the merged proposal now support the one it joined (once each).
    already = set(session().scalars(select(Support.user_id).where(Support.proposal_id == target.id)))
    for support in session().scalars(select(Support).where(Support.proposal_id == source.id)):
        if support.user_id not in already:
            session().add(Support(proposal_id=target.id, user_id=support.user_id))
    source.status, source.merged_into_id = ProposalStatus.MERGED, target.id
    request.merged_at = utcnow()
    snapshot(source, actor, f"Merged into “{target.title}” with both authors' agreement")
    snapshot(target, actor, f"“{source.title}” merged into it with both authors' agreement")
    session().flush()
    record(
        "deliberation.merge", actor=None, stage=_stage(source.cycle), subject=f"proposal {source.id} into {target.id}"
    )


def merge_requests(proposal: Proposal) -> list[MergeRequest]:
    query = select(MergeRequest).where(
        (MergeRequest.source_id == proposal.id) | (MergeRequest.target_id == proposal.id)
    )
    return list(session().scalars(query.order_by(MergeRequest.created_at)))


def get_merge_request(proposal: Proposal, request_id: int) -> MergeRequest:
    request = session().get(MergeRequest, request_id)
    if request is None or proposal.id not in (request.source_id, request.target_id):
        raise NotFound(_("There is no such merge request for this proposal."))
    return request


@dataclass(frozen=True)
class Discussion:
    """Everything the proposal page shows of its deliberation."""

    comments: list[Comment]
    supporters: int
    supported_by_viewer: bool
    merges: list[MergeRequest]
    moderation_grounds: list[str]
    merge_candidates: list[Proposal]


def discussion_of(proposal: Proposal, viewer: User | None) -> Discussion:
    stage = proposal.cycle.stage_of_kind(StageKind.DELIBERATION)
    mandate = stage.agreed_mandate if stage else None
    grounds = list(getattr(mandate.boundaries, "moderation_grounds", [])) if mandate else []
    candidates = [
        p
        for p in session().scalars(
            select(Proposal)
            .where(
                Proposal.cycle_id == proposal.cycle_id,
                Proposal.id != proposal.id,
                Proposal.status != ProposalStatus.MERGED,
            )
            .order_by(Proposal.title)
        )
    ]
    return Discussion(
        comments=comments_on(proposal),
        supporters=support_counts(proposal.cycle).get(proposal.id, 0),
        supported_by_viewer=supports(proposal, viewer),
        merges=merge_requests(proposal),
        moderation_grounds=grounds,
        merge_candidates=candidates,
    )
