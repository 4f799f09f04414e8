"""Property-based fuzzing of every form and every filter: whatever is sent, never a server error."""

from __future__ import annotations

import importlib
import pkgutil
import re

from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

import pb
from pb.accounts.models import Role
from pb.accounts.services import grant
from pb.cycles.models import StageKind
from pb.db import db
from tests.conftest import PASSWORD

# Fields read straight from request.form or request.args by views, besides the WTForms forms'.
RAW_FIELDS = ("choices", "action", "supported", "agree", "side", "version", "parent_id", "remove_image", "draft",
              "q", "theme", "area", "status", "min_cost", "max_cost", "kind", "code", "page", "per_page", "next",
              "submission", "funded-1", "reason-1", "ground-1", "changes-1", "rank-1", "points-1",
              # fields the forms make per question the vote asks (busy_cycle asks age and disability)
              "age", "disability", "age-16_24", "age-75_over", "disability-yes", "disability-no", "demographics")


def _form_fields() -> list[str]:
    for module in pkgutil.walk_packages(pb.__path__, "pb."):
        if module.name.endswith("forms"):  # pb.x.forms, and modules such as pb.events.workshop_forms
            importlib.import_module(module.name)
    names: set[str] = set(RAW_FIELDS)
    todo = list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        todo.extend(form.__subclasses__())
        names.update(n for n, v in vars(form).items() if isinstance(v, UnboundField))
    return sorted(names)


FIELDS = _form_fields()
VALUES = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["", "0", "-1", "1", "1e308", "NaN", "£1,000.50", "9" * 40, "yes", "no", "approval", "vote",
                     "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "ŵŷ" * 500]),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
)
FORM_DATA = st.dictionaries(st.sampled_from(FIELDS), st.one_of(VALUES, st.lists(VALUES, max_size=4)), max_size=8)


def _routes(app, ids: dict[str, int], cycle_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {**ids, "cycle_id": cycle_id, "kind": StageKind.VOTE.value, "fmt": "csv", "code": "cy",
                  "name": "binding-pb", "template_id": 1,
                  "token": "not-a-reset-token"}
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, v=values: str(v[m[1]]), rule.rule)
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(data=st.data())
def test_no_form_or_filter_brings_a_server_error(app, client, busy_cycle, commissioner, data) -> None:
    cycle, ids = busy_cycle
    if client.csrf is None:
        grant(commissioner, Role.ADMIN)  # so the people pages' forms are fuzzed too
        db.session.commit()
        client.submit("/sign-in", {"email": commissioner.email, "password": PASSWORD})
        client.csrf = None
    method, url = data.draw(st.sampled_from(_routes(app, ids, cycle.id)), label="route")
    payload = data.draw(FORM_DATA, label="payload")
    response = client.get(url, query_string=payload) if method == "GET" else client.submit(url, payload)
    assert response.status_code < 500, f"{method} {url} {payload!r}"
