"""Paper ballots at an event: print numbered ballots, key them in twice, resolve mismatches, reconcile.

Registered on the events blueprint. Every page is for the people running the event
(`require_running`); see docs/events.md, "Paper ballots".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, flash, make_response, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from pb.cycles.models import Cycle, Stage, StageKind
from pb.cycles.services import get_cycle
from pb.db import utcnow
from pb.errors import NotFound, PBError
from pb.events import paper, paper_checks, paper_printing
from pb.events.models import Event, PaperStatus
from pb.events.paper_forms import KeyPaperForm, PaperCountForm, PrintPaperForm, ResolvePaperForm, WithdrawPaperForm
from pb.events.services import get_event, may_run, require_running, stage_of
from pb.events.views import bp
from pb.mandates.authority import Action
from pb.voting.services import ballot_options, choices_from_form
from pb.web import done, render, show_on_form, updated, wants_fragment

PAPER = "/cycles/<int:cycle_id>/events/<int:event_id>/paper"


def _load(cycle_id: int, event_id: int, action: Action = Action.RUN_EVENT) -> tuple[Cycle, Event, Stage]:
    """The cycle, the event and its vote stage, for someone running the event; 404 outside a vote."""
    cycle = get_cycle(cycle_id)
    event = get_event(cycle, event_id)
    require_running(event, current_user, action)
    stage = stage_of(event)
    if stage.kind != StageKind.VOTE:
        raise NotFound(_("Paper ballots are used at events of the vote stage."))
    return cycle, event, stage


@bp.get(PAPER)
@login_required
def paper_ballots(cycle_id: int, event_id: int) -> Response:
    """The batches printed for the event, and the form to print more."""
    cycle, event, stage = _load(cycle_id, event_id)
    return _print_page(cycle, event, stage, PrintPaperForm(formdata=None))


@bp.post(PAPER + "/batches")
@login_required
def print_paper_ballots(cycle_id: int, event_id: int) -> Response:
    """Number a batch of ballots, then open it to print."""
    cycle, event, stage = _load(cycle_id, event_id)
    form = PrintPaperForm()
    if form.validate_on_submit():
        try:
            batch = paper.print_paper_ballots(event, current_user, form.size.data or 0)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:  # no message: it would be printed on the first ballot; the print page says what was numbered
            return done("events.show_paper_batch", cycle_id=cycle.id, event_id=event.id, paper_batch_id=batch.id)
    return _print_page(cycle, event, stage, form, status=422)


@bp.get(PAPER + "/batches/<int:paper_batch_id>")
@login_required
def show_paper_batch(cycle_id: int, event_id: int, paper_batch_id: int) -> Response:
    """The batch's ballots, one a page, for the browser's Print command."""
    cycle, event, stage = _load(cycle_id, event_id, Action.PRINT_PAPER_BALLOTS)
    batch = paper.get_paper_batch(event, paper_batch_id)
    limits = paper.limits(stage)
    return render("events/paper/print.html", cycle=cycle, event=event, batch=batch, limits=limits,
                  mandate=stage.agreed_mandate, options=ballot_options(stage),
                  instructions=paper_printing.how_to_fill(limits, cycle.currency),
                  box_heading=paper_printing.box_heading(limits),
                  serials=[paper.format_serial(n) for n in range(batch.first_serial, batch.last_serial + 1)])


@bp.get(PAPER + "/batches/<int:paper_batch_id>/pdf")
@login_required
def paper_batch_pdf(cycle_id: int, event_id: int, paper_batch_id: int) -> Response:
    """The same ballots as an A4 PDF, one a page."""
    cycle, event, stage = _load(cycle_id, event_id, Action.PRINT_PAPER_BALLOTS)
    batch = paper.get_paper_batch(event, paper_batch_id)
    response = make_response(paper_printing.ballots_pdf(cycle, stage, batch))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="paper-ballots-{batch.first_serial}.pdf"'
    return response


@bp.get(PAPER + "/key")
@login_required
def key_paper_ballots(cycle_id: int, event_id: int) -> Response:
    """The keying form: a serial number and what the ballot says."""
    cycle, event, stage = _load(cycle_id, event_id, Action.KEY_PAPER_BALLOT)
    return _key_page(cycle, event, stage, KeyPaperForm(formdata=None))


@bp.post(PAPER + "/key")
@login_required
def key_paper_ballot(cycle_id: int, event_id: int) -> Response:
    """Save one entry; the form comes back empty for the next ballot, saying what became of this one."""
    cycle, event, stage = _load(cycle_id, event_id, Action.KEY_PAPER_BALLOT)
    form, ballot_error = KeyPaperForm(), None
    if form.validate_on_submit():
        try:
            serial = paper.parse_serial(form.serial.data or "")
            spoilt = bool(form.spoilt.data)
            choices = {} if spoilt else choices_from_form(paper.limits(stage).ballot_format, request.form)
            keyed = paper.key_paper_ballot(event, current_user, serial, choices, spoilt=spoilt,
                                           spoilt_reason=form.spoilt_reason.data or "")
        except PBError as error:
            ballot_error = _on_form(form, error)
        else:
            message = _keyed_message(keyed)
            if wants_fragment():
                return updated("events/paper/_key_form.html", trigger="paper-keyed",
                               **_key_context(cycle, event, stage, KeyPaperForm(formdata=None), message=message))
            flash(message[1], message[0])
            return done("events.key_paper_ballots", cycle_id=cycle.id, event_id=event.id)
    return _key_page(cycle, event, stage, form, values=request.form, ballot_error=ballot_error, status=422)


@bp.get(PAPER + "/mismatches")
@login_required
def paper_mismatches(cycle_id: int, event_id: int) -> Response:
    """Ballots whose two entries differ, side by side, and ballots keyed only once."""
    cycle, event, stage = _load(cycle_id, event_id)
    mismatches, pending = (paper_checks.to_check(event, status) for status in (PaperStatus.MISMATCH,
                                                                                PaperStatus.PENDING))
    return render("events/paper/mismatches.html", cycle=cycle, event=event, limits=paper.limits(stage),
                  mismatches=[paper_checks.comparison(event, p) for p in mismatches],
                  pending=[paper_checks.comparison(event, p) for p in pending],
                  can_resolve=may_run(event, current_user, Action.RESOLVE_PAPER_BALLOT))


@bp.get(PAPER + "/ballots/<int:serial>")
@login_required
def show_paper_ballot(cycle_id: int, event_id: int, serial: int) -> Response:
    """One keyed ballot: its entries side by side and, for a mismatch, the form that resolves it."""
    cycle, event, stage = _load(cycle_id, event_id)
    ballot = paper_checks.get_paper_ballot(event, serial)
    return _ballot_page(cycle, event, stage, ballot, ResolvePaperForm(formdata=None))


@bp.post(PAPER + "/ballots/<int:serial>/resolve")
@login_required
def resolve_paper_ballot(cycle_id: int, event_id: int, serial: int) -> Response:
    """Settle a mismatch: one entry's reading, a corrected reading, or spoilt."""
    cycle, event, stage = _load(cycle_id, event_id, Action.RESOLVE_PAPER_BALLOT)
    paper_checks.get_paper_ballot(event, serial)  # 404 for a serial not keyed here, whatever the form says
    form, ballot_error = ResolvePaperForm(), None
    if form.validate_on_submit():
        try:
            choose: Any = form.choose.data
            if choose == "correct":
                choose = choices_from_form(paper.limits(stage).ballot_format, request.form)
            resolved = paper_checks.resolve_paper_ballot(event, current_user, serial, choose,
                                                         spoilt_reason=form.spoilt_reason.data or "")
        except PBError as error:
            ballot_error = _on_form(form, error)
        else:
            flash(_("Ballot %(serial)s is counted.", serial=paper.format_serial(serial))
                  if resolved.status == PaperStatus.COUNTED
                  else _("Ballot %(serial)s is recorded as spoilt.", serial=paper.format_serial(serial)), "success")
            return done("events.paper_mismatches", cycle_id=cycle.id, event_id=event.id)
    ballot = paper_checks.get_paper_ballot(event, serial)  # as it is, after the rollback
    return _ballot_page(cycle, event, stage, ballot, form, values=request.form, ballot_error=ballot_error, status=422)


