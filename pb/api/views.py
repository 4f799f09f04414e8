"""The read-only open data API, described by /api/openapi.json."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from pb.api import services
from pb.api.openapi import openapi_document
from pb.cycles.services import get_cycle
from pb.errors import PBError
from pb.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)  # read-only: there is nothing to forge


def _json(document: Any, status: int = 200) -> Response:
    response = jsonify(document)
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data, no cookies
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.errorhandler(PBError)
def api_error(error: PBError) -> Response:
    """Errors as JSON, never an HTML page."""
    return _json({"error": error.message}, error.status)


def _page() -> services.Page:
    return services.Page.parse(request.args.get("page"), request.args.get("per_page"))


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of this API."""
    return _json(openapi_document())


@bp.get("/cycles")
def list_cycles() -> Response:
    """Every cycle, paginated."""
    return _json(services.cycles(_page()))


@bp.get("/cycles/<int:cycle_id>")
def show_cycle(cycle_id: int) -> Response:
    """One cycle and its stages."""
    return _json(services.cycle_document(get_cycle(cycle_id)))


@bp.get("/cycles/<int:cycle_id>/mandates")
def list_mandates(cycle_id: int) -> Response:
    """Every version of every stage's mandate."""
    return _json({"items": services.mandates(get_cycle(cycle_id))})


@bp.get("/cycles/<int:cycle_id>/proposals")
def list_proposals(cycle_id: int) -> Response:
    """The cycle's proposals, paginated."""
    return _json(services.proposals(get_cycle(cycle_id), _page()))


@bp.get("/cycles/<int:cycle_id>/results")
def show_results(cycle_id: int) -> Response:
    """The latest count; 404 before it."""
    document = services.results(get_cycle(cycle_id))
    if document is None:
        return _json({"error": "The votes have not been counted yet."}, 404)
    return _json(document)


@bp.get("/cycles/<int:cycle_id>/decisions")
def list_decisions(cycle_id: int) -> Response:
    """The council's decision on each project, once recorded."""
    return _json({"items": services.decisions(get_cycle(cycle_id))})
