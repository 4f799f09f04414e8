"""Printing a batch of paper ballots: the PDF, against writing its words alone.

    .venv/bin/python bench/paper.py [--ballots 2000] [--projects 40] [--rounds 3]

A facilitator prints up to 2,000 paper ballots in one batch (pb/events/paper.py, MAX_BATCH), in
one request, and gunicorn gives a request 30 s (gunicorn.conf.py). Every ballot is the same but
for its serial, so the work that no layout can avoid is putting its words on its pages. The
baseline, measured in the same run, does only that: the same strings, with fpdf2's `text()`, on
as many pages, in the same font. `paper_printing.paper_pdf` is reported as a ratio of it,
target at most 2×. `cell()`, which the ballots were first written with, is there for
comparison: the same ballots' rows, each string a `cell()`.

Each figure is the fastest of `--rounds` runs, since the machine's other load only ever adds
time. Prints a table and the seconds a batch takes here; exits 1 when the target is missed.
`--quick` (tests/test_bench.py) prints a batch of 20 once and enforces nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._timing import fastest
from pb import create_app
from pb.events.paper import MAX_BATCH
from pb.events.paper_printing import BallotPaper, paper_pdf
from pb.mandates.boundaries import VoteBoundaries
from pb.pdf import Document

TITLE = "Riverside participatory budget 2027: parks, paths and play areas"
TARGET = 2.0


def words_alone(paper: BallotPaper, ballots: int, *, with_cells: bool = False) -> bytes:
    """Each ballot's rows (number, title, cost) on a page of its own, and nothing else."""
    pdf = Document(paper.title)
    pdf.set_auto_page_break(False)
    for _ in range(ballots):
        pdf.add_page()
        pdf.style(8)
        for n, (title, cost) in enumerate(paper.options, start=1):
            y = 60 + n * 5.0
            for x, text in ((15, str(n)), (25, title), (135, f"£{cost / 100:,.0f}")):
                if with_cells:
                    pdf.set_xy(x, y)
                    pdf.cell(30, 5, text)
                else:
                    pdf.text(x, y, text)
    return bytes(pdf.output())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=MAX_BATCH)
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smoke test: 20 ballots, once, no target")
    args = parser.parse_args()
    ballots, rounds = (20, 1) if args.quick else (args.ballots, args.rounds)
    options = [(f"Project {n}: new benches, bins and planting along the river path", 500_000 + n * 12_345)
               for n in range(1, args.projects + 1)]
    boundaries = VoteBoundaries(min_choices=1, max_choices=5, budget=10_000_000)
    paper = BallotPaper(TITLE, "GBP", boundaries, options, 3)

    with create_app("test").test_request_context():  # the ballot's words are translated
        baseline, _ = fastest(lambda: words_alone(paper, ballots), rounds)
        cells, _ = fastest(lambda: words_alone(paper, ballots, with_cells=True), rounds)
        seconds, pdf = fastest(lambda: paper_pdf(paper, range(1, ballots + 1)), rounds)
    assert pdf.startswith(b"%PDF")

    ratio = seconds / baseline
    print(f"{ballots} ballots of {args.projects} projects, fastest of {rounds}; PDF {len(pdf) // 1024} KB")
    print("| work | seconds | ratio to the words alone | target |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| the words alone, with text() (baseline) | {baseline:.2f} | 1.00 | |")
    print(f"| the words alone, with cell() | {cells:.2f} | {cells / baseline:.2f} | |")
    print(f"| the paper ballots' PDF | {seconds:.2f} | {ratio:.2f} | ≤ {TARGET} |")
    if args.quick or ratio <= TARGET:
        return 0
    print(f"MISSED: the PDF took {ratio:.2f} of the words alone (target {TARGET})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
