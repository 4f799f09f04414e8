"""Kiosk mode: started and stopped from the event's page, then the kiosk device's own screens.

While a device's session is in kiosk mode (`session["kiosk"]`, nothing else of whoever started
it), `guard_kiosk` lets through only the kiosk's screens, the vote of its event for the voter
at the screen, the language switch and static files; anything else goes to the start screen.
See docs/events.md, "Kiosk mode".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    has_request_context,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from pb.cycles.services import get_cycle
from pb.db import db
from pb.errors import PBError
from pb.events import kiosk as kiosks
from pb.events import services
from pb.events.kiosk_forms import LeaveKioskForm, StartKioskForm
from pb.events.models import Event, Kiosk
from pb.events.views import _event_page, bp
from pb.extensions import limiter
from pb.mandates.forms import ConfirmForm
from pb.voting.forms import CodeForm
from pb.web import done, go_to, render, show_on_form

kiosk_bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

# While someone votes at the kiosk, these pages of its event's cycle are open to them.
VOTING_ENDPOINTS = frozenset({"voting.show_ballot", "voting.choose", "voting.check_answers", "voting.confirm_ballot"})
OPEN_ENDPOINTS = frozenset({"accounts.choose_language"})
VOTER_KEYS = ("code_voter", "ballot", "receipt")  # everything of one voter the session may hold


# --- on the event's page: start a kiosk on this device, stop one from anywhere -------------------


@bp.post("/cycles/<int:cycle_id>/events/<int:event_id>/kiosks")
@login_required
def start_kiosk(cycle_id: int, event_id: int) -> Response:
    """Make this device a kiosk: its facilitator is signed out here, and the start screen opens."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    services.require_running(event, current_user)
    form = StartKioskForm()
    if form.validate_on_submit():
        try:
            kiosk, token = kiosks.start_kiosk(
                event, current_user, form.kiosk_label.data or "", form.kiosk_pin.data or ""
            )
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            _become_kiosk(kiosk, token)
            response = done("kiosk.enter_code")
            # Whatever the facilitator's pages left in this browser's caches (Back and Forward included) goes.
            response.headers["Clear-Site-Data"] = '"cache"'
            return response
    return render("events/show.html", status=422, kiosk_form=form, **_event_page(cycle, event))


@bp.post("/cycles/<int:cycle_id>/events/<int:event_id>/kiosks/<int:kiosk_id>/stop")
@login_required
def stop_kiosk(cycle_id: int, event_id: int, kiosk_id: int) -> Response:
    """Stop a kiosk: its device leaves kiosk mode at its next request."""
    cycle = get_cycle(cycle_id)
    event = services.get_event(cycle, event_id)
    kiosk = kiosks.get_kiosk(event, kiosk_id)
    ConfirmForm()  # CSRFProtect has checked the token
    if kiosks.stop_kiosk(kiosk, current_user):
        flash(_("%(label)s is stopped. It leaves kiosk mode the next time it is used.", label=kiosk.label), "success")
    return done("events.show_event", cycle_id=cycle.id, event_id=event.id)


def _become_kiosk(kiosk: Kiosk, token: str) -> None:
    # Nothing of the facilitator's session survives: the device holds only the kiosk's token.
    logout_user()
    session.clear()
    session["kiosk"] = {"id": kiosk.id, "token": token, "seen": int(time.time())}
    session.permanent = True  # a browser restarted on the tablet is still the kiosk


@kiosk_bp.app_template_global("kiosk_panel")
def kiosk_panel(event: Event) -> kiosks.KioskPanel:
    """For the event's page (templates/events/_kiosk_panel.html)."""
    return kiosks.kiosk_panel(event, current_user)


@kiosk_bp.app_template_global("new_kiosk_form")
def new_kiosk_form() -> StartKioskForm:
    return StartKioskForm(formdata=None)


# --- the device in kiosk mode ------------------------------------------------------------------


def idle_seconds() -> int:
    return int(current_app.config.get("KIOSK_IDLE_SECONDS", 90))


