"""The vote, after GOV.UK's pattern: choose, check your answers, confirm, receipt.

The ballot in progress (the "draft") lives in the voter's own signed session cookie, never in
the database and never in a URL (where server logs would keep it). A voter is an account or
a voting code entered on this device; see docs/voting.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pb.cycles.models import Cycle, Stage, StageKind
from pb.cycles.services import get_cycle, get_stage
from pb.db import db
from pb.errors import InvalidBallot, OutsideMandate, PBError
from pb.mandates.authority import Action, require
from pb.mandates.boundaries import VoteBoundaries
from pb.mandates.forms import ConfirmForm
from pb.proposals.models import Proposal
from pb.security import leave_session_alone
from pb.voting import services
from pb.voting.codes import batch_name
from pb.voting.services import BallotLine, Choices, Voter
from pb.web import done, render, wants_fragment

bp = Blueprint("voting", __name__)
bp.add_app_template_filter(batch_name)

COST_STEPS = (100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000)


def _vote_stage(cycle: Cycle) -> Stage:
    return get_stage(cycle, StageKind.VOTE.value)


def _limits(stage: Stage) -> VoteBoundaries | None:
    mandate = stage.agreed_mandate
    return mandate.boundaries if mandate and isinstance(mandate.boundaries, VoteBoundaries) else None


def _voter(stage: Stage) -> Voter | None:
    """The code entered on this device for this vote, else the signed-in account, else nobody."""
    code = session.get("code_voter")
    if code and code.get("stage") == stage.id:
        # A code entered at a kiosk carries the channel "kiosk" and its event (pb/events/kiosk_views.py).
        return Voter(code["key"], code.get("channel", "code"), code_id=code["code"], event_id=code.get("event"))
    if current_user.is_authenticated:
        return services.account_voter(stage, current_user)
    return None


def _draft(stage: Stage) -> dict[str, Any] | None:
    draft = session.get("ballot")
    return draft if draft and draft.get("stage") == stage.id else None


def _draft_choices(draft: dict[str, Any]) -> Choices:
    return {int(pid): int(value) for pid, value in draft["choices"].items()}


def _save_draft(stage: Stage, choices: Choices, submission: str | None = None) -> None:
    session["ballot"] = {
        "stage": stage.id,
        "choices": {str(pid): value for pid, value in choices.items()},
        "submission": submission,
    }


@dataclass(frozen=True)
class Filters:
    q: str = ""
    area: str = ""
    theme: str = ""
    max_cost: int | None = None

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        cost = args.get("max_cost", "")
        return cls(
            args.get("q", "").strip()[:100],
            args.get("area", "").strip()[:120],
            args.get("theme", "").strip()[:10],
            int(cost) if cost.isdigit() else None,
        )

    def as_args(self) -> dict[str, Any]:
        args = {"q": self.q, "area": self.area, "theme": self.theme, "max_cost": self.max_cost}
        return {k: v for k, v in args.items() if v}

    def keep(self, proposal: Proposal) -> bool:
        """Whether the project passes: each word searched for is in its words, in either language."""
        words = (proposal.title, proposal.summary, proposal.title_translated or "", proposal.summary_translated or "")
        text = " ".join(words).casefold()
        return (
            all(word in text for word in self.q.casefold().split())
            and (not self.area or (proposal.area or "") == self.area)
            and (not self.theme or str(proposal.theme_id or "") == self.theme)
            and (self.max_cost is None or proposal.cost <= self.max_cost)
        )


@bp.get("/cycles/<int:cycle_id>/vote")
def show_ballot(cycle_id: int) -> Response:
    """The ballot: the projects, filtered, with the voter's choices so far."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    voter = _voter(stage) if stage.is_open else None
    if stage.is_open and voter is None:
        return _no_store(render("voting/start.html", cycle=cycle, stage=stage, limits=_limits(stage)))
    problem = services.eligibility_problem(stage, voter) if voter else None
    if problem is not None:
        return _no_store(
            render("voting/start.html", cycle=cycle, stage=stage, limits=_limits(stage), problem=problem, status=403)
        )
    draft = _draft(stage)
    chosen = _draft_choices(draft) if draft else services.current_choices(stage, voter) if voter else {}
    return _ballot_page(cycle, stage, voter, chosen)