@bp.post(PAPER + "/ballots/<int:serial>/withdraw")
@login_required
def withdraw_paper_ballot(cycle_id: int, event_id: int, serial: int) -> Response:
    """Take back a ballot keyed once under a serial that is not in the box."""
    cycle, event, _stage = _load(cycle_id, event_id, Action.RESOLVE_PAPER_BALLOT)
    WithdrawPaperForm()  # CSRFProtect has checked the token
    paper_checks.withdraw_paper_entry(event, current_user, serial)
    flash(_("The entry for ballot %(serial)s is withdrawn.", serial=paper.format_serial(serial)), "success")
    return done("events.paper_mismatches", cycle_id=cycle.id, event_id=event.id)


@bp.get(PAPER + "/reconciliation")
@login_required
def paper_reconciliation(cycle_id: int, event_id: int) -> Response:
    """The reconciliation report: printed, handed out, returned, keyed, spoilt and counted; printable."""
    cycle, event, stage = _load(cycle_id, event_id)
    return _reconciliation_page(cycle, event, stage, None)


@bp.post(PAPER + "/count")
@login_required
def record_paper_count(cycle_id: int, event_id: int) -> Response:
    """Record the hand counts of ballots handed out and returned."""
    cycle, event, stage = _load(cycle_id, event_id, Action.KEY_PAPER_BALLOT)
    form = PaperCountForm()
    if form.validate_on_submit():
        try:
            paper_checks.record_paper_count(event, current_user, issued=form.issued.data or 0,
                                            returned=form.returned.data or 0)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("The counts are recorded."), "success")
            return done("events.paper_reconciliation", cycle_id=cycle.id, event_id=event.id)
    return _reconciliation_page(cycle, event, stage, form, status=422)


