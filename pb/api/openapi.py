"""The OpenAPI 3.1 description of the open data API, kept beside the code it describes."""

from __future__ import annotations

from typing import Any

INT, STR, BOOL = {"type": "integer"}, {"type": "string"}, {"type": "boolean"}
NSTR, NINT = {"type": ["string", "null"]}, {"type": ["integer", "null"]}
TIME = {"type": "string", "format": "date-time"}
NTIME = {"type": ["string", "null"], "format": "date-time"}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props)}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page_of(name: str) -> dict[str, Any]:
    return _obj(items={"type": "array", "items": _ref(name)}, page=INT, per_page=INT, total=INT, pages=INT)


def _list_of(name: str) -> dict[str, Any]:
    return _obj(items={"type": "array", "items": _ref(name)})


SCHEMAS: dict[str, Any] = {
    "Stage": _obj(
        kind=STR, position=INT, state={"enum": ["draft", "agreed", "open", "closed"]}, opened_at=NTIME, closed_at=NTIME
    ),
    "Cycle": _obj(
        id=INT,
        title=STR,
        purpose=STR,
        area=STR,
        areas={"type": "array", "items": STR},
        budget={**INT, "description": "minor units (pence)"},
        currency=STR,
        created_at=TIME,
        stages={"type": "array", "items": _ref("Stage")},
    ),
    "Mandate": _obj(
        stage=STR,
        version=INT,
        agreed_at=NTIME,
        purpose=STR,
        roles=STR,
        boundaries={"type": "object"},
        clauses={"type": "array", "items": _obj(clause=STR, text=STR)},
        amendment_reason=NSTR,
        signatures={"type": "array", "items": _obj(side={"enum": ["commissioners", "residents"]}, signed_at=TIME)},
    ),
    "Proposal": _obj(
        id=INT,
        title=STR,
        summary=STR,
        description=STR,
        language={"enum": ["en", "cy"]},
        title_translated=NSTR,
        summary_translated=NSTR,
        theme=NSTR,
        area=NSTR,
        cost=INT,
        estimated_cost=INT,
        cost_revision_reason=NSTR,
        volunteer_hours=INT,
        materials=STR,
        space=STR,
        status={"enum": ["submitted", "eligible", "ruled_out", "merged"]},
        ruling_ground=NSTR,
        ruling_reason=NSTR,
        merged_into=NINT,
        created_at=TIME,
    ),
    "Results": _obj(
        rule=STR,
        tie_break=STR,
        ballot_hash=STR,
        ballots_counted=INT,
        budget=INT,
        counted_at=TIME,
        selected={"type": "array", "items": INT},
        projects={"type": "array", "items": _obj(id=INT, votes=INT, selected=BOOL, explanation=STR)},
    ),
    "Decision": _obj(proposal=INT, funded=BOOL, reason=STR, override_ground=NSTR, changes=NSTR, recorded_at=TIME),
    "Error": _obj(error=STR),
}


def _get(summary: str, schema: dict[str, Any], *, paged: bool = False, cycle: bool = True) -> dict[str, Any]:
    parameters = []
    if cycle:
        parameters.append({"name": "cycle_id", "in": "path", "required": True, "schema": INT})
    if paged:
        parameters += [
            {"name": "page", "in": "query", "schema": {**INT, "minimum": 1, "default": 1}},
            {"name": "per_page", "in": "query", "schema": {**INT, "minimum": 1, "maximum": 100, "default": 20}},
        ]
    error = {"content": {"application/json": {"schema": _ref("Error")}}}
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}}
    if cycle:
        responses["404"] = {"description": "No such cycle (or, for results, not counted yet)", **error}
    if paged:
        responses["400"] = {"description": "A page or page size out of range", **error}
    responses["503"] = {"description": "The database cannot be reached for now: try again after Retry-After seconds",
                        **error}
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cyd open data",
            "version": "1",
            "description": "Read-only data of commissioning cycles: no personal data, no ballots.",
        },
        "paths": {
            "/api/cycles": _get("Every cycle", _page_of("Cycle"), paged=True, cycle=False),
            "/api/cycles/{cycle_id}": _get("One cycle and its stages", _ref("Cycle")),
            "/api/cycles/{cycle_id}/mandates": _get("Every version of every stage's mandate", _list_of("Mandate")),
            "/api/cycles/{cycle_id}/proposals": _get("The cycle's proposals", _page_of("Proposal"), paged=True),
            "/api/cycles/{cycle_id}/results": _get("The latest count", _ref("Results")),
            "/api/cycles/{cycle_id}/decisions": _get("The council's decisions", _list_of("Decision")),
        },
        "components": {"schemas": SCHEMAS},
    }
