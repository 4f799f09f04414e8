"""Paper ballots on paper: how to fill one in, in the mandate's words, and an A4 PDF with one ballot a page.

The print page (templates/events/paper/print.html) and the PDF say the same things: the cycle,
how to fill the ballot in for the vote's format and limits, each project with a box, the serial
number large, and that the voter must not write their name on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from pb.cycles.models import Cycle, Stage
from pb.events.models import PaperBatch
from pb.events.paper import format_serial, limits
from pb.mandates.boundaries import VoteBoundaries
from pb.pdf import Document
from pb.templating import money
from pb.voting.services import ballot_options


def how_to_fill(boundaries: VoteBoundaries, currency: str = "GBP") -> list[str]:
    """The ballot's instructions for its format and limits, one sentence a line."""
    fmt, most, fewest = boundaries.ballot_format, boundaries.max_choices, boundaries.min_choices
    if fmt == "cumulative":
        lines = [
            _("Write a number of points in the box beside each project you support."),
            ngettext("You have %(num)d point to share out.", "You have %(num)d points to share out.",
                     boundaries.points),
        ]
        if boundaries.max_points_per_project:
            lines.append(ngettext("Give at most %(num)d point to one project.",
                                  "Give at most %(num)d points to one project.", boundaries.max_points_per_project))
    elif fmt == "ranked":
        lines = [_("Write 1 in the box beside your favourite project, 2 beside your next favourite, and so on, "
                   "up to %(most)d.", most=most)]
        if fewest > 1:
            lines.append(_("Rank at least %(fewest)d projects.", fewest=fewest))
        lines.append(_("Use each number once."))
    else:
        lines = [_("Put a tick in the box beside each project you want funded.")]
        if fewest == most:
            lines.append(ngettext("Choose %(num)d project.", "Choose %(num)d projects.", most))
        else:
            lines.append(_("Choose from %(fewest)d to %(most)d projects.", fewest=fewest, most=most))
        if fmt == "knapsack":
            lines.append(_("Together they may cost at most %(limit)s.",
                           limit=money(boundaries.spending_limit, currency)))
    lines.append(_("%(budget)s will be shared among the projects with the most support.",
                   budget=money(boundaries.budget, currency)))
    lines.append(_("If you make a mistake, ask for a new ballot."))
    return lines


def box_heading(boundaries: VoteBoundaries) -> str:
    if boundaries.ballot_format == "ranked":
        return _("Your number")
    if boundaries.ballot_format == "cumulative":
        return _("Your points")
    return _("Your tick")


def ballots_pdf(cycle: Cycle, stage: Stage, batch: PaperBatch) -> bytes:
    """The batch's ballots on A4, one a page: a long ballot continues on a page that repeats the serial."""
    mandate = stage.agreed_mandate
    return paper_pdf(
        BallotPaper(cycle.title, cycle.currency, limits(stage), [(p.title, p.cost) for p in ballot_options(stage)],
                    mandate.version if mandate else 0),
        range(batch.first_serial, batch.last_serial + 1),
    )


@dataclass(frozen=True)
class BallotPaper:
    """What every ballot of a vote says: its cycle, its limits, its projects (title, cost) and its mandate's version."""

    title: str
    currency: str
    boundaries: VoteBoundaries
    options: list[tuple[str, int]]
    version: int


