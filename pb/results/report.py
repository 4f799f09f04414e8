"""The printable decision report for council minutes, as a PDF (the HTML page has a print stylesheet)."""

from __future__ import annotations

from typing import Any

from pb.pdf import Document
from pb.results.words import rule_name, tie_break_words
from pb.templating import money, tag_name


def to_pdf(record: dict[str, Any]) -> bytes:
    """The report from `exports.cycle_record()`: mandates and signatures, turnout, count, decisions, amendments."""
    cycle, tally = record["cycle"], record["tally"]
    pdf = Document(f"Decision report – {cycle['title']}")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()

    def heading(text: str, size: float = 14) -> None:
        pdf.ln(3)
        pdf.style(size, bold=True)
        pdf.multi_cell(0, 7, pdf.text_for(text), new_x="LMARGIN", new_y="NEXT")
        pdf.style(10)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5, pdf.text_for(text), new_x="LMARGIN", new_y="NEXT")

    heading(f"Decision report: {cycle['title']}", 18)
    line(cycle["purpose"])
    line(f"Area: {cycle['area']}. Budget: {money(cycle['budget'], cycle['currency'])}.")

    heading("Turnout")
    channels = ", ".join(f"{name}: {n}" for name, n in sorted(record["turnout"]["by_channel"].items())) or "none"
    line(f"{record['turnout']['ballots']} ballots counted ({channels}).")

    who = record["turnout"].get("demographics")
    if who:
        _who_took_part(pdf, who, heading, line)

    heading("The count")
    line(f"Counted by the rule “{rule_name(tally['rule'])}” ({tally['rule']}), over a budget of "
         f"{money(tally['budget'], cycle['currency'])}.")
    line(f"Where projects tie, {tie_break_words(tally['tie_break'])} ({tally['tie_break']}).")
    line(f"Fingerprint of the ballots counted: {tally['ballot_hash']}.")

    heading("Projects and decisions")
    pdf.style(9)
    with pdf.table(col_widths=(70, 22, 14, 22, 62), text_align="LEFT", line_height=5) as table:
        header = table.row()
        for title in ("Project", "Cost", "Votes", "The vote", "Decision and reason"):
            header.cell(title)
        for p in record["projects"]:
            reason = p["decision_reason"] or p["explanation"]
            if p["override_ground"]:
                reason = f"OVERRIDE of the binding vote ({p['override_ground']}): {reason}"
            row = table.row()
            for text in (
                p["title"],
                money(p["cost"], cycle["currency"]),
                str(p["votes"]),
                "selected" if p["selected_by_vote"] else "not selected",
                f"{p['decision'] or 'not yet recorded'}: {reason}",
            ):
                row.cell(pdf.text_for(text))

    heading("Mandates: who decided what")
    for stage in record["stages"]:
        mandate = stage["mandate"]
        state = tag_name(stage["state"], of_stage=True)
        heading(f"{stage['kind'].capitalize()} (version {mandate['version']}, {state})", 11)
        line(mandate["purpose"])
        for clause in mandate["clauses"]:
            line(f"- {clause['text']}")
        signed = "; ".join(f"{s['name']} for the {s['side']}, {s['signed_at'][:10]}" for s in mandate["signatures"])
        line(f"Signed by: {signed or 'not yet signed'}.")
        for amendment in stage["amendments"]:
            line(f"Amendment (version {amendment['version']}): {amendment['reason']}")
    return bytes(pdf.output())


def _who_took_part(pdf: Document, who: dict[str, Any], heading: Any, line: Any) -> None:
    """The rounded answers about voters beside the area's population, as on the dashboard."""
    heading("Who took part, compared with who lives here")
    respondents = "fewer than 5" if who["respondents"] is None else str(who["respondents"])
    line(f"Asked (voted on their own device): {who['asked']}. Answered at least one question: {respondents}. "
         f"Not asked (kiosk or paper): {who['not_asked']}.")
    line("People are rounded to the nearest 5; fewer than 5 is never shown as a number; shares are shown "
         "once 20 people have answered a question.")

    def cell(value: Any, suffix: str = "") -> str:
        return "-" if value is None else f"{value:.0f}{suffix}" if isinstance(value, float) else f"{value}{suffix}"

    for question in who["questions"]:
        heading(question["title"], 11)
        pdf.style(9)
        with pdf.table(col_widths=(70, 30, 25, 30, 35), text_align="LEFT", line_height=5) as table:
            header = table.row()
            for title in ("Answer", "People", "Share", "Area population", "Difference (points)"):
                header.cell(title)
            for answer in question["answers"]:
                row = table.row()
                people = "fewer than 5" if answer["count"] is None else str(answer["count"])
                for text in (answer["label"], people, cell(answer["share"], "%"),
                             cell(answer["population_share"], "%"), cell(answer["difference"])):
                    row.cell(pdf.text_for(text))
        pdf.style(10)
        if question["population_source"]:
            line(f"Area population: {question['population_source']}.")
