"""Voting codes on paper: QR codes as inline SVG (no inline style: the CSP forbids it) and a PDF of cards.

The plain codes pass through here once, in the response that prints them; nothing is kept.
Cards are bilingual whatever the page's language, because a card is handed to anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import segno
from fpdf import FPDF
from markupsafe import Markup, escape

from pb.pdf import Document

TITLE_LINES = 4  # the most a card's title takes: the code is printed below it at a fixed height
CARD_TEXT = (
    "Your voting code. Go to the address below, or scan the QR code, and enter the code.",
    "Eich cod pleidleisio. Ewch i'r cyfeiriad isod, neu sganiwch y cod QR, a rhowch y cod.",
)


@dataclass(frozen=True)
class Card:
    code: str
    qr: Markup


def qr_svg(url: str) -> Markup:
    """A QR code of `url` as an inline SVG image with a text alternative."""
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=3, border=2, svgclass="qr", lineclass=None)
    label = escape("QR code that opens the voting page / Cod QR sy'n agor y dudalen bleidleisio")
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def cards_pdf(title: str, entry_url: str, codes: list[str]) -> bytes:
    """An A4 PDF with eight cards a page: the code, where to enter it, and a QR code of that address.

    A batch has up to 2,000 cards: the words every card shares are broken into lines once, and
    each QR code is drawn as one path (bench/codes.py).
    """
    pdf = Document(f"Voting codes – {title}")
    pdf.set_auto_page_break(False)
    width, height, margin = 95.0, 70.0, 10.0
    pdf.add_page()  # lines are measured on a page
    heading = title_lines(pdf, title)
    words = [line for text in CARD_TEXT for line in pdf.lines(text, 55, size=7.5)]
    address = pdf.lines(entry_url, 84, size=7)
    for n, code in enumerate(codes):
        if n and n % 8 == 0:
            pdf.add_page()
        col, row = n % 2, (n % 8) // 2
        x, y = margin + col * width, margin + row * height
        pdf.set_draw_color(150)
        pdf.rect(x, y, width - 5, height - 5)
        pdf.set_xy(x + 4, y + 4)
        pdf.style(10, bold=True)
        pdf.write_lines(heading, x + 4, 4.5)
        pdf.style(7.5)
        pdf.write_lines(words, x + 4, 3.5)
        pdf.set_xy(x + 4, y + 44)
        pdf.set_font("Courier", "B", 15)
        pdf.cell(60, 8, code)
        pdf.set_xy(x + 4, y + 54)
        pdf.style(7)
        pdf.write_lines(address, x + 4, 3.5)
        _draw_qr(pdf, f"{entry_url}#{code}", x + 62, y + 6, 25)
    return bytes(pdf.output())


def title_lines(pdf: Document, title: str) -> list[str]:
    """The card's title in at most TITLE_LINES lines, the last ending in "…" if it had to be cut."""
    lines = pdf.lines(title, 55, size=10, bold=True)
    if len(lines) <= TITLE_LINES:
        return lines
    return [*lines[: TITLE_LINES - 1], lines[TITLE_LINES - 1].rstrip() + pdf.text_for("…")]


def dark_runs(matrix: Iterable[Iterable[int]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of each run of dark modules in a QR code's rows."""
    for r, row in enumerate(matrix):
        start = None
        for c, dark in enumerate([*row, 0]):  # the 0 ends a run at the row's edge
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                yield r, start, c - start
                start = None


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    """The QR code of `data` as one filled path: a rectangle a run of dark modules.

    Written as PDF operators through fpdf2's content writer (`_out`, what its own `rect()`
    calls): one `rect()` a run cost a third of a 2,000-card PDF's time (bench/codes.py). Units
    and the flipped y axis are fpdf2's, as in `rect()`.
    """
    qr = segno.make(data, error="m")
    module = size / qr.symbol_size(border=0)[0]
    k, page_height = pdf.k, pdf.h
    pdf.set_fill_color(0)
    pdf._out(
        " ".join(
            f"{(x + c * module) * k:.2f} {(page_height - y - r * module) * k:.2f} "
            f"{length * module * k:.2f} {-module * k:.2f} re"
            for r, c, length in dark_runs(qr.matrix)
        )
        + " f"
    )
