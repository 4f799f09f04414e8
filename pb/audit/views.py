"""A cycle's audit log, and the council's (the entries of no one cycle): read it, verify the chain, export it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user, login_required

from pb.audit import services, words
from pb.cycles.services import get_cycle
from pb.web import render

bp = Blueprint("audit", __name__)
bp.add_app_template_filter(words.action_name)


@bp.get("/cycles/<int:cycle_id>/audit")
@login_required
def show_log(cycle_id: int) -> Response:
    """The cycle's entries, and whether the whole chain verifies."""
    cycle = get_cycle(cycle_id)
    entries = services.cycle_entries(current_user, cycle)
    return render("audit/log.html", cycle=cycle, entries=entries, verification=services.verify())


@bp.get("/cycles/<int:cycle_id>/audit.json")
@login_required
def export_log(cycle_id: int) -> Response:
    """The cycle's entries with their hashes, for checking elsewhere."""
    entries = services.cycle_entries(current_user, get_cycle(cycle_id))
    return jsonify([services.as_dict(entry) for entry in entries])


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
