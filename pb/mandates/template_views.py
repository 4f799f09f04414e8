"""Mandate templates: the list, importing one from a file, downloading one, and a cycle's mandates as one."""

from __future__ import annotations

from flask import Blueprint, Response, flash, make_response
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pb.cycles.services import get_cycle
from pb.errors import PBError
from pb.mandates import template_files
from pb.mandates.actions import Action
from pb.mandates.authority import require_cycle_action
from pb.mandates.forms import ConfirmForm, TemplateImportForm
from pb.mandates.templates import all_templates
from pb.web import done, render, show_on_form

bp = Blueprint("mandate_templates", __name__)


@bp.get("/mandate-templates")
@login_required
def list_templates() -> Response:
    """Every starting point a commissioner can set a cycle up from, with the form to import another."""
    require_cycle_action(current_user, Action.MANAGE_TEMPLATES)  # no form for those who may not use it
    return _list_page(TemplateImportForm())


@bp.post("/mandate-templates")
@login_required
def import_template() -> Response:
    form = TemplateImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            row = template_files.import_template(current_user, upload.read() if upload else b"")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("“%(title)s” is imported. Choose it when you set up a cycle, then both sides adapt and sign "
                    "each mandate.", title=row.title), "success")
            return done("mandate_templates.list_templates")
    return _list_page(form, status=422)


@bp.post("/mandate-templates/<int:template_id>/delete")
@login_required
def delete_template(template_id: int) -> Response:
    title = template_files.delete_template(current_user, template_id)
    flash(_("“%(title)s” is removed. Mandates that started from it keep their words.", title=title), "success")
    return done("mandate_templates.list_templates")


@bp.get("/mandate-templates/<name>.json")
def download_template(name: str) -> Response:
    """Public: a template as a file, to import elsewhere."""
    template = template_files.template_named(name)
    return _json_file(template_files.template_document(template), f"cyd-template-{template.name}.json")


@bp.get("/cycles/<int:cycle_id>/mandates.json")
def download_cycle_mandates(cycle_id: int) -> Response:
    """Public, as its mandates are: the cycle's mandates as a template another council can import."""
    cycle = get_cycle(cycle_id)
    return _json_file(template_files.cycle_document(cycle), f"cyd-template-cycle-{cycle.id}.json")


def _list_page(form: TemplateImportForm, *, status: int = 200) -> Response:
    return render("mandates/templates.html", templates=all_templates(), form=form, confirm=ConfirmForm(),
                  status=status)


def _json_file(document: dict[str, object], filename: str) -> Response:
    response = make_response(template_files.as_file(document))
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
