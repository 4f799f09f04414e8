from __future__ import annotations

from pb.cycles.models import StageKind
from pb.cycles.services import close_stage
from pb.db import db
from pb.delivery import next_cycle, services
from pb.delivery.models import DeliveryStatus
from tests.conftest import HX


def _ids(proposals):  # type: ignore[no-untyped-def]
    return {p.title: p.id for p in proposals}


def test_the_delivery_page_is_public_and_lists_only_funded_projects(
    client, decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, proposals = decided_cycle()
    ids = _ids(proposals)
    walk_to(cycle, StageKind.DELIVERY)
    benches = next(p for p in proposals if p.title == "Benches")
    services.post_update(
        benches, commissioner, status=DeliveryStatus.IN_PROGRESS, body="Joiner booked.", spend_to_date=75_000
    )
    services.pledge(benches, resident, hours=12)
    db.session.commit()
    response = client.get(f"/cycles/{cycle.id}/delivery")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "Benches" in page and "Bulbs" in page and "Mural" not in page and "Pond" not in page
    assert "Joiner booked." in page and "£750" in page and "12 hours" in page
    assert "Publish the lesson" not in page  # not signed in
    project = client.get(f"/cycles/{cycle.id}/delivery/{ids['Benches']}").get_data(as_text=True)
    assert "Joiner booked." in project and "Council spend to date: £750" in project
    assert "Rhian Resident" not in project  # pledgers' names are for commissioners
    assert client.get(f"/cycles/{cycle.id}/delivery/{ids['Mural']}").status_code == 404


def test_filtering_by_status_with_htmx_returns_the_list_alone(client, decided_cycle, walk_to, commissioner) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    services.post_update(proposals[1], commissioner, status=DeliveryStatus.DELIVERED, body="Planted.")
    db.session.commit()
    fragment = client.get(f"/cycles/{cycle.id}/delivery?status=delivered", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="projects"')
    assert "Bulbs" in fragment and "Benches" not in fragment and "<html" not in fragment
    page = client.get(f"/cycles/{cycle.id}/delivery?status=delivered").get_data(as_text=True)
    assert "<html" in page and "Benches" not in page.split('id="projects"')[1]


def test_a_commissioner_posts_an_update_through_the_form(
    client, login_as, decided_cycle, walk_to, commissioner
) -> None:
    cycle, proposals = decided_cycle()
    ids = _ids(proposals)
    walk_to(cycle, StageKind.DELIVERY)
    login_as(commissioner)
    url = f"/cycles/{cycle.id}/delivery/{ids['Benches']}/updates"
    bad = client.submit(url, {"status": "in_progress", "body": "", "spend_to_date": "lots"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "There is a problem" in text and 'aria-invalid="true"' in text
    done = client.submit(
        url,
        {
            "status": "in_progress",
            "body": "Benches ordered.",
            "milestone": "Benches installed",
            "milestone_due": "2027-05-01",
            "spend_to_date": "1,200",
        },
    )
    assert done.status_code == 303
    page = client.get(f"/cycles/{cycle.id}/delivery/{ids['Benches']}").get_data(as_text=True)
    assert "Benches ordered." in page and "Benches installed</strong>, due 1 May 2027" in page
    assert "£1,200" in page


def test_a_resident_cannot_post_an_update_through_the_page(client, login_as, decided_cycle, walk_to, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    login_as(resident)
    page = client.get(f"/cycles/{cycle.id}/delivery/{proposals[0].id}").get_data(as_text=True)
    assert "Post an update" not in page and "Pledge your time or materials" in page
    refused = client.submit(
        f"/cycles/{cycle.id}/delivery/{proposals[0].id}/updates", {"status": "delivered", "body": "Done"}
    )
    assert refused.status_code == 403


def test_pledging_with_htmx_updates_the_section_in_place(client, login_as, decided_cycle, walk_to, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    login_as(resident)
    url = f"/cycles/{cycle.id}/delivery/{proposals[1].id}/pledge"
    invalid = client.submit(url, {"hours": "0", "materials": ""}, headers=HX)
    text = invalid.get_data(as_text=True)
    assert invalid.status_code == 422 and text.lstrip().startswith('<section id="pledge"')
    assert "Pledge some hours, some materials, or both." in text
    response = client.submit(url, {"hours": "8", "materials": "Trowels", "given": "y"}, headers=HX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "pledge-changed"
    assert fragment.lstrip().startswith('<section id="pledge"') and "8 hours" in fragment
    assert "Trowels (given)" in fragment and "Change your pledge" in fragment
    assert client.submit(f"{url}/withdraw").status_code == 303  # without htmx: redirected
    after = client.get(f"/cycles/{cycle.id}/delivery/{proposals[1].id}").get_data(as_text=True)
    assert "Your pledge is withdrawn." in after and "Pledge your time or materials" in after


def test_pledging_without_javascript_redirects_back(client, login_as, decided_cycle, walk_to, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    login_as(resident)
    response = client.submit(f"/cycles/{cycle.id}/delivery/{proposals[1].id}/pledge", {"hours": "3"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#pledge")


def test_commissioners_see_who_pledged(client, login_as, decided_cycle, walk_to, commissioner, resident) -> None:
    cycle, proposals = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    services.pledge(proposals[1], resident, hours=3, materials="Compost")
    db.session.commit()
    login_as(commissioner)
    page = client.get(f"/cycles/{cycle.id}/delivery/{proposals[1].id}").get_data(as_text=True)
    assert "Who pledged" in page and "Rhian Resident" in page and "Compost" in page


def test_rating_a_delivered_project_with_and_without_htmx(
    client, login_as, decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, proposals = decided_cycle()
    bulbs = proposals[1]
    walk_to(cycle, StageKind.DELIVERY)
    services.post_update(bulbs, commissioner, status=DeliveryStatus.DELIVERED, body="Planted.")
    walk_to(cycle, StageKind.ASSESSMENT)
    login_as(resident)
    url = f"/cycles/{cycle.id}/delivery/{bulbs.id}/assessment"
    page = client.get(f"/cycles/{cycle.id}/delivery/{bulbs.id}").get_data(as_text=True)
    assert "How well was it delivered?" in page and 'type="radio"' in page
    missing = client.submit(url, {"comment": "No rating"}, headers=HX)
    assert missing.status_code == 422 and "Choose a rating from 1 to 5." in missing.get_data(as_text=True)
    rated = client.submit(url, {"rating": "4", "comment": "Bright in March"}, headers=HX)
    fragment = rated.get_data(as_text=True)
    assert rated.status_code == 200 and fragment.lstrip().startswith('<section id="assessment"')
    assert "4.0 out of 5" in fragment and "Bright in March" in fragment and "Change your rating" in fragment
    again = client.submit(url, {"rating": "2"})
    assert again.status_code == 303
    public = client.get(f"/cycles/{cycle.id}/delivery/{bulbs.id}").get_data(as_text=True)
    assert "2.0 out of 5" in public


def test_a_commissioner_publishes_a_lesson(client, login_as, decided_cycle, walk_to, commissioner) -> None:
    cycle, _ = decided_cycle()
    walk_to(cycle, StageKind.DELIVERY)
    login_as(commissioner)
    assert client.submit(f"/cycles/{cycle.id}/lessons", {"body": ""}).status_code == 422
    assert client.submit(f"/cycles/{cycle.id}/lessons", {"body": "Book contractors early."}).status_code == 303
    assert "Book contractors early." in client.get(f"/cycles/{cycle.id}/delivery").get_data(as_text=True)


def test_the_cycle_page_links_to_delivery_and_assessment(client, decided_cycle, walk_to) -> None:
    cycle, _ = decided_cycle()
    walk_to(cycle, StageKind.ASSESSMENT)
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert f"/cycles/{cycle.id}/delivery" in page
    assert "Progress on funded projects, and what residents give" in page and "Rate what was delivered" in page


def test_the_proposer_carries_an_unfunded_proposal_over_from_its_page(
    client, login_as, decided_cycle, resident, neighbour
) -> None:
    cycle, proposals = decided_cycle()
    ids = _ids(proposals)
    url = f"/cycles/{cycle.id}/proposals/{ids['Mural']}"
    assert "Not funded this time" in client.get(url).get_data(as_text=True)
    assert "Carry it into the next cycle" not in client.get(url).get_data(as_text=True)  # not signed in
    login_as(resident)
    assert "Carry it into the next cycle" in client.get(url).get_data(as_text=True)
    assert "Not funded this time" not in client.get(f"/cycles/{cycle.id}/proposals/{ids['Benches']}").get_data(
        as_text=True
    )
    response = client.submit(f"{url}/carry-over", {"consent": "yes"})
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "The proposer has agreed" in page and "Do not carry it over" in page
    refused = client.submit(f"/cycles/{cycle.id}/proposals/{ids['Pond']}/carry-over", {"consent": "yes"})
    assert refused.status_code == 403  # the neighbour's proposal


def test_starting_the_next_cycle_from_a_finished_one(
    client, login_as, decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, proposals = decided_cycle()
    next_cycle.consent_to_carry_over(next(p for p in proposals if p.title == "Mural"), resident)
    walk_to(cycle, StageKind.DELIVERY)
    next_cycle.record_lesson(cycle, commissioner, "Book contractors early.")
    walk_to(cycle, StageKind.ASSESSMENT)
    login_as(commissioner)
    assert "Start the next cycle from this one" not in client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    close_stage(cycle.stage_of_kind(StageKind.ASSESSMENT), commissioner)
    db.session.commit()
    assert "Start the next cycle from this one" in client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    form = client.get(f"/cycles/{cycle.id}/next").get_data(as_text=True)
    assert "Green spaces – next cycle" in form and "Mural" in form and "North\nSouth" in form
    response = client.submit(
        f"/cycles/{cycle.id}/next",
        {
            "title": "Green spaces 2028",
            "purpose": "Carry on",
            "area": "Grangetown",
            "areas": "North\nSouth",
            "budget": "10000",
            "required_representatives": "1",
            "place_proposals": "1",
            "place_review": "2",
            "place_vote": "3",
            "place_decision": "4",
        },
    )
    assert response.status_code == 303
    new_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Carried on from" in new_page and "Book contractors early." in new_page
    assert "1 unfunded proposal whose proposers agreed" in new_page
    old_page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert "This cycle carries on in" in old_page and "Start the next cycle from this one" not in old_page


def test_a_resident_cannot_start_the_next_cycle(
    client, login_as, decided_cycle, walk_to, commissioner, resident
) -> None:
    cycle, _ = decided_cycle()
    walk_to(cycle, StageKind.ASSESSMENT)
    close_stage(cycle.stage_of_kind(StageKind.ASSESSMENT), commissioner)
    db.session.commit()
    login_as(resident)
    response = client.submit(
        f"/cycles/{cycle.id}/next",
        {
            "title": "Mine",
            "purpose": "p",
            "area": "a",
            "budget": "100",
            "required_representatives": "1",
            "place_proposals": "1",
        },
    )
    assert response.status_code == 403
