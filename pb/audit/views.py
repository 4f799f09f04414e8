"""A cycle's audit log, and the council's (the entries of no one cycle): read it, verify the chain, export it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user, login_required

from pb.audit import services
from pb.cycles.models import Cycle
from pb.cycles.services import get_cycle
from pb.mandates.authority import Action, require_cycle_action
from pb.web import render

bp = Blueprint("audit", __name__)


def _authorised_cycle(cycle_id: int) -> Cycle:
    cycle = get_cycle(cycle_id)
    require_cycle_action(current_user, Action.READ_AUDIT_LOG, cycle)
    return cycle


@bp.get("/cycles/<int:cycle_id>/audit")
@login_required
def show_log(cycle_id: int) -> Response:
    """The cycle's entries, and whether the whole chain verifies."""
    cycle = _authorised_cycle(cycle_id)
    return render(
        "audit/log.html", cycle=cycle, entries=services.entries_for_cycle(cycle.id), verification=services.verify()
    )


@bp.get("/cycles/<int:cycle_id>/audit.json")
@login_required
def export_log(cycle_id: int) -> Response:
    """The cycle's entries with their hashes, for checking elsewhere."""
    cycle = _authorised_cycle(cycle_id)
    return jsonify([services.as_dict(entry) for entry in services.entries_for_cycle(cycle.id)])


@bp.get("/audit")
@login_required
def show_council_log() -> Response:
    """For administrators: the entries that belong to no one cycle, newest first, a page at a time."""
    before = request.args.get("before", "")
    entries = services.council_entries(current_user, int(before) if before.isdigit() else None)
    older = entries[-1].seq if len(entries) == services.COUNCIL_PAGE else None
    return render("audit/council_log.html", entries=entries, older=older, verification=services.verify(),
                  first_page=not before)


@bp.get("/audit.json")
@login_required
def export_council_log() -> Response:
    """Every entry of no one cycle, with its hash, oldest first."""
    return jsonify([services.as_dict(entry) for entry in services.all_council_entries(current_user)])
