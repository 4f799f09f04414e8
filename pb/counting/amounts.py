"""Exact amounts of money (and points): ``int``, or ``Fraction`` for the odd decimal value.

Floats are refused: they would make outcomes depend on rounding.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

from pb.counting.errors import CountingError

Money = int | Fraction
"""An exact amount: an ``int`` or, only when needed, a ``Fraction``."""

# Pabulib allows a decimal comma in amounts; exponents and blanks inside are not amounts.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


def as_amount(value: object, what: str) -> Money:
    """Return ``value`` as an exact amount, an ``int`` whenever it is integral.

    Accepts ``int``, ``Fraction``, ``Decimal`` and decimal strings such as ``"12.50"`` or
    ``"12,50"``.

    Raises:
        CountingError: ``value`` is a float, a bool, or not a number.
    """
    if isinstance(value, (bool, float)):
        # A float cost would silently bring rounding into every comparison.
        raise CountingError(f"{what} must be an int, Fraction or decimal string, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise CountingError(f"{what} is not a finite number: {value!r}")
        return as_amount(Fraction(value), what)
    if isinstance(value, str):
        try:
            return parse_amount(value)
        except ValueError:
            raise CountingError(f"{what} is not a number: {value!r}") from None
    raise CountingError(f"{what} must be a number, not {type(value).__name__}")


def parse_amount(text: str) -> Money:
    """Parse a decimal number such as ``"1200"``, ``"-3"``, ``"12.5"`` or ``"12,5"``.

    Raises:
        ValueError: ``text`` is not a plain decimal number.
    """
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    if not _DECIMAL.fullmatch(text):
        raise ValueError(f"not a decimal number: {text!r}")
    value = Fraction(text.replace(",", "."))
    return value.numerator if value.denominator == 1 else value


def format_amount(value: Money) -> str:
    """Write an amount as Pabulib expects: an integer, or a terminating decimal.

    Raises:
        CountingError: the amount has no finite decimal expansion (for example 1/3).
    """
    if isinstance(value, int):
        return str(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise CountingError(f"{value} has no finite decimal form and cannot be written")
    places = max(twos, fives)
    scaled = abs(value.numerator) * (10**places // value.denominator)
    sign = "-" if value < 0 else ""
    text = str(scaled).rjust(places + 1, "0")
    return f"{sign}{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".")
