"""The delivery pages read in Welsh once a resident chooses Cymraeg."""

from __future__ import annotations

from pb.cycles.models import StageKind
from pb.db import db
from pb.delivery import services
from pb.delivery.models import DeliveryStatus


def _welsh(client, url):  # type: ignore[no-untyped-def]
    client.get("/language/cy?next=/")
    response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, url
    assert '<html lang="cy">' in page, url
    return page


def test_the_delivery_pages_read_in_welsh(client, decided_cycle, walk_to, commissioner, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    benches = next(p for p in proposals if p.title == "Benches")
    services.post_update(
        benches,
        commissioner,
        status=DeliveryStatus.IN_PROGRESS,
        body="Joiner booked.",
        milestone="Benches installed",
        spend_to_date=75_000,
    )
    services.pledge(benches, resident, hours=12)
    db.session.commit()

    page = _welsh(client, f"/cycles/{cycle.id}/delivery")
    assert "Cyflawni'r hyn a gyllidwyd" in page and "Ar y gweill" in page and "12 awr" in page
    for words in ("Delivering what was funded", "Across every project", "In progress", "12 hours", "Council spend"):
        assert words not in page, words

    page = _welsh(client, f"/cycles/{cycle.id}/delivery/{benches.id}")
    assert "Diweddariadau gan y cyngor" in page and "Gwariant y cyngor hyd yma: £750" in page
    assert "Carreg filltir: Benches installed" in page and "Dim sgoriau eto." in page
    for words in ("Updates from the council", "Council spend to date", "Every funded project", "Sign in</a> to"):
        assert words not in page, words
