from __future__ import annotations

from pb.cycles.models import StageKind
from tests.conftest import FULL_CYCLE, HX, PASSWORD


def test_recording_and_supporting_needs_through_the_page(client, make_cycle, walk_to, resident) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE, areas=["Riverside"])
    walk_to(cycle, StageKind.PRIORITIES)
    client.submit("/sign-in", {"email": resident.email, "password": PASSWORD})
    client.csrf = None
    bad = client.submit(f"/cycles/{cycle.id}/priorities/needs", {"kind": "asset", "title": "Choir", "area": ""})
    assert bad.status_code == 422 and "place, a group, a skill" in bad.get_data(as_text=True)
    made = client.submit(
        f"/cycles/{cycle.id}/priorities/needs", {"kind": "need", "title": "Dark underpass", "area": "Riverside"}
    )
    assert made.status_code == 303
    page = client.get(f"/cycles/{cycle.id}/priorities").get_data(as_text=True)
    need_id = page.split('id="need-')[1].split('"')[0]
    fragment = client.submit(
        f"/cycles/{cycle.id}/priorities/needs/{need_id}/support", {"supported": "yes"}, headers=HX
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="needs"') and "1 resident says this matters" in fragment


def test_the_page_is_public_and_filters_by_kind(client, make_cycle, walk_to, resident) -> None:
    from pb.priorities.models import AssetType, NeedKind
    from pb.priorities.services import record_need

    cycle = make_cycle(kinds=FULL_CYCLE)
    walk_to(cycle, StageKind.PRIORITIES)
    record_need(cycle, resident, kind=NeedKind.NEED, title="Bins overflow")
    record_need(cycle, resident, kind=NeedKind.ASSET, asset_type=AssetType.GROUP, title="Litter pickers")
    from pb.db import db

    db.session.commit()
    page = client.get(f"/cycles/{cycle.id}/priorities?kind=asset").get_data(as_text=True)
    assert "Litter pickers" in page and "Bins overflow" not in page
    assert "Add a need or an asset" not in page  # not signed in
