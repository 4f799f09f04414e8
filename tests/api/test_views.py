"""The open data API: what it serves matches its OpenAPI document, is paginated, and names nobody."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from pb.api import services as api_services
from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.voting.services import cast_ballot

TYPES = {"integer": int, "string": str, "boolean": bool, "object": dict, "array": list, "null": type(None)}


def conforms(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """A small checker for the subset of JSON Schema the document uses."""
    if "$ref" in schema:
        return conforms(value, schemas[schema["$ref"].rsplit("/", 1)[1]], schemas)
    if "enum" in schema:
        return value in schema["enum"]
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds and not any(
        isinstance(value, TYPES[k]) and not (k == "integer" and isinstance(value, bool)) for k in kinds
    ):
        return False
    if isinstance(value, dict) and "properties" in schema:
        if set(schema["required"]) - set(value) or set(value) - set(schema["properties"]):
            return False
        return all(conforms(value[k], s, schemas) for k, s in schema["properties"].items())
    if isinstance(value, list) and "items" in schema:
        return all(conforms(v, schema["items"], schemas) for v in value)
    return True


@pytest.fixture
def counted(open_vote, make_user, commissioner):  # type: ignore[no-untyped-def]
    cycle, (a, _b, _c) = open_vote()
    voter = make_user(name="Private Person")
    cast_ballot(cycle.stage_of_kind(StageKind.VOTE), voter, [a.id])
    close_stage(cycle.stage_of_kind(StageKind.VOTE), commissioner)
    db.session.commit()
    return cycle, voter


def test_every_path_answers_as_its_openapi_document_says(client, counted) -> None:
    cycle, _voter = counted
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        response = client.get(path.replace("{cycle_id}", str(cycle.id)))
        assert response.status_code == 200, path
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert conforms(response.get_json(), schema, schemas), path


def test_pages_and_their_limits(client, counted, make_cycle) -> None:
    for n in range(3):
        make_cycle(title=f"Extra {n}")
    first = client.get("/api/cycles?per_page=2").get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (4, 2, 2)
    assert len(client.get("/api/cycles?per_page=2&page=2").get_json()["items"]) == 2
    for bad in ("page=0", "per_page=101", "page=two"):
        response = client.get(f"/api/cycles?{bad}")
        assert response.status_code == 400 and "error" in response.get_json()


def test_no_personal_data_is_served(client, counted) -> None:
    cycle, voter = counted
    served = json.dumps(
        [
            client.get(f"/api/cycles/{cycle.id}{suffix}").get_json()
            for suffix in ("", "/mandates", "/proposals", "/results", "/decisions")
        ]
    )
    for personal in (
        voter.name,
        voter.email,
        "Carys Commissioner",
        "Rhys Representative",
        "Rhian Resident",
        "@example.org",
    ):
        assert personal not in served


def test_unknown_cycles_and_uncounted_results_are_json_errors(client, open_vote) -> None:
    cycle, _ = open_vote()
    assert client.get("/api/cycles/999").get_json() == {"error": "There is no cycle with that number."}
    response = client.get(f"/api/cycles/{cycle.id}/results")
    assert response.status_code == 404
    assert response.get_json()["error"].startswith("The votes have not been counted yet.")


def test_the_apps_own_errors_are_json_too(app, client, monkeypatch) -> None:
    """No such path, a method the API does not take, the database gone: JSON, never an HTML page."""
    for response, status in ((client.get("/api/nothing-here"), 404), (client.post("/api/cycles"), 405)):
        assert response.status_code == status and response.is_json, response.get_data(as_text=True)[:200]
        assert response.get_json()["error"] and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in client.post("/api/cycles").headers["Allow"]  # a 405 says what the path takes

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production

    def lose_the_database(*_args: object) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(api_services, "cycles", lose_the_database)
    lost = client.get("/api/cycles")
    assert lost.status_code == 503 and lost.is_json and lost.headers["Retry-After"]
    assert lost.headers["Cache-Control"] == "no-store" and "Traceback" not in lost.get_data(as_text=True)
