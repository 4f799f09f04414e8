"""A cycle's audit log: read it, verify the chain, export it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
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
