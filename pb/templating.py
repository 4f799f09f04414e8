"""Template filters and globals: money, dates, the current person's roles."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import get_locale
from flask_login import current_user

from pb.accounts.models import Role
from pb.accounts.services import has_role

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
    return value.strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm") if value else ""


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(money)
    app.add_template_filter(pounds_input)
    app.add_template_filter(date_time)

    @app.context_processor
    def roles() -> dict[str, Any]:
        return {
            "page_lang": str(get_locale() or "en"),
            "Role": Role,
            "is_commissioner": lambda cycle=None: has_role(
                current_user, Role.COMMISSIONER, cycle.id if cycle else None
            ),
            "is_representative": lambda cycle: has_role(current_user, Role.REPRESENTATIVE, cycle.id),
        }
