"""The mandate templates pages through the test client, with and without htmx."""

from __future__ import annotations

import io
import json
import re

from pb.accounts.models import Role
from pb.cycles.models import StageKind
from pb.db import db
from pb.mandates import template_files
from pb.mandates.templates import TEMPLATES
from tests.conftest import HX


def _upload(content: bytes, name: str = "template.json") -> dict[str, object]:
    return {"file": (io.BytesIO(content), name)}


def test_a_cycles_mandates_and_any_template_download_for_anyone(client, make_cycle) -> None:
    cycle = make_cycle(title="Cardiff parks", kinds=[StageKind.PROPOSALS, StageKind.VOTE])
    page = client.get(f"/cycles/{cycle.id}/who-decides").get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/mandates.json"' in page
    download = client.get(f"/cycles/{cycle.id}/mandates.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert download.get_json()["title"] == "Cardiff parks"
    built_in = client.get("/mandate-templates/binding-pb.json").get_json()
    assert built_in == template_files.template_document(TEMPLATES["binding-pb"])
    assert client.get("/mandate-templates/imported-999.json").status_code == 404


def test_a_commissioner_imports_a_template_and_sets_a_cycle_up_from_it(client, login_as, commissioner) -> None:
    login_as(commissioner)
    assert "Mandate templates" in client.get("/").get_data(as_text=True)
    page = client.get("/mandate-templates").get_data(as_text=True)
    assert "Import a template" in page and "Binding participatory budget" in page and "Remove" not in page
    document = template_files.template_document(TEMPLATES["advisory-consultation"])
    document.update(title="From Swansea", source="Swansea Council, 2026")
    response = client.submit("/mandate-templates", _upload(json.dumps(document).encode()),
                             content_type="multipart/form-data")
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "“From Swansea” is imported." in page and "Imported. From: Swansea Council, 2026" in page
    [name] = re.findall(r"/mandate-templates/(imported-\d+)\.json", page)
    chooser = client.get("/cycles/new").get_data(as_text=True)
    assert f'<option value="{name}">From Swansea</option>' in chooser
    chosen = client.get(f"/cycles/new?template={name}").get_data(as_text=True)
    assert "<strong>From Swansea.</strong>" in chosen


def test_a_bad_file_comes_back_on_the_form_with_htmx_or_without(client, login_as, commissioner) -> None:
    login_as(commissioner)
    for headers in ({}, HX):
        response = client.submit("/mandate-templates", _upload(b"not json"), content_type="multipart/form-data",
                                 headers=headers)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "There is a problem" in page and "it is not JSON" in page
        assert 'href="#file"' in page
    nothing = client.submit("/mandate-templates", {}, content_type="multipart/form-data")
    assert nothing.status_code == 422 and "Choose a template file to import." in nothing.get_data(as_text=True)


def test_only_a_council_wide_commissioner_reaches_the_page_and_removes_one(
    client, login_as, commissioner, make_user, make_cycle
) -> None:
    row = template_files.import_template(commissioner, template_files.as_file(
        template_files.template_document(TEMPLATES["binding-pb"])).encode())
    db.session.commit()
    login_as(make_user(Role.COMMISSIONER, cycle=make_cycle(title="One cycle")))
    assert client.get("/mandate-templates").status_code == 403
    assert client.submit(f"/mandate-templates/{row.id}/delete").status_code == 403
    client.submit("/sign-out")
    client.csrf = None
    login_as(commissioner)
    removed = client.submit(f"/mandate-templates/{row.id}/delete", headers=HX)
    assert removed.status_code == 204 and removed.headers["HX-Redirect"].endswith("/mandate-templates")
    assert "is removed" in client.get("/mandate-templates").get_data(as_text=True)
    assert client.submit(f"/mandate-templates/{row.id}/delete").status_code == 404