# The page resets itself at the idle limit; the server discards a ballot only this much later, so
# that the page's own reset, sent on time but slow to arrive, always gets there first.
GRACE_SECONDS = 5


def thanks_seconds() -> int:
    """How long the receipt stays on the screen before the start screen comes back."""
    return int(current_app.config.get("KIOSK_THANKS_SECONDS", 30))  # WCAG 2.2.1: over 20 s to ask for longer


def _voter_here() -> bool:
    return "code_voter" in session or "ballot" in session


def _forget_voter() -> None:
    for key in VOTER_KEYS:
        session.pop(key, None)


def _go(endpoint: str) -> Response:
    """A redirect that htmx (and the confirm form's retry) follows as a whole page."""
    return go_to(url_for(endpoint))


@kiosk_bp.before_app_request
def guard_kiosk() -> Response | None:
    """On a kiosk: its screens and its vote only. A stopped kiosk is ended; a voter who left it alone, forgotten."""
    data = session.get("kiosk")
    if data is None or request.endpoint == "static":
        return None
    g.kiosk_device = True
    try:
        kiosk = kiosks.current_kiosk(data)
    except kiosks.KioskEnded:
        session.clear()
        return _go("kiosk.kiosk_ended")
    if current_user.is_authenticated:  # nobody is ever signed in on a kiosk
        logout_user()
    g.kiosk = kiosk
    now = int(time.time())
    left_alone = now - int(data.get("seen", now)) > idle_seconds() + GRACE_SECONDS
    session["kiosk"] = {**data, "seen": now}
    if left_alone and any(key in session for key in VOTER_KEYS):  # a receipt left on the screen goes too
        _forget_voter()
        flash(_("The kiosk went back to the start because it was left for a while."), "info")
        return _go("kiosk.enter_code")
    return None if _reachable(kiosk) else _go("kiosk.enter_code")


def _reachable(kiosk: Kiosk) -> bool:
    """The kiosk's own pages and the language switch; its vote only for a voter who entered a code here."""
    endpoint = request.endpoint or ""
    if endpoint.startswith("kiosk.") or endpoint in OPEN_ENDPOINTS:
        return True
    event = kiosks.kiosk_event(kiosk)
    voter = session.get("code_voter") or {}
    return (
        endpoint in VOTING_ENDPOINTS
        and (request.view_args or {}).get("cycle_id") == event.cycle_id
        and voter.get("event") == event.id
    )


def _on_kiosk() -> bool:
    """The guard saw a kiosk's session, or an error (CSRF, rate limit) came before the guard could."""
    return bool(g.get("kiosk_device")) or (request.endpoint != "static" and "kiosk" in session)


