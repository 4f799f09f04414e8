"""Delivery and assessment: progress on funded projects, pledges, ratings, lessons and the next cycle."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.cycles.forms import CycleForm
from pb.cycles.models import Cycle, StageKind
from pb.cycles.services import get_cycle
from pb.delivery import next_cycle, pledges, services
from pb.delivery.forms import AssessmentForm, LessonForm, PledgeForm, RecordPledgeForm, UpdateForm
from pb.delivery.models import DeliveryStatus
from pb.errors import PBError
from pb.mandates.authority import Action, allowed, is_commissioner
from pb.mandates.templates import find_template
from pb.priorities.services import themes_of
from pb.proposals.models import Proposal
from pb.proposals.services import get_proposal
from pb.web import done, render, show_on_form, updated, wants_fragment

bp = Blueprint("delivery", __name__)


@bp.get("/cycles/<int:cycle_id>/delivery")
def show_delivery(cycle_id: int) -> Response:
    """Every funded project's status, latest update and contributions; htmx gets the list alone."""
    cycle = get_cycle(cycle_id)
    return render("delivery/show.html", "delivery/_projects.html", **_overview(cycle, LessonForm(formdata=None)))


@bp.get("/cycles/<int:cycle_id>/delivery/<int:proposal_id>")
def show_project(cycle_id: int, proposal_id: int) -> Response:
    """One funded project: its history, contributions and ratings, with the forms the viewer may use."""
    cycle = get_cycle(cycle_id)
    return render("delivery/project.html", **_project(cycle, services.get_funded_project(cycle, proposal_id)))


