"""No route that takes an id lets anyone read or change another cycle's things through it.

Every rule with a `cycle_id` and another id is called with cycle A and an object of cycle B,
by a commissioner of both (so only the cross-cycle check can stop it), and must answer 404.
A new route with a new kind of id fails here until it is given a factory below.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from pb.db import db
from tests.conftest import PASSWORD


def test_no_route_reaches_into_another_cycle(app, client, make_cycle, busy_cycle, commissioner) -> None:
    _other, things = busy_cycle
    mine = make_cycle(title="Cycle A")
    db.session.commit()
    client.submit("/sign-in", {"email": commissioner.email, "password": PASSWORD})
    client.csrf = None
    checked = []
    for rule in app.url_map.iter_rules():
        ids = [a for a in rule.arguments if a not in ("cycle_id", "kind", "fmt", "code", "filename")]
        if "cycle_id" not in rule.arguments or not ids:
            continue
        missing = [a for a in ids if a not in things]
        assert not missing, f"{rule.rule}: add a factory for {missing} to this test"
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(mine.id if m[1] == "cycle_id" else things[m[1]]),
                     rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.get(url) if method == "GET" else client.submit(url, {})
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            checked.append(f"{method} {rule.rule}")
    assert len(checked) >= 15  # the routes above exist; the test must not pass by finding none


def test_another_cycles_commissioner_cannot_enter_its_population_figures(
    client, busy_cycle, make_user, make_cycle
) -> None:
    """The population form has no id but the cycle's: only the cycle's own commissioners may use it."""
    from pb.accounts.models import Role

    cycle, _things = busy_cycle
    other = make_user(Role.COMMISSIONER, cycle=make_cycle(title="Cycle A"))
    client.submit("/sign-in", {"email": other.email, "password": PASSWORD})
    client.csrf = None
    url = f"/cycles/{cycle.id}/dashboard/population"
    assert client.get(url).status_code == 403
    refused = client.submit(url, {"age-16_24": "10", "source": "Census"})
    assert refused.status_code == 403 and "Only the cycle&#39;s commissioners can do this." in refused.get_data(True)
    assert db.session.execute(text("SELECT count(*) FROM population_figures")).scalar() == 0