@dataclass(frozen=True)
class PaperPanel:
    """The dashboard's paper ballot panel: the counts, what this person may do, or why paper cannot be used."""

    figures: paper_checks.Reconciliation
    may_print: bool
    may_key: bool
    may_resolve: bool
    refusal: str | None


@bp.app_template_filter("serial")
def _serial(serial: int) -> str:
    return paper.format_serial(serial)


@bp.context_processor
def _paper_panel() -> dict[str, Any]:
    def paper_panel(event: Event, stage: Stage) -> PaperPanel | None:
        if stage.kind != StageKind.VOTE:
            return None
        refusal = None
        try:
            if stage.is_open:
                require_running(event, current_user, Action.KEY_PAPER_BALLOT)
            else:
                paper.require_printing(event, current_user)
        except PBError as error:
            refusal = error.message
        return PaperPanel(paper_checks.reconciliation(event),
                          *(may_run(event, current_user, action) for action in (
                              Action.PRINT_PAPER_BALLOTS, Action.KEY_PAPER_BALLOT, Action.RESOLVE_PAPER_BALLOT)),
                          refusal=refusal)

    return {"paper_panel": paper_panel}


def _on_form(form: Any, error: PBError) -> PBError | None:
    """Put an error beside its field; a ballot's own error comes back to show above the projects."""
    if show_on_form(form, error):
        return None
    if error.field == "choices":
        return error
    raise error


def _keyed_message(keyed: paper.Keyed) -> tuple[str, str]:
    serial = paper.format_serial(keyed.paper_ballot.serial)
    if keyed.outcome == "first":
        return "success", _("Ballot %(serial)s: first entry saved. Someone else now keys it a second time.",
                            serial=serial)
    if keyed.outcome == "counted":
        return "success", _("Ballot %(serial)s: second entry saved. It matches the first, so the ballot is counted.",
                            serial=serial)
    if keyed.outcome == "spoilt":
        return "success", _("Ballot %(serial)s: second entry saved. Both entries say spoilt, so it is recorded "
                            "as spoilt.", serial=serial)
    return "info", _("Ballot %(serial)s: second entry saved, but it differs from the first: a mismatch. "
                     "A facilitator resolves it with the paper in hand.", serial=serial)


def _key_context(cycle: Cycle, event: Event, stage: Stage, form: KeyPaperForm, *,
                 values: Any = None, ballot_error: PBError | None = None,
                 message: tuple[str, str] | None = None) -> dict[str, Any]:
    return {"cycle": cycle, "event": event, "form": form, "limits": paper.limits(stage),
            "options": ballot_options(stage), "values": values if values is not None else MultiDict(),
            "ballot_error": ballot_error, "message": message, "figures": paper_checks.reconciliation(event),
            "oob": wants_fragment()}


def _key_page(cycle: Cycle, event: Event, stage: Stage, form: KeyPaperForm, *, status: int = 200,
              **context: Any) -> Response:
    response = render("events/paper/key.html", "events/paper/_key_form.html", status=status,
                      **_key_context(cycle, event, stage, form, **context))
    response.headers["Cache-Control"] = "no-store"  # a ballot's content, never to be kept by a browser
    return response


def _ballot_page(cycle: Cycle, event: Event, stage: Stage, ballot: Any, form: ResolvePaperForm, *,
                 values: Any = None, ballot_error: PBError | None = None, status: int = 200) -> Response:
    comparison = paper_checks.comparison(event, ballot)
    allowed = paper_checks.allowed_resolutions(comparison.entries, current_user)
    form.choose.choices = [choice for choice in form.choose.choices if choice.value in allowed]  # theirs alone
    response = render("events/paper/ballot.html", status=status, cycle=cycle, event=event, ballot=ballot,
                      limits=paper.limits(stage), options=ballot_options(stage),
                      comparison=comparison, form=form, allowed=allowed,
                      values=values if values is not None else MultiDict(), ballot_error=ballot_error,
                      can_resolve=may_run(event, current_user, Action.RESOLVE_PAPER_BALLOT),
                      serial=paper.format_serial(ballot.serial))
    response.headers["Cache-Control"] = "no-store"
    return response


def _print_page(cycle: Cycle, event: Event, stage: Stage, form: PrintPaperForm, status: int = 200) -> Response:
    refusal = None
    try:
        paper.require_printing(event, current_user)
    except PBError as error:
        refusal = error
    return render("events/paper/batches.html", status=status, cycle=cycle, event=event, form=form,
                  refusal=refusal, batches=paper.paper_batches(event),
                  may_key=may_run(event, current_user, Action.KEY_PAPER_BALLOT))


def _reconciliation_page(cycle: Cycle, event: Event, stage: Stage, form: PaperCountForm | None,
                         status: int = 200) -> Response:
    figures = paper_checks.reconciliation(event)
    if form is None:
        form = PaperCountForm(formdata=None, issued=figures.issued, returned=figures.returned)
    return render("events/paper/reconciliation.html", status=status, cycle=cycle, event=event, stage=stage,
                  figures=figures, form=form, made_at=utcnow(), spoilt=paper_checks.to_check(event, PaperStatus.SPOILT),
                  can_count=may_run(event, current_user, Action.KEY_PAPER_BALLOT))
