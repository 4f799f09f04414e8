"""Results: the public page, downloads and report, the dashboard, and recording the decision."""

from __future__ import annotations

from flask import Blueprint, Response, flash, make_response, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.cycles.services import get_cycle
from pb.db import db
from pb.errors import PBError
from pb.mandates.authority import Action, require_cycle_action
from pb.mandates.forms import ConfirmForm
from pb.results import exports, services, words
from pb.results.dashboard import dashboard
from pb.web import done, render

bp = Blueprint("results", __name__)
bp.add_app_template_filter(words.rule_name)
bp.add_app_template_filter(words.tie_break_words)
bp.add_app_template_filter(words.area_rows)
bp.add_app_template_filter(words.day_rows)


@bp.get("/cycles/<int:cycle_id>/results")
def show_results(cycle_id: int) -> Response:
    """Votes, costs and what was funded, with each project's fate explained."""
    cycle = get_cycle(cycle_id)
    tally, rows = services.result_rows(cycle)
    return render(
        "results/show.html",
        cycle=cycle,
        tally=tally,
        rows=rows,
        most_votes=max((r.votes for r in rows), default=0),
        turnout=exports.turnout_by_channel(tally.stage),
    )


@bp.get("/cycles/<int:cycle_id>/results.<fmt>")
def download_results(cycle_id: int, fmt: str) -> Response:
    """The decision as CSV, XLSX, JSON, Pabulib .pb or a PDF report: the same files as `flask pb export`."""
    cycle = get_cycle(cycle_id)
    response = make_response(exports.render_export(cycle, fmt))
    response.headers["Content-Type"] = exports.FORMATS[fmt][0]
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(cycle, fmt)}"'
    return response


@bp.get("/cycles/<int:cycle_id>/report")
def show_report(cycle_id: int) -> Response:
    """The decision report for council minutes: prints cleanly, and comes as a PDF too."""
    cycle = get_cycle(cycle_id)
    return render("results/report.html", cycle=cycle, record=exports.cycle_record(cycle))


@bp.get("/cycles/<int:cycle_id>/you-said-we-did")
def you_said_we_did(cycle_id: int) -> Response:
    """For residents: what the vote said about each project, and what the council did about it."""
    cycle = get_cycle(cycle_id)
    tally, rows = services.result_rows(cycle)
    return render(
        "results/you_said_we_did.html", cycle=cycle, tally=tally, rows=rows, decided=any(r.decision for r in rows)
    )


@bp.get("/cycles/<int:cycle_id>/dashboard")
@login_required
def show_dashboard(cycle_id: int) -> Response:
    """For commissioners and resident representatives: turnout by channel, area and day; outcome; contributions."""
    cycle = get_cycle(cycle_id)
    require_cycle_action(current_user, Action.VIEW_DASHBOARD, cycle)
    return render("results/dashboard.html", cycle=cycle, board=dashboard(cycle))


@bp.route("/cycles/<int:cycle_id>/decision", methods=["GET", "POST"])
@login_required
def record_decision(cycle_id: int) -> Response:
    """Commissioners record the decision on each project, as the mandates allow. The form leads to
    a page that shows the decision to check, since publishing it cannot be undone; its *Change* goes
    back to the form with everything as written, and its *Publish* records it."""
    cycle = get_cycle(cycle_id)
    services.check_can_decide(cycle, current_user)  # no form for those who may not use it
    tally, rows = services.result_rows(cycle)
    form = ConfirmForm()
    error: PBError | None = None
    if form.validate_on_submit() and "change" not in request.form:
        choices = {row.proposal.id: _choice(row) for row in rows}
        publish = request.form.get("publish") == "yes"
        try:
            checked = (services.record_decision if publish else services.check_decision)(cycle, current_user, choices)
        except PBError as caught:
            if not caught.field:
                raise
            db.session.rollback()
            error = caught
        else:
            if publish:
                flash(_("The decision has been recorded and published."), "success")
                return done("results.show_results", cycle_id=cycle.id)
            return render(
                "results/decision_check.html",
                cycle=cycle,
                tally=tally,
                rows=rows,
                choices=choices,
                funded=[row for row in rows if choices[row.proposal.id].funded],
                decisions={decision.proposal_id: decision for decision in checked},
                form=form,
            )
    return render(
        "results/decision.html",
        cycle=cycle,
        tally=tally,
        rows=rows,
        terms=services.decision_terms(cycle),
        form=form,
        error=error,
        status=422 if error else 200,
    )


def _choice(row: services.ResultRow) -> services.Choice:
    """What the form, or the check page's hidden copy of it, says about one project."""
    pid = row.proposal.id
    return services.Choice(
        funded=request.form.get(f"funded-{pid}", "yes" if row.funded_by_vote else "no") == "yes",
        reason=request.form.get(f"reason-{pid}", ""),
        ground=request.form.get(f"ground-{pid}") or None,
        changes=request.form.get(f"changes-{pid}", ""),
    )


from pb.results import demographics_views  # noqa: E402, F401  (its route is on this blueprint)