@bp.post("/cycles/<int:cycle_id>/vote")
def choose(cycle_id: int) -> Response:
    """Keep the choices; then filter the list, update the meter (htmx) or go on to check them."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    ConfirmForm()  # CSRFProtect has already checked the token of every POST
    voter = _voter(stage)
    limits = _limits(stage)
    if not stage.is_open:
        require(None, Action.CAST_CODE_BALLOT, stage)  # raises StageNotOpen, with its reason
    if voter is None or limits is None:
        return redirect(url_for("voting.show_ballot", cycle_id=cycle.id), code=303)
    action = request.form.get("action", "check")
    filters = Filters.from_args(request.form)
    try:
        chosen = services.choices_from_form(limits.ballot_format, request.form)
    except InvalidBallot as error:
        return _ballot_page(cycle, stage, voter, _lenient(limits, request.form), filters=filters, error=error)
    if action == "update" and wants_fragment():
        leave_session_alone()  # the choices are kept when the form is sent; a late meter must not undo that
        return _no_store(
            render("voting/_meter.html", cycle=cycle, meter=_meter(limits, chosen, services.ballot_lines(stage)))
        )
    _save_draft(stage, chosen)
    if action.startswith("show-") and action[5:].isdigit():  # a project's page, the choices kept
        return redirect(url_for("proposals.show_proposal", cycle_id=cycle.id, proposal_id=int(action[5:]),
                                **{"from": "ballot"}), code=303)  # its back link goes to the ballot
    if action != "check":
        return redirect(url_for("voting.show_ballot", cycle_id=cycle.id, **filters.as_args()) + "#projects", code=303)
    try:
        services.check_ballot(stage, voter, chosen)
    except (InvalidBallot, OutsideMandate) as error:
        if error.field != "choices":
            raise
        return _ballot_page(cycle, stage, voter, chosen, filters=filters, error=error)
    _save_draft(stage, chosen, secrets.token_hex(16))
    return redirect(url_for("voting.check_answers", cycle_id=cycle.id), code=303)


@bp.get("/cycles/<int:cycle_id>/vote/check")
def check_answers(cycle_id: int) -> Response:
    """Check your answers, with a link to change them, before confirming."""
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    draft = _draft(stage)
    voter = _voter(stage)
    limits = _limits(stage)
    if not draft or not draft.get("submission") or voter is None or limits is None:
        return redirect(url_for("voting.show_ballot", cycle_id=cycle.id), code=303)
    chosen = _draft_choices(draft)
    options = services.ballot_options(stage)
    picked = [p for p in options if p.id in chosen]
    if limits.ballot_format == "ranked":
        picked.sort(key=lambda p: chosen[p.id])
    return _no_store(
        render(
            "voting/check.html",
            cycle=cycle,
            stage=stage,
            limits=limits,
            picked=picked,
            chosen=chosen,
            meter=_meter(limits, chosen, options),
            submission=draft["submission"],
            has_voted=services.has_voted(stage, voter),
            form=ConfirmForm(),
        )
    )


@bp.post("/cycles/<int:cycle_id>/vote/confirm")
def confirm_ballot(cycle_id: int) -> Response:
    """Cast (or replace) the ballot once, however many times it is sent; redirect to the receipt.

    A retry after a dropped connection (static/js/cyd.js, as htmx: answered with HX-Redirect) or
    a browser's resend carries the same submission token, so it casts nothing more.
    """
    cycle = get_cycle(cycle_id)
    stage = _vote_stage(cycle)
    ConfirmForm()
    submission = request.form.get("submission", "")[:32]
    receipt = session.get("receipt")
    if receipt and receipt.get("cycle") == cycle.id and submission and receipt.get("submission") == submission:
        return _to_receipt(cycle_id)  # already cast
    draft, voter = _draft(stage), _voter(stage)
    if not draft or voter is None or not submission or draft.get("submission") != submission:
        flash(_("Check your choices, then confirm your vote."), "info")
        return done("voting.show_ballot", cycle_id=cycle.id)
    code = services.cast_ballot(stage, voter, _draft_choices(draft), submission=submission)
    db.session.commit()
    session.pop("ballot", None)
    # cycle_id, not cycle.id, from here on: the commit expired the cycle, and reading it would load it again.
    session["receipt"] = {"cycle": cycle_id, "code": code, "submission": submission, "channel": voter.channel}
    if voter.channel in ("code", "kiosk"):
        session.pop("code_voter", None)  # a shared device forgets the code: to change the vote, enter it again
    return _to_receipt(cycle_id)


def _to_receipt(cycle_id: int) -> Response:
    """The receipt page; a kiosk shows the receipt once, on its own thank-you screen."""
    if (session.get("receipt") or {}).get("channel") == "kiosk":
        return done("kiosk.thank_voter")
    return done("voting.ballot_cast", cycle_id=cycle_id)


@bp.get("/cycles/<int:cycle_id>/vote/done")
def ballot_cast(cycle_id: int) -> Response:
    """The confirmation page with the receipt code, and the optional questions the vote's mandate asks."""
    cycle = get_cycle(cycle_id)
    receipt = session.get("receipt")
    if not receipt or receipt.get("cycle") != cycle.id:
        return redirect(url_for("cycles.show_cycle", cycle_id=cycle.id), code=303)
    return _no_store(
        render(
            "voting/done.html",
            cycle=cycle,
            receipt=receipt["code"],
            by_code=receipt.get("channel") == "code",
            questions=demographics_views.receipt_questions(cycle, receipt["code"]),  # optional, about the voter
        )
    )


