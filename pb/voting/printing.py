"""Voting codes on paper: QR codes as inline SVG (no inline style: the CSP forbids it) and a PDF of cards.

The plain codes pass through here once, in the response that prints them; nothing is kept.
Cards are bilingual whatever the page's language, because a card is handed to anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from fpdf import FPDF
from markupsafe import Markup, escape

from pb.pdf import Document

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
    """An A4 PDF with eight cards a page: the code, where to enter it, and a QR code of that address."""
    pdf = Document(f"Voting codes – {title}")
    pdf.set_auto_page_break(False)
    width, height, margin = 95.0, 70.0, 10.0
    for n, code in enumerate(codes):
        if n % 8 == 0:
            pdf.add_page()
        col, row = n % 2, (n % 8) // 2
        x, y = margin + col * width, margin + row * height
        pdf.set_draw_color(150)
        pdf.rect(x, y, width - 5, height - 5)
        pdf.set_xy(x + 4, y + 4)
        pdf.style(10, bold=True)
        pdf.multi_cell(55, 4.5, pdf.text_for(title)[:80])
        pdf.set_x(x + 4)
        pdf.style(7.5)
        for line in CARD_TEXT:
            pdf.set_x(x + 4)
            pdf.multi_cell(55, 3.5, pdf.text_for(line))
        pdf.set_xy(x + 4, y + 44)
        pdf.set_font("Courier", "B", 15)
        pdf.cell(60, 8, code)
        pdf.set_xy(x + 4, y + 54)
        pdf.style(7)
        pdf.multi_cell(84, 3.5, entry_url)
        _draw_qr(pdf, f"{entry_url}#{code}", x + 62, y + 6, 25)
    return bytes(pdf.output())


def _draw_qr(pdf: FPDF, data: str, x: float, y: float, size: float) -> None:
    qr = segno.make(data, error="m")
    matrix = [list(row) for row in qr.matrix]
    module = size / len(matrix)
    pdf.set_fill_color(0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * module, y + r * module, module, module, style="F")