def paper_pdf(paper: BallotPaper, serials: range) -> bytes:
    """One ballot a serial, laid out as `ballots_pdf` says.

    Up to 2,000 ballots a batch, the same but for the serial: what every ballot says is laid out
    once (its lines broken, its rows' texts made), and each ballot only writes it out, with
    `text()` rather than `cell()` (bench/paper.py).
    """
    boundaries, options = paper.boundaries, paper.options
    pdf = Document(f"{_('Paper ballots')} – {paper.title}")
    pdf.set_auto_page_break(False)
    heading = box_heading(boundaries)
    row = max(6.0, min(12.0, 150.0 / max(len(options), 1)))
    pdf.add_page()  # lines are measured on a page
    header = _Header(
        title=pdf.lines(paper.title[:120], 120, size=16, bold=True),
        instructions=[pdf.lines(line, 180, size=10) for line in how_to_fill(boundaries, paper.currency)],
        no_name=pdf.lines(_("Do not write your name on this ballot."), 180, size=11, bold=True),
    )
    size = 10 if row >= 8 else 8
    pdf.style(size)
    rows = []  # number, title, cost, and the cost's width: it is right-aligned
    for n, (title, cost) in enumerate(options, start=1):
        shown_cost = pdf.text_for(money(cost, paper.currency))
        rows.append((str(n), pdf.text_for(title)[:64], shown_cost, pdf.get_string_width(shown_cost)))
    for serial in serials:
        shown = format_serial(serial)
        y = _ballot_header(pdf, header, shown, heading, first=serial == serials.start)
        pdf.style(size)
        for number, title, cost, cost_width in rows:
            if y + row > 280:
                y = _continued(pdf, shown, heading)
                pdf.style(size)
            pdf.write_in_row(15, y, row, number)
            pdf.write_in_row(25, y, row, title)
            pdf.write_in_row(135, y, row, cost, right=165, width=cost_width)
            pdf.set_draw_color(0)
            pdf.set_line_width(0.5)
            box = min(row - 1.5, 10.0)
            pdf.rect(190 - box, y + (row - box) / 2, box, box)
            pdf.set_line_width(0.2)
            pdf.line(15, y + row, 190, y + row)
            y += row
        pdf.style(7)
        pdf.write_in_row(15, 285, 4, pdf.text_for(_("Ballot %(serial)s · mandate version %(version)d",
                                                  serial=shown, version=paper.version)))
    return bytes(pdf.output())


@dataclass(frozen=True)
class _Header:
    """What the top of every ballot says, its lines already broken."""

    title: list[str]
    instructions: list[list[str]]
    no_name: list[str]


def _ballot_header(pdf: Document, header: _Header, shown: str, heading: str, *, first: bool) -> float:
    if not first:  # the first ballot's page is the one its lines were measured on
        pdf.add_page()
    pdf.set_xy(15, 15)
    pdf.style(16, bold=True)
    pdf.write_lines(header.title, 15, 7)
    below_title = pdf.get_y()
    pdf.style(9)
    pdf.write_in_row(140, 13, 5, pdf.text_for(_("Ballot number")), right=195)
    pdf.set_font("Courier", "B", 26)
    pdf.write_in_row(130, 18, 12, shown, right=195)
    pdf.set_xy(15, max(38.0, below_title + 3))
    pdf.style(10)
    for lines in header.instructions:
        pdf.write_lines(lines, 15, 5)
    pdf.style(11, bold=True)
    pdf.write_lines(header.no_name, 15, 7)
    return _column_headings(pdf, pdf.get_y() + 3, heading)


def _column_headings(pdf: Document, y: float, heading: str) -> float:
    pdf.style(9, bold=True)
    pdf.write_in_row(15, y, 6, pdf.text_for(_("No.")))
    pdf.write_in_row(25, y, 6, pdf.text_for(_("Project")))
    pdf.write_in_row(135, y, 6, pdf.text_for(_("Cost")), right=165)
    pdf.write_in_row(165, y, 6, pdf.text_for(heading), right=190)  # ends where the boxes end
    pdf.line(15, y + 6, 195, y + 6)
    return y + 7


def _continued(pdf: Document, shown: str, heading: str) -> float:
    pdf.add_page()
    pdf.set_font("Courier", "B", 18)
    pdf.write_in_row(15, 15, 10, pdf.text_for(_("Ballot %(serial)s, continued", serial=shown)))
    return _column_headings(pdf, 30, heading)