@bp.get("/cycles/<int:cycle_id>/receipt")
def check_receipt(cycle_id: int) -> Response:
    """Anyone with a receipt code can check that its ballot is counted."""
    cycle = get_cycle(cycle_id)
    code = request.args.get("code", "").strip()[:40]
    result = services.check_receipt(_vote_stage(cycle), code) if code else None
    missing = "code" in request.args and not code  # Check pressed with nothing typed
    return render(
        "voting/receipt.html", "voting/_receipt_result.html", cycle=cycle, code=code, result=result, missing=missing
    )


def _ballot_page(
    cycle: Cycle,
    stage: Stage,
    voter: Voter | None,
    chosen: Choices,
    *,
    filters: Filters | None = None,
    error: PBError | None = None,
) -> Response:
    limits = _limits(stage)
    options = services.ballot_options(stage) if stage.is_open else []
    filters = filters or Filters.from_args(request.args)
    shown = [p for p in options if filters.keep(p)]
    shown_ids = {p.id for p in shown}
    response = render(
        "voting/ballot.html",
        cycle=cycle,
        stage=stage,
        options=shown,
        hidden=[p for p in options if p.id in chosen and p.id not in shown_ids],
        total_options=len(options),
        chosen=chosen,
        limits=limits,
        meter=_meter(limits, chosen, options) if limits else None,
        filters=filters,
        areas=sorted({p.area for p in options if p.area}),
        themes=sorted({(str(p.theme_id), p.theme.name) for p in options if p.theme_id and p.theme}, key=lambda t: t[1]),
        cost_steps=[c for c in COST_STEPS if options and c < max(p.cost for p in options)],
        error=error,
        form=ConfirmForm(),
        voter=voter,
        has_voted=bool(voter) and services.has_voted(stage, voter),
        status=422 if error else 200,
    )
    return _no_store(response)


def _lenient(limits: VoteBoundaries, form: Any) -> Choices:
    """What can be kept of a form that did not read as a ballot, to show it again."""
    if limits.ballot_format in ("approval", "knapsack"):
        return {int(v): 1 for v in form.getlist("choices") if v.isdigit()}
    prefix = "rank-" if limits.ballot_format == "ranked" else "points-"
    return {
        int(k[len(prefix) :]): int(v)
        for k, v in form.items()
        if k.startswith(prefix) and k[len(prefix) :].isdigit() and v.isdigit() and int(v) > 0
    }


@dataclass(frozen=True)
class Meter:
    """How the ballot stands against its limits, for the meter above the button."""

    format: str
    chosen: int
    most: int
    fewest: int
    spent: int = 0
    limit: int = 0
    points: int = 0
    ranking: tuple[str, ...] = ()

    @property
    def over(self) -> bool:
        if self.format == "cumulative":
            return self.points > self.most
        return self.chosen > self.most or (self.format == "knapsack" and self.spent > self.limit)

    @property
    def left(self) -> int:
        return (self.most - self.points) if self.format == "cumulative" else self.limit - self.spent


def _meter(limits: VoteBoundaries | None, chosen: Choices, options: Sequence[Proposal | BallotLine]) -> Meter | None:
    if limits is None:
        return None
    costs = {p.id: p for p in options}
    fmt = limits.ballot_format
    if fmt == "cumulative":
        return Meter(fmt, len(chosen), limits.points, 1, points=sum(chosen.values()))
    ranking = tuple(costs[pid].title for pid in sorted(chosen, key=lambda pid: chosen[pid]) if pid in costs)
    return Meter(
        fmt,
        len(chosen),
        limits.max_choices,
        limits.min_choices,
        spent=sum(costs[pid].cost for pid in chosen if pid in costs),
        limit=limits.spending_limit,
        ranking=ranking if fmt == "ranked" else (),
    )


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # a shared device must not show someone's choices
    return response


from pb.voting import codes_views, demographics_views  # noqa: E402, F401  (their routes are on this blueprint)
