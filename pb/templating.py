"""Template filters and globals: money, dates, the current person's roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.support import NullTranslations
from flask import Flask, g
from flask_babel import format_date, format_time, get_locale, get_translations, to_user_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from pb.accounts.models import Role
from pb.accounts.services import has_role
from pb.cycles.models import Cycle, Stage, StageKind
from pb.security import WARN_BEFORE_IDLE_TIMEOUT, seconds_until_absolute_timeout, seconds_until_idle_timeout
from pb.web import this_page

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "PLN": "zł "}


def money(pence: int | None, currency: str = "GBP") -> str:
    """£1,250 for whole pounds, £1,250.50 otherwise."""
    if pence is None:
        return ""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}{symbol}{pounds:,}" + (f".{rest:02d}" if rest else "")


def pounds_input(pence: int | None) -> str:
    """Pence as a person would type the amount in pounds."""
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}" if not rest else f"{pounds}.{rest:02d}"


def date_time(value: datetime | None) -> str:
    """28 November 2026, 17:30 (or 28 Tachwedd 2026, 17:30) in the council's time zone."""
    if value is None:
        return ""
    return f"{format_date(value, 'd MMMM yyyy')}, {format_time(value, 'HH:mm')}"


def time_span(start: datetime, end: datetime) -> str:
    """28 November 2026, 17:30 to 20:00; the end's date too when it is another day."""
    if to_user_timezone(start).date() == to_user_timezone(end).date():
        return _("%(start)s to %(end)s", start=date_time(start), end=format_time(end, "HH:mm"))
    return _("%(start)s to %(end)s", start=date_time(start), end=date_time(end))


STAGE_NAMES = {
    StageKind.PRIORITIES: _l("Priorities"),
    StageKind.PROPOSALS: _l("Proposals"),
    StageKind.DELIBERATION: _l("Deliberation"),
    StageKind.REVIEW: _l("Review"),
    StageKind.VOTE: _l("Vote"),
    StageKind.DECISION: _l("Decision"),
    StageKind.DELIVERY: _l("Delivery"),
    StageKind.ASSESSMENT: _l("Assessment"),
}
TAG_NAMES = {
    "draft": _l("draft"),
    "agreed": _l("agreed"),
    "open": _l("open"),
    "closed": _l("closed"),
    "submitted": _l("submitted"),
    "eligible": _l("eligible"),
    "ruled_out": _l("ruled out"),
    "merged": _l("merged"),
    "funded": _l("funded"),
    "not_funded": _l("not funded"),
}
# A stage's own tag where it differs: an agreed stage is one whose mandate both sides have signed,
# waiting to open; "agreed" beside the decision stage would read as the decision itself.
STAGE_TAG_NAMES = {"agreed": _l("ready to open")}


# How a ballot reached the count, in the order turnout tables list them.
CHANNEL_NAMES = {
    "online": _l("Online, with an account"),
    "code": _l("Online, with a voting code"),
    "kiosk": _l("At a kiosk"),
    "paper": _l("On paper"),
}


def channel_name(channel: str) -> str:
    return str(CHANNEL_NAMES.get(channel, channel))


def channel_rows(by_channel: dict[str, int]) -> list[tuple[str, int]]:
    """Every channel with its count, none left out (a channel nobody used shows 0), for a turnout table."""
    channels = [*CHANNEL_NAMES, *sorted(set(by_channel) - set(CHANNEL_NAMES))]
    return [(channel_name(c), by_channel.get(c, 0)) for c in channels]


def stage_name(kind: StageKind | str) -> str:
    """The stage kind's name in the reader's language."""
    return str(STAGE_NAMES[StageKind(kind)])


def tag_name(state: str, of_stage: bool = False) -> str:
    """The tag's words for a state: of a proposal, a mandate, or (`of_stage`) a stage."""
    return str((of_stage and STAGE_TAG_NAMES.get(str(state))) or TAG_NAMES.get(str(state), state))


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page numbers a list of `pages` pages offers from `page`: the first, the last and those
    beside this one, with None for each run of two or more pages left out (shown as an ellipsis);
    a single page left out is shown instead, as an ellipsis would take its place anyway."""
    shown = sorted({1, pages, *range(max(1, page - 1), min(pages, page + 1) + 1)})
    numbers: list[int | None] = []
    previous = 0
    for number in shown:
        if number - previous == 2:
            numbers.append(previous + 1)
        elif number - previous > 2:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


def _may(action: str, stage: Stage) -> bool:
    # Imported here: authority.py imports this module (for `stage_name`, and `money` in clauses.py) when it loads.
    from pb.mandates.authority import Action, allowed

    return allowed(current_user, Action(action), stage)


def _may_on_cycle(action: str, cycle: Cycle | None = None) -> bool:
    from pb.mandates.authority import Action, may_on_cycle

    return may_on_cycle(current_user, Action(action), cycle)


def translations() -> NullTranslations:
    """flask_babel.get_translations(), kept for the rest of the request while its locale stays.

    flask-babel finds the catalogue again for every message, about 20 µs each time, and a ballot
    of 30 projects shows some fifty messages. `force_locale` changes the locale, so it is
    compared each time.
    """
    if not g:  # outside an app context: flask-babel gives the untranslated text
        return get_translations()
    kept = g.get("_cyd_translations")
    if kept is None or kept[0] is not _babel_locale() or kept[0] is None:
        found = get_translations()  # chooses the request's locale if it was not yet chosen
        kept = g._cyd_translations = (_babel_locale(), found)
    return kept[1]


def _babel_locale() -> object:
    """The locale flask-babel has chosen for this request (None before it chooses)."""
    return getattr(g.get("_flask_babel"), "babel_locale", None)


def register_template_helpers(app: Flask) -> None:
    # As flask-babel installs them, but through translations() (above).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.add_template_filter(money)
    app.add_template_filter(pounds_input)
    app.add_template_filter(date_time)
    app.add_template_filter(time_span)
    app.add_template_filter(stage_name)
    app.add_template_filter(tag_name)
    app.add_template_filter(channel_name)
    app.add_template_filter(channel_rows)
    app.add_template_global(page_numbers)
    from pb.accounts.roles import role_held  # here: roles.py imports authority, which imports this module

    app.add_template_filter(role_held)

    @app.context_processor
    def roles() -> dict[str, Any]:
        return {
            "page_lang": str(get_locale() or "en"),
            "other_language": ("en", "English") if str(get_locale()) == "cy" else ("cy", "Cymraeg"),
            "this_page": this_page,
            "session_left": seconds_until_idle_timeout,
            "session_ends": seconds_until_absolute_timeout,
            "warn_before_idle_timeout": WARN_BEFORE_IDLE_TIMEOUT,
            "Role": Role,
            "is_commissioner": lambda cycle=None: has_role(
                current_user, Role.COMMISSIONER, cycle.id if cycle else None
            ),
            "is_representative": lambda cycle: has_role(current_user, Role.REPRESENTATIVE, cycle.id),
            "is_facilitator": lambda cycle: has_role(current_user, Role.FACILITATOR, cycle.id),
            # Whether to offer a button: authority decides (the action is checked again on use).
            "may": _may,
            "may_on_cycle": _may_on_cycle,
        }
