"""The area's population, entered by the cycle's commissioners for the dashboard's comparison.

Registered on the results blueprint (see the end of pb/results/views.py). The comparison
itself is part of the dashboard (`results/_demographics.html`); see docs/dashboard.md.
"""

from __future__ import annotations

from flask import Response, flash
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.cycles.models import StageKind
from pb.cycles.services import get_cycle, get_stage
from pb.errors import OutsideMandate, PBError
from pb.mandates.authority import Action, require_cycle_action
from pb.results import demographics
from pb.results.demographics_forms import PopulationForm
from pb.results.views import bp
from pb.voting.demographics import questions_asked
from pb.web import done, render, show_on_form


@bp.route("/cycles/<int:cycle_id>/dashboard/population", methods=["GET", "POST"])
@login_required
def enter_population(cycle_id: int) -> Response:
    """Commissioners enter the area's population for each question the vote asks (htmx: the form alone)."""
    cycle = get_cycle(cycle_id)
    require_cycle_action(current_user, Action.ENTER_POPULATION, cycle)  # no form for those who may not use it
    stage = get_stage(cycle, StageKind.VOTE.value)
    asked = questions_asked(stage, agreed_only=False)
    if not asked:
        raise OutsideMandate(_("This vote's mandate asks voters no questions about themselves."),
                             clause="vote.demographics")
    form = PopulationForm.for_questions(asked)
    if not form.is_submitted():
        form.fill(demographics.population_of(stage))
    if form.validate_on_submit():
        try:
            demographics.enter_population(stage, current_user, form.figures(), form.source.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("The population figures are saved."), "success")
            return done("results.show_dashboard", cycle_id=cycle.id, _anchor="who-took-part")
    return render(
        "results/population.html",
        "results/_population_form.html",
        cycle=cycle,
        form=form,
        status=422 if form.errors else 200,
    )
