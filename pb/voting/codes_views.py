"""Voting codes on the web: entering one to vote, and the batches commissioners and facilitators print.

Registered on the voting blueprint (see the end of pb/voting/views.py); the services are in
pb/voting/codes.py.
"""

from __future__ import annotations

from flask import Response, current_app, flash, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.cycles.models import Cycle
from pb.cycles.services import get_cycle
from pb.errors import NotFound, PBError
from pb.extensions import limiter
from pb.mandates.authority import Action, allowed, require
from pb.mandates.forms import ConfirmForm
from pb.voting import printing
from pb.voting.codes import code_batches, issue_codes, redeem_code, void_batch
from pb.voting.forms import CodeBatchForm, CodeForm
from pb.voting.models import CodeBatch
from pb.voting.views import _no_store, _vote_stage, bp
from pb.web import commit_keeping_what_is_loaded, done, get_or_404, render, show_on_form


def _code_limit() -> str:
    return str(current_app.config.get("VOTING_CODE_RATE_LIMIT", "10 per minute;40 per hour"))


@bp.route("/cycles/<int:cycle_id>/vote/code", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"])
def enter_code(cycle_id: int) -> Response:
    """Enter a voting code (rate-limited); signed in, in a vote open to both, it links the code."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    form = CodeForm()
    if form.validate_on_submit():
        user = current_user if current_user.is_authenticated else None
        try:
            voter = redeem_code(stage, form.code.data or "", user)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            session.pop("ballot", None)
            if voter.channel == "code":
                session["code_voter"] = {"stage": stage.id, "code": voter.code_id, "key": voter.key}
            else:
                session.pop("code_voter", None)
                flash(_("Your code is now linked to your account. Vote with your account."), "success")
            return done("voting.show_ballot", cycle_id=cycle.id)
    return _no_store(
        render("voting/code.html", cycle=cycle, stage=stage, form=form, status=422 if form.errors else 200)
    )


@bp.post("/cycles/<int:cycle_id>/vote/forget")
def forget_code(cycle_id: int) -> Response:
    """Stop voting with the code on this device (a shared device, a kiosk)."""
    cycle = get_cycle(cycle_id)
    ConfirmForm()
    session.pop("code_voter", None)
    session.pop("ballot", None)
    return redirect(url_for("cycles.show_cycle", cycle_id=cycle.id), code=303)


@bp.route("/cycles/<int:cycle_id>/voting-codes", methods=["GET", "POST"])
@login_required
def voting_codes(cycle_id: int) -> Response:
    """Commissioners and facilitators make batches of codes, printed at once: only hashes are kept."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    form = CodeBatchForm()
    if form.validate_on_submit():
        try:
            batch, codes = issue_codes(stage, current_user, form.size.data or 0, form.label.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            commit_keeping_what_is_loaded()  # a big batch's page takes seconds to make
            return _no_store(_printed(cycle, batch, codes, form.layout.data or "cards"))
    elif not allowed(current_user, Action.ISSUE_VOTING_CODES, stage):
        require(current_user, Action.ISSUE_VOTING_CODES, stage)  # raises the reason
    return render(
        "voting/codes.html",
        cycle=cycle,
        stage=stage,
        form=form,
        batches=code_batches(stage),
        status=422 if form.errors else 200,
    )


@bp.post("/cycles/<int:cycle_id>/voting-codes/<int:batch_id>/void")
@login_required
def void_codes(cycle_id: int, batch_id: int) -> Response:
    """Withdraw a batch's unused codes; a check-in desk's batch asks first, as it is everyone's at that event."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    ConfirmForm()
    batch = get_or_404(CodeBatch, batch_id)
    if batch.stage_id != stage.id:
        raise NotFound(_("There is no such batch of codes."))
    summary = next(s for s in code_batches(stage) if s.batch.id == batch.id)
    if summary.event and request.form.get("confirm") != "yes":
        require(current_user, Action.ISSUE_VOTING_CODES, stage)
        return _no_store(render("voting/void_desk.html", cycle=cycle, summary=summary))
    voided = void_batch(batch, current_user)
    flash(_("%(count)d unused codes withdrawn.", count=voided), "success")
    return done("voting.voting_codes", cycle_id=cycle.id)


def _printed(cycle: Cycle, batch: CodeBatch, codes: list[str], layout: str) -> Response:
    """The codes, once: a print page (letters or cards with QR codes) or a PDF of cards."""
    entry = url_for("voting.enter_code", cycle_id=cycle.id, _external=True)
    if layout == "pdf":
        response = make_response(printing.cards_pdf(cycle.title, entry, codes))
        response.headers["Content-Type"] = "application/pdf"
        response.headers["Content-Disposition"] = f'attachment; filename="voting-codes-{batch.id}.pdf"'
        return response
    cards = [printing.Card(code, printing.qr_svg(f"{entry}#{code}")) for code in codes]
    return make_response(
        render("voting/print_codes.html", cycle=cycle, batch=batch, cards=cards, layout=layout, entry=entry)
    )
