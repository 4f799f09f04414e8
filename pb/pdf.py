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
        for line in lines:
            self.set_x(x)
            self.cell(0, height, line, new_x="LEFT", new_y="NEXT")
