"""The demo cycle `make run` seeds: a whole cycle walked through the real services, up to an open vote,
with a voting evening at the Hub for its facilitator to run (check-in, kiosks, paper ballots), a ward
councillor's endorsement, and an administrator who gives people roles."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from pb.accounts.models import Role, User
from pb.accounts.services import find_by_email, grant, sign_up
from pb.cycles.endorsements import endorse
from pb.cycles.models import Cycle, StageKind
from pb.cycles.services import appoint_representative, close_stage, create_cycle, open_stage
from pb.db import session
from pb.events.services import create_event
from pb.mandates.models import Side
from pb.mandates.services import sign_mandate, update_mandate
from pb.proposals.review import review_proposal
from pb.proposals.services import ProposalFields, submit_proposal
from pb.results.demographics import enter_population

DEMO_TITLE = "Grangetown Green Spaces 2026"
DEMO_PASSWORD = "demo-password"
DEMO_USERS = (
    ("commissioner@example.org", "Carys Commissioner", "commissioner"),
    ("representative@example.org", "Rhys Representative", "resident representative"),
    ("resident@example.org", "Rhian Resident", "resident"),
    ("facilitator@example.org", "Ffion Facilitator", "facilitator"),
    ("councillor@example.org", "Cerys Councillor", "councillor"),
    ("admin@example.org", "Aled Admin", "administrator"),
)
# The vote asks two optional questions after voting; the dashboard compares the answers with these
# shares (in hundredths of a per cent), which are made up for the demo.
DEMO_POPULATION = {
    "age": {"under_16": 1900, "16_24": 1700, "25_34": 1800, "35_44": 1400, "45_54": 1100, "55_64": 900,
            "65_74": 700, "75_over": 500},
    "welsh": {"yes": 1100, "no": 8900},
}
DEMO_PROPOSALS = (
    (
        "Community orchard on Clive Street",
        "Plant 30 fruit trees with the school and keep them with volunteers.",
        1_200_000,
    ),
    ("Benches along the river path", "Ten benches, so older residents can rest on the walk into town.", 800_000),
    ("Play area repairs at Grange Gardens", "Replace the broken swings and resurface the toddler area.", 2_500_000),
    ("Bike repair café", "Monthly free repairs with tools and a trained volunteer mechanic.", 450_000),
    ("Wildflower verges", "Sow native wildflowers on four road verges and stop mowing them in summer.", 300_000),
    ("Outdoor gym on the rec", "Six pieces of outdoor exercise equipment, free for anyone to use.", 3_000_000),
)


def seed_demo() -> bool:
    """Create the demo people and cycle unless they exist; return True if anything was created.

    Runs in one transaction: a failure leaves nothing behind.
    """
    db = session()
    if db.scalar(select(Cycle).where(Cycle.title == DEMO_TITLE)) is not None:
        return False
    people = {role: _person(email, name) for email, name, role in DEMO_USERS}
    commissioner, representative, resident = (
        people["commissioner"],
        people["resident representative"],
        people["resident"],
    )
    grant(commissioner, Role.COMMISSIONER)
    grant(people["administrator"], Role.ADMIN)

    cycle = create_cycle(
        commissioner,
        title=DEMO_TITLE,
        purpose="Residents of Grangetown decide how £50,000 improves the parks, paths and green corners of the ward.",
        area="Grangetown",
        budget=5_000_000,
        kinds=[StageKind.PROPOSALS, StageKind.REVIEW, StageKind.VOTE, StageKind.DECISION],
        template="binding-pb",
    )
    appoint_representative(cycle, commissioner, representative.email)
    grant(people["facilitator"], Role.FACILITATOR, cycle.id)
    grant(people["councillor"], Role.COUNCILLOR, cycle.id)
    endorse(cycle, people["councillor"], "As a Grangetown ward councillor I back this cycle. Tell us what our parks "
                                         "need, and vote: online, at the Hub, or on paper.")
    vote = cycle.stage_of_kind(StageKind.VOTE)
    assert vote is not None  # residents vote with an account, or with a code from an event or a letter
    update_mandate(vote, commissioner, purpose=vote.mandate.purpose, roles=vote.mandate.roles,
                   boundaries={**vote.mandate.boundaries_data, "eligibility": "both", "demographics": ["age", "welsh"]})
    for stage in cycle.stages:
        sign_mandate(stage, commissioner, Side.COMMISSIONERS, stage.mandate.version)
        sign_mandate(stage, representative, Side.RESIDENTS, stage.mandate.version)

    proposals_stage, review_stage, vote_stage = (
        cycle.stage_of_kind(k) for k in (StageKind.PROPOSALS, StageKind.REVIEW, StageKind.VOTE)
    )
    assert proposals_stage and review_stage and vote_stage
    open_stage(proposals_stage, commissioner)
    proposals = [
        submit_proposal(cycle, resident, ProposalFields(title=t, summary=s, cost=c)) for t, s, c in DEMO_PROPOSALS
    ]
    close_stage(proposals_stage, commissioner)
    open_stage(review_stage, commissioner)
    for proposal in proposals:
        review_proposal(proposal, commissioner, eligible=True)
    close_stage(review_stage, commissioner)
    open_stage(vote_stage, commissioner)
    enter_population(vote_stage, commissioner, DEMO_POPULATION, source="Made-up figures for the demo, not the Census")
    evening = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(17, tzinfo=UTC))
    create_event(vote_stage, commissioner, title="Voting evening at Grangetown Hub",
                 venue="Grangetown Hub, Havelock Place", starts_at=evening, ends_at=evening + timedelta(hours=3),
                 expected_attendance=100, facilitator_ids=[people["facilitator"].id])
    db.commit()
    return True


def _person(email: str, name: str) -> User:
    return find_by_email(email) or sign_up(email, name, DEMO_PASSWORD)