@kiosk_bp.after_app_request
def no_store_on_kiosks(response: Response) -> Response:
    # Nothing a kiosk shows may come back from a cache, through Back or otherwise.
    if _on_kiosk():
        response.headers["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class KioskMode:
    """What base.html needs on a kiosk: its idle timer, and whether someone's choices are on the screen."""

    idle: int
    warn: int
    voting: bool

    @property
    def refresh(self) -> int:
        """Without JavaScript, a ballot page goes back to the start once the server has discarded it."""
        return self.idle + GRACE_SECONDS + 2


@kiosk_bp.app_context_processor
def kiosk_mode() -> dict[str, KioskMode | None]:
    if g.get("kiosk") is None and not (has_request_context() and "kiosk" in session):
        return {"kiosk_mode": None}
    idle = idle_seconds()
    # WCAG 2.2.1: the warning comes 20 seconds before the reset (half-way, for the tests' short timeouts).
    return {"kiosk_mode": KioskMode(idle, max(idle - 20, idle // 2), _voter_here())}


def _kiosk_key() -> str:
    """Rate limits count per kiosk: a venue's phones may share the kiosk's address."""
    data = session.get("kiosk")
    return f"kiosk:{data.get('id') if isinstance(data, dict) else request.remote_addr}"


def _code_limit() -> str:
    return str(current_app.config.get("KIOSK_CODE_RATE_LIMIT", "10 per minute;120 per hour"))


def _pin_limit() -> str:
    return str(current_app.config.get("KIOSK_PIN_RATE_LIMIT", "5 per minute;20 per hour"))


def _not_a_kiosk() -> Response:
    return redirect(url_for("kiosk.kiosk_ended"), code=303)


@kiosk_bp.route("", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"], key_func=_kiosk_key)
def enter_code() -> Response:
    """The start screen: the next voter enters their voting code (rate-limited per kiosk)."""
    kiosk = g.get("kiosk")
    if kiosk is None:
        return _not_a_kiosk()
    event = kiosks.kiosk_event(kiosk)
    if request.method == "GET" and _voter_here():  # someone is voting: they finish, or start again
        return redirect(url_for("voting.show_ballot", cycle_id=event.cycle_id), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        try:
            voter = kiosks.redeem_at_kiosk(kiosk, form.code.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            _forget_voter()
            session["code_voter"] = {
                "stage": event.stage_id,
                "code": voter.code_id,
                "key": voter.key,
                "channel": voter.channel,
                "event": event.id,
            }
            return done("voting.show_ballot", cycle_id=event.cycle_id)
    cycle = get_cycle(event.cycle_id)
    stage = services.stage_of(event)
    return render("events/kiosk/start.html", cycle=cycle, stage=stage, form=form, status=422 if form.errors else 200)


@kiosk_bp.post("/start-again")
def start_again() -> Response:
    """Clear the voter's code and choices, and go back to the start screen."""
    ConfirmForm()  # CSRFProtect has checked the token
    if g.get("kiosk") is None:
        return _not_a_kiosk()
    _forget_voter()
    return done("kiosk.enter_code")


@kiosk_bp.get("/still-here")
def keep_alive() -> Response:
    """The idle warning's "I am still here": the guard has noted the time of this request."""
    if g.get("kiosk") is None:
        return _not_a_kiosk()
    return make_response("", 204)


@kiosk_bp.get("/thanks")
def thank_voter() -> Response:
    """The receipt, shown once: a reload or Back finds the start screen, as does waiting."""
    receipt = session.pop("receipt", None) if g.get("kiosk") is not None else None
    if not receipt or receipt.get("channel") != "kiosk":
        return redirect(url_for("kiosk.enter_code"), code=303)
    cycle = get_cycle(receipt["cycle"])
    return render("events/kiosk/thanks.html", cycle=cycle, receipt=receipt["code"], seconds=thanks_seconds())


@kiosk_bp.route("/leave", methods=["GET", "POST"])
@limiter.limit(_pin_limit, methods=["POST"], key_func=_kiosk_key)
def leave_kiosk() -> Response:
    """Facilitators end kiosk mode with the PIN, then sign in again; a wrong PIN is counted."""
    kiosk = g.get("kiosk")
    if kiosk is None:
        return _not_a_kiosk()
    form = LeaveKioskForm()
    if form.validate_on_submit():
        try:
            kiosks.leave_kiosk(kiosk, form.pin.data or "")
        except PBError as error:
            if error.field != "pin":
                raise
            form.pin.errors = [*form.pin.errors, error.message]
            response = render("events/kiosk/leave.html", form=form, status=422)
            db.session.commit()  # the wrong try counts, though the PIN was refused
            return response
        else:
            session.clear()
            flash(_("Kiosk mode has ended on this device. Sign in to continue."), "success")
            return done("accounts.sign_in")
    return render("events/kiosk/leave.html", form=form, status=422 if form.errors else 200)


@kiosk_bp.get("/ended")
def kiosk_ended() -> Response:
    """A plain page: this device is not, or no longer, a kiosk."""
    if g.get("kiosk") is not None:
        return redirect(url_for("kiosk.enter_code"), code=303)
    return render("events/kiosk/ended.html")
