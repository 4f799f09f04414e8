"""PDF documents with fpdf2: a Unicode font where the system has one, plain Latin-1 text otherwise."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

# Debian's fonts-dejavu-core has ŵ and ŷ; the PDF core fonts (Helvetica) only Latin-1.
REGULAR = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_LATIN1 = str.maketrans(
    {
        "ŵ": "w",
        "ŷ": "y",
        "Ŵ": "W",
        "Ŷ": "Y",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "−": "-",
    }
)


class Document(FPDF):
    """An A4 document that knows whether it can write any character, and says so through `text()`."""

    def __init__(self, title: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_title(title)
        self.set_creator("Cyd")
        self.unicode = REGULAR.exists() and BOLD.exists()
        if self.unicode:
            self.add_font("Cyd", "", str(REGULAR))
            self.add_font("Cyd", "B", str(BOLD))
        self.family = "Cyd" if self.unicode else "Helvetica"

    def text_for(self, value: object) -> str:
        """`value` as text this document's font can draw."""
        text = str(value)
        if self.unicode:
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def style(self, size: float, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def lines(self, text: object, width: float, *, size: float, bold: bool = False) -> list[str]:
        """`text` broken into the lines it takes in a column `width` mm wide, in that style.

        For words a document repeats on many pages (2,000 voting cards or paper ballots): broken
        once, each copy is then only `write_lines()`. Needs a page to measure on.
        """
        self.style(size, bold=bold)
        return list(self.multi_cell(width, 1, self.text_for(text), dry_run=True, output="LINES"))

    def write_lines(self, lines: list[str], x: float, height: float) -> None:
        """Each line from `x` down, `height` mm apart, left-aligned (never justified: even spaces read more easily)."""
        y = self.get_y()
        for line in lines:
            self.write_in_row(x, y, height, line)
            y += height
        self.set_xy(x, y)

    def write_in_row(
        self, x: float, y: float, height: float, text: str, *, right: float | None = None, width: float | None = None
    ) -> None:
        """`text` where `cell()` would put it in a row `height` mm high at (`x`, `y`), or ending at `right`.

        `text()` draws the same characters without `cell()`'s bookkeeping, in a third of the time:
        2,000 paper ballots of 40 projects are 240,000 of these (bench/paper.py). `width` is the
        text's own, in this style, for a caller that measured it once for many copies.
        """
        if not text:
            return
        if right is None:
            start = x + self.c_margin
        else:
            start = right - self.c_margin - (self.get_string_width(text) if width is None else width)
        self.text(start, y + 0.5 * height + 0.3 * self.font_size, text)
