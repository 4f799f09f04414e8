from __future__ import annotations

import pytest

from pb.cycles.models import StageKind
from pb.errors import Conflict, InvalidInput, NotAuthorised, OutsideMandate
from pb.mandates.services import update_mandate
from pb.priorities.models import AssetType, NeedKind
from pb.priorities.services import agree_theme, need_rows, record_need, support_need
from tests.conftest import FULL_CYCLE


def test_needs_and_assets_by_area_with_support_and_themes(
    make_cycle, walk_to, commissioner, representative, resident, make_user
) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE, areas=["Riverside", "Grangetown"])
    walk_to(cycle, StageKind.PRIORITIES)
    lighting = record_need(cycle, resident, kind=NeedKind.NEED, title="Dark underpass", area="Riverside")
    play = record_need(cycle, resident, kind=NeedKind.NEED, title="Nowhere for teenagers", area="Grangetown")
    hall = record_need(
        cycle, commissioner, kind=NeedKind.ASSET, asset_type=AssetType.PLACE, title="Church hall", area="Grangetown"
    )
    for person in (resident, make_user()):
        support_need(play, person)
    support_need(play, resident)  # twice changes nothing
    rows = need_rows(cycle, resident)
    assert [(r.need.title, r.supporters, r.supported_by_me) for r in rows][:1] == [("Nowhere for teenagers", 2, True)]
    assert [r.need.title for r in need_rows(cycle, None, kind=NeedKind.ASSET)] == ["Church hall"]
    assert [r.need.title for r in need_rows(cycle, None, area="Riverside")] == ["Dark underpass"]

    theme = agree_theme(cycle, representative, name="Young people", need_ids=[play.id, hall.id])
    assert (play.theme_id, hall.theme_id, lighting.theme_id) == (theme.id, theme.id, None)
    with pytest.raises(Conflict):
        agree_theme(cycle, commissioner, name="young people")
    with pytest.raises(NotAuthorised):
        agree_theme(cycle, resident, name="Our own theme")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": NeedKind.NEED, "title": ""}, "title"),
        ({"kind": NeedKind.ASSET, "title": "A skill"}, "asset_type"),
        ({"kind": NeedKind.NEED, "title": "Bins", "area": "Atlantis"}, "area"),
    ],
)
def test_unclear_needs_are_refused(make_cycle, walk_to, resident, kwargs, field) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE, areas=["Riverside"])
    walk_to(cycle, StageKind.PRIORITIES)
    with pytest.raises(InvalidInput) as refused:
        record_need(cycle, resident, **kwargs)
    assert refused.value.field == field


def test_the_mandate_may_keep_contributions_to_the_panel(
    make_cycle, walk_to, commissioner, representative, resident
) -> None:
    cycle = make_cycle(kinds=FULL_CYCLE)
    stage = cycle.stage_of_kind(StageKind.PRIORITIES)
    update_mandate(
        stage,
        commissioner,
        purpose="p",
        roles="r",
        boundaries={**stage.mandate.boundaries_data, "who_may_contribute": "representatives"},
    )
    walk_to(cycle, StageKind.PRIORITIES)
    with pytest.raises(OutsideMandate) as refused:
        record_need(cycle, resident, kind=NeedKind.NEED, title="Bins")
    assert refused.value.clause == "priorities.who_may_contribute"
    assert record_need(cycle, representative, kind=NeedKind.NEED, title="Bins").author_name == "Rhys Representative"
