"""Printing a batch of voting codes: the PDF of cards and the print page's QR codes, against QR encoding alone.

    .venv/bin/python bench/codes.py [--codes 2000] [--rounds 3]

A facilitator prints up to 2,000 codes in one batch (pb/voting/codes.py, MAX_BATCH), in the
request that issues them, and gunicorn gives a request 30 s (gunicorn.conf.py). Most of the
work is encoding one QR code a card (segno, pure Python), which no layout can avoid; so the
baseline, measured in the same run, is encoding the batch's QR codes alone, and each layout is
reported as a ratio of it:

* pdf: `printing.cards_pdf`, eight cards a page — target at most 2× the baseline;
* print page: the inline SVG QR codes of the cards and letters layouts (`printing.qr_svg`, one
  a code; the template around them is small) — target at most 1.5× the baseline.

Each figure is the fastest of `--rounds` runs, since the machine's other load only ever adds
time. Prints a table and the seconds a batch takes here; exits 1 when a target is missed.
`--quick` (tests/test_bench.py) prints a batch of 40 once and enforces nothing.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import segno

from bench._timing import fastest
from pb.voting import printing
from pb.voting.codes import CODE_LENGTH, MAX_BATCH, format_code, random_code

ENTRY = "https://cyd.example.gov.uk/cycles/12/vote/code"
TITLE = "Riverside participatory budget 2027: parks, paths and play areas"
TARGETS = {"pdf": 2.0, "print page": 1.5}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codes", type=int, default=MAX_BATCH)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a smoke test: 40 codes, once, no targets")
    args = parser.parse_args()
    size, rounds = (40, 1) if args.quick else (args.codes, args.rounds)
    codes = [format_code(random_code(CODE_LENGTH)) for _ in range(size)]
    secrets.SystemRandom().shuffle(codes)

    baseline, _ = fastest(lambda: [segno.make(f"{ENTRY}#{code}", error="m") for code in codes], rounds)
    pdf_seconds, pdf = fastest(lambda: printing.cards_pdf(TITLE, ENTRY, codes), rounds)
    assert pdf.startswith(b"%PDF")
    layouts = {
        "pdf": pdf_seconds,
        "print page": fastest(lambda: [printing.qr_svg(f"{ENTRY}#{code}") for code in codes], rounds)[0],
    }

    print(f"{size} codes, fastest of {rounds}; PDF {len(pdf) // 1024} KB")
    print("| work | seconds | ratio to QR encoding | target |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| QR encoding alone (baseline) | {baseline:.2f} | 1.00 | |")
    missed = []
    for name, seconds in layouts.items():
        ratio = seconds / baseline
        print(f"| {name} | {seconds:.2f} | {ratio:.2f} | ≤ {TARGETS[name]} |")
        if ratio > TARGETS[name]:
            missed.append(f"{name}: {ratio:.2f} of QR encoding (target {TARGETS[name]})")
    if args.quick:
        return 0
    for line in missed:
        print("MISSED:", line)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