@bp.post("/cycles/<int:cycle_id>/delivery/<int:proposal_id>/updates")
@login_required
def post_update(cycle_id: int, proposal_id: int) -> Response:
    """A commissioner reports progress on a funded project."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_funded_project(cycle, proposal_id)
    form = UpdateForm()
    if form.validate_on_submit():
        try:
            services.post_update(
                proposal,
                current_user,
                status=DeliveryStatus(form.status.data),
                body=form.body.data or "",
                milestone=form.milestone.data or None,
                milestone_due=form.milestone_due.data,
                spend_to_date=form.spend_to_date.data,
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("The update is published."), "success")
            return done("delivery.show_project", cycle_id=cycle.id, proposal_id=proposal.id, _anchor="history")
    return render("delivery/project.html", status=422, **_project(cycle, proposal, update_form=form))


@bp.post("/cycles/<int:cycle_id>/delivery/<int:proposal_id>/pledge")
@login_required
def pledge(cycle_id: int, proposal_id: int) -> Response:
    """A resident pledges hours or materials, or changes their pledge; htmx gets the section back."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_funded_project(cycle, proposal_id)
    form = PledgeForm()
    if form.validate_on_submit():
        try:
            services.pledge(
                proposal,
                current_user,
                hours=form.hours.data or 0,
                materials=form.materials.data or "",
                given=bool(form.given.data),
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            if wants_fragment():
                return updated("delivery/_pledge.html", trigger="pledge-changed", **_project(cycle, proposal))
            flash(_("Thank you: your pledge is recorded."), "success")
            return done("delivery.show_project", cycle_id=cycle.id, proposal_id=proposal.id, _anchor="pledge")
    context = _project(cycle, proposal, pledge_form=form)
    return render("delivery/project.html", "delivery/_pledge.html", status=422, **context)


@bp.post("/cycles/<int:cycle_id>/delivery/<int:proposal_id>/pledges")
@login_required
def record_pledge(cycle_id: int, proposal_id: int) -> Response:
    """A commissioner records a pledge made in person by someone without an account."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_funded_project(cycle, proposal_id)
    form = RecordPledgeForm()
    if form.validate_on_submit():
        try:
            pledges.record_pledge(
                proposal,
                current_user,
                name=form.name.data or "",
                hours=form.hours.data or 0,
                materials=form.materials.data or "",
                given=bool(form.given.data),
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("The pledge is recorded."), "success")
            return done("delivery.show_project", cycle_id=cycle.id, proposal_id=proposal.id, _anchor="pledgers")
    return render("delivery/project.html", status=422, **_project(cycle, proposal, record_form=form))


@bp.post("/cycles/<int:cycle_id>/delivery/<int:proposal_id>/pledges/<int:pledge_id>/given")
@login_required
def mark_pledge_given(cycle_id: int, proposal_id: int, pledge_id: int) -> Response:
    """A commissioner marks a recorded pledge as given."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_funded_project(cycle, proposal_id)
    LessonForm()  # CSRFProtect has checked the token; this action has no fields
    pledges.mark_given(proposal, pledge_id, current_user)
    flash(_("The pledge is marked as given."), "success")
    return done("delivery.show_project", cycle_id=cycle.id, proposal_id=proposal.id, _anchor="pledgers")


@bp.post("/cycles/<int:cycle_id>/delivery/<int:proposal_id>/pledges/<int:pledge_id>/remove")
@login_required
def remove_pledge(cycle_id: int, proposal_id: int, pledge_id: int) -> Response:
    """A commissioner removes a recorded pledge (withdrawn, or keyed in wrongly)."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_funded_project(cycle, proposal_id)
    LessonForm()
    pledges.remove_pledge(proposal, pledge_id, current_user)
    flash(_("The pledge is removed."), "success")
    return done("delivery.show_project", cycle_id=cycle.id, proposal_id=proposal.id, _anchor="pledgers")


@bp.post("/cycles/<int:cycle_id>/delivery/<int:proposal_id>/pledge/withdraw")
@login_required
def withdraw_pledge(cycle_id: int, proposal_id: int) -> Response:
    """A resident takes their pledge back."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_funded_project(cycle, proposal_id)
    LessonForm()  # CSRFProtect has checked the token; this action has no fields
    services.withdraw_pledge(proposal, current_user)
    if wants_fragment():
        return updated("delivery/_pledge.html", trigger="pledge-changed", **_project(cycle, proposal))
    flash(_("Your pledge is withdrawn."), "success")
    return done("delivery.show_project", cycle_id=cycle.id, proposal_id=proposal.id, _anchor="pledge")


@bp.post("/cycles/<int:cycle_id>/delivery/<int:proposal_id>/assessment")
@login_required
def rate_project(cycle_id: int, proposal_id: int) -> Response:
    """Rate and comment on a delivered project; htmx gets the ratings back."""
    cycle = get_cycle(cycle_id)
    proposal = services.get_funded_project(cycle, proposal_id)
    form = AssessmentForm()
    if form.validate_on_submit():
        try:
            services.rate_project(
                proposal, current_user, rating=int(form.rating.data or 0), comment=form.comment.data or ""
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            if wants_fragment():
                return updated("delivery/_assessment.html", trigger="rating-changed", **_project(cycle, proposal))
            flash(_("Thank you: your rating is recorded."), "success")
            return done("delivery.show_project", cycle_id=cycle.id, proposal_id=proposal.id, _anchor="assessment")
    context = _project(cycle, proposal, assessment_form=form)
    return render("delivery/project.html", "delivery/_assessment.html", status=422, **context)


@bp.post("/cycles/<int:cycle_id>/lessons")
@login_required
def record_lesson(cycle_id: int) -> Response:
    """A commissioner publishes a lesson learned, for the next cycle."""
    cycle = get_cycle(cycle_id)
    form = LessonForm()
    if form.validate_on_submit():
        try:
            next_cycle.record_lesson(cycle, current_user, form.body.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("The lesson is published."), "success")
            return done("delivery.show_delivery", cycle_id=cycle.id, _anchor="lessons")
    return render("delivery/show.html", status=422, **_overview(cycle, form))


@bp.post("/cycles/<int:cycle_id>/proposals/<int:proposal_id>/carry-over")
@login_required
def consent_to_carry_over(cycle_id: int, proposal_id: int) -> Response:
    """The proposer of an unfunded proposal agrees to carry it into the next cycle, or takes that back."""
    proposal = get_proposal(get_cycle(cycle_id), proposal_id)
    LessonForm()  # CSRFProtect has checked the token
    consent = request.form.get("consent") == "yes"
    next_cycle.consent_to_carry_over(proposal, current_user, consent=consent)
    flash(
        _("Your proposal will go into the next cycle when it starts.")
        if consent
        else _("Your proposal will not go into the next cycle."),
        "success",
    )
    return done("proposals.show_proposal", cycle_id=cycle_id, proposal_id=proposal.id, _anchor="carry-over")


@bp.route("/cycles/<int:cycle_id>/next", methods=["GET", "POST"])
@login_required
def start_next_cycle(cycle_id: int) -> Response:
    """A commissioner starts the next cycle from a finished one, with its themes, lessons and consented proposals."""
    finished = get_cycle(cycle_id)
    form = CycleForm()
    if not form.is_submitted():
        _fill(form, next_cycle.next_cycle_defaults(finished))
    if form.validate_on_submit() and (kinds := form.ordered_kinds()) is not None:
        try:
            cycle = next_cycle.start_next_cycle(finished, current_user, **form.cycle_fields(kinds))
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(
                _("The next cycle is set up. Agree each stage's mandate with the resident representatives."), "success"
            )
            return done("cycles.show_cycle", cycle_id=cycle.id)
    return render(
        "delivery/next_cycle.html",
        finished=finished,
        form=form,
        template=find_template(form.template.data),
        themes=themes_of(finished),
        lessons=next_cycle.lessons_of(finished),
        proposals=next_cycle.carry_over_candidates(finished),
        ready=next_cycle.is_finished(finished) and next_cycle.carried_into(finished) is None,
        status=422 if form.errors else 200,
    )


def _fill(form: CycleForm, defaults: dict[str, object]) -> None:
    form.title.data = str(defaults["title"])
    form.purpose.data = str(defaults["purpose"])
    form.area.data = str(defaults["area"])
    form.areas.data = "\n".join(defaults["areas"])  # type: ignore[arg-type]
    form.budget.data = defaults["budget"]  # type: ignore[assignment]
    form.required_representatives.data = defaults["required_representatives"]  # type: ignore[assignment]
    form.template.data = defaults["template"] or ""  # type: ignore[assignment]
    form.place_kinds(defaults["kinds"])  # type: ignore[arg-type]


def _overview(cycle: Cycle, lesson_form: LessonForm) -> dict[str, object]:
    status = request.args.get("status", "")
    lesson_stage = next(
        (s for s in cycle.stages if s.kind in (StageKind.DELIVERY, StageKind.ASSESSMENT) and s.is_open), None
    )
    return {
        "cycle": cycle,
        "overview": services.delivery_overview(
            cycle, DeliveryStatus(status) if status in set(DeliveryStatus) else None
        ),
        "statuses": services.STATUS_WORDS,
        "chosen_status": status,
        "lessons": next_cycle.lessons_of(cycle),
        "lesson_form": lesson_form,
        "can_record_lesson": lesson_stage is not None and allowed(current_user, Action.RECORD_LESSON, lesson_stage),
    }


def _project(
    cycle: Cycle,
    proposal: Proposal,
    *,
    update_form: UpdateForm | None = None,
    pledge_form: PledgeForm | None = None,
    record_form: RecordPledgeForm | None = None,
    assessment_form: AssessmentForm | None = None,
) -> dict[str, object]:
    delivery_stage = cycle.stage_of_kind(StageKind.DELIVERY)
    assessment_stage = cycle.stage_of_kind(StageKind.ASSESSMENT)
    project = services.project_delivery(proposal)
    mine = services.my_pledge(proposal, current_user)
    rated = services.my_assessment(proposal, current_user)
    if pledge_form is None:  # a pledge is changed on the form that made it
        pledge_form = PledgeForm(formdata=None, obj=mine)
    if assessment_form is None:
        assessment_form = AssessmentForm(
            formdata=None, rating=str(rated.rating) if rated else None, comment=rated.comment if rated else ""
        )
    delivered = project.status == DeliveryStatus.DELIVERED
    return {
        "cycle": cycle,
        "proposal": proposal,
        "project": project,
        "statuses": services.STATUS_WORDS,
        "ratings": services.ratings_of(proposal),
        "my_pledge": mine,
        "my_assessment": rated,
        "pledges": services.pledges_of(proposal) if is_commissioner(current_user, cycle) else [],
        "update_form": update_form or UpdateForm(formdata=None, status=project.status.value),
        "pledge_form": pledge_form,
        "record_form": record_form or RecordPledgeForm(formdata=None),
        "assessment_form": assessment_form,
        "has_assessment": assessment_stage is not None,
        "delivered": delivered,
        "can": {
            "post_update": bool(delivery_stage) and allowed(current_user, Action.POST_UPDATE, delivery_stage),
            "pledge": bool(delivery_stage) and allowed(current_user, Action.PLEDGE, delivery_stage),
            "record_pledge": bool(delivery_stage) and allowed(current_user, Action.RECORD_PLEDGE, delivery_stage),
            "rate": delivered
            and bool(assessment_stage)
            and allowed(current_user, Action.RATE_PROJECT, assessment_stage),
        },
    }


@bp.app_template_global()
def carry_over_offer(proposal: Proposal) -> next_cycle.CarryOverOffer | None:
    """For the proposal page: whether and how its unfunded proposal may go into the next cycle."""
    return next_cycle.carry_over_offer(proposal, current_user)


@bp.app_template_global()
def next_cycle_links(cycle: Cycle) -> dict[str, object]:
    """For a cycle's page: where it came from (with its lessons), where it led, and whether it can lead on."""
    came_from = next_cycle.carried_from(cycle)
    led_to = next_cycle.carried_into(cycle)
    return {
        "came_from": came_from,
        "lessons": next_cycle.lessons_of(came_from.from_cycle) if came_from else [],
        "carried": next_cycle.carried_proposals(cycle) if came_from else [],
        "led_to": led_to,
        "can_start": led_to is None
        and next_cycle.is_finished(cycle)
        and allowed(current_user, Action.START_NEXT_CYCLE, cycle.stages[-1]),
    }


@bp.app_template_filter("day")
def day(value: date | None) -> str:
    """28 November 2026 (a date without a time), in the reader's language."""
    return format_date(value, "d MMMM yyyy") if value else ""
