"""Voting codes on paper: the PDF of cards holds every code, eight a page, each with its QR code."""

from __future__ import annotations

import re
import zlib

import segno
from hypothesis import given
from hypothesis import strategies as st

from pb.pdf import Document
from pb.voting.printing import TITLE_LINES, cards_pdf, dark_runs, title_lines

ENTRY = "https://cyd.example/cycles/3/vote/code"


def _page_contents(pdf: bytes) -> list[str]:
    """The PDF's content streams (fpdf2 compresses each with zlib), as text."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    return [zlib.decompress(stream).decode("latin-1") for stream in streams if stream[:1] == b"x"]


@given(st.lists(st.lists(st.booleans(), min_size=1, max_size=30), min_size=1, max_size=30))
def test_the_runs_of_dark_modules_are_exactly_the_dark_modules(matrix) -> None:
    drawn = {(r, c + i) for r, c, length in dark_runs(matrix) for i in range(length)}
    assert drawn == {(r, c) for r, row in enumerate(matrix) for c, dark in enumerate(row) if dark}
    assert all(length > 0 for _r, _c, length in dark_runs(matrix))


def test_the_pdf_has_every_code_eight_a_page_each_with_its_qr_code() -> None:
    codes = [f"ABCDE-FGH{n:02d}" for n in range(11)]
    pages = [page for page in _page_contents(cards_pdf("Riverside 2027", ENTRY, codes)) if " re" in page]
    assert len(pages) == 2  # 8 cards, then 3
    shown = [code for page in pages for code in re.findall(r"\((ABCDE-FGH\d\d)\) Tj", page)]
    assert shown == codes
    # Each QR code is one filled path of its runs of dark modules: as many rectangles, page by page.
    paths = [path for page in pages for path in re.findall(r"((?:[-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ re ?)+) f\b", page)]
    runs = [len(list(dark_runs(segno.make(f"{ENTRY}#{code}", error="m").matrix))) for code in codes]
    assert [path.count(" re") for path in paths] == runs


def test_a_long_title_is_cut_short_before_it_reaches_the_code() -> None:
    pdf = Document("Cards")
    pdf.add_page()
    title = "The Riverside, Grangetown and Butetown participatory budget for parks, paths, play areas and benches 2027"
    lines = title_lines(pdf, title)
    assert len(lines) == TITLE_LINES and lines[0].startswith("The Riverside") and lines[-1].endswith(("…", "..."))
    assert title_lines(pdf, "Riverside 2027") == ["Riverside 2027"]


def test_a_line_written_in_a_row_lands_where_a_cell_would_put_it() -> None:
    """`write_in_row` (what 2,000 paper ballots are written with) matches `cell()`, left- and right-aligned."""

    def placed(write) -> list[str]:  # type: ignore[no-untyped-def]
        pdf = Document("Rows")
        pdf.set_compression(False)
        pdf.add_page()
        pdf.style(10)
        write(pdf)
        return re.findall(r"BT ([\d.]+ [\d.]+) Td", bytes(pdf.output()).decode("latin-1"))

    def with_cells(pdf: Document) -> None:
        pdf.set_xy(25, 40)
        pdf.cell(110, 7, "Benches by the river")
        pdf.cell(30, 7, "£12,500", align="R")

    def in_rows(pdf: Document) -> None:
        pdf.write_in_row(25, 40, 7, "Benches by the river")
        pdf.write_in_row(135, 40, 7, "£12,500", right=165)
        pdf.write_in_row(135, 40, 7, "£12,500", right=165, width=pdf.get_string_width("£12,500"))

    cells, rows = placed(with_cells), placed(in_rows)
    assert len(cells) == 2 and rows == [*cells, cells[1]]
