"""People and their roles, for administrators: find an account, give it a role, take one away, change its
name or email address, send it a password reset link."""

from __future__ import annotations

from flask import Blueprint, Response, flash, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from pb import mail
from pb.accounts import erasure, password_reset, people, roles
from pb.accounts.forms import PersonDetailsForm, RoleForm
from pb.accounts.models import Role, User
from pb.cycles.services import get_cycle, list_cycles
from pb.errors import PBError
from pb.mandates.forms import ConfirmForm
from pb.web import done, render, show_on_form

bp = Blueprint("people", __name__)


@bp.get("/people")
@login_required
def list_people() -> Response:
    """Everyone with an account, or those whose name or email address holds the words searched for, a page at a time.

    `role` narrows the list to those holding one of the roles an administrator gives; a value
    that is not one of them (an old link, a typing mistake) shows everyone, as does no value.
    """
    text = request.args.get("q", "")[:200]
    role = next((r for r in roles.ROLE_NAMES if r.value == request.args.get("role")), None)
    found = roles.find_people(current_user, text, role=role, page=request.args.get("page", 1, type=int))
    list_args = {name: value for name, value in (("q", text), ("role", role.value if role else "")) if value}
    return render("people/list.html", "people/_results.html", found=found, text=text, role=role,
                  role_names=roles.ROLE_NAMES, list_args=list_args)


@bp.get("/people/<int:user_id>")
@login_required
def show_person(user_id: int) -> Response:
    """A person's roles, each with a button to take it away, and the form to give another."""
    person = roles.get_person(current_user, user_id)
    return _person_page(person, RoleForm())


@bp.post("/people/<int:user_id>/roles")
@login_required
def give_role(user_id: int) -> Response:
    person = roles.get_person(current_user, user_id)
    form = RoleForm()
    form.offer_cycles(_cycle_titles())
    if form.validate_on_submit():
        try:
            cycle = get_cycle(int(form.cycle.data)) if form.cycle.data else None
            role_grant = roles.give_role(current_user, person, Role(form.role.data), cycle)
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            flash(_("%(person)s now holds this role: %(role)s.", person=person.name,
                    role=roles.role_held(role_grant)), "success")
            return done("people.show_person", user_id=user_id)
    return _person_page(person, form, status=422)


@bp.post("/people/<int:user_id>/roles/<int:grant_id>/take-away")
@login_required
def take_away_role(user_id: int, grant_id: int) -> Response:
    person = roles.get_person(current_user, user_id)
    role_grant = roles.role_grant_of(person, grant_id)
    held = roles.role_held(role_grant)
    taken_down = roles.take_away_role(current_user, role_grant)
    flash(_("%(person)s no longer holds this role: %(role)s.", person=person.name, role=held), "success")
    if taken_down:
        flash(_("Their endorsement of %(cycles)s has been taken down, since they are not a councillor there any more.",
                cycles=", ".join(cycle.title for cycle in taken_down)), "info")
    return done("people.show_person", user_id=user_id)


@bp.route("/people/<int:user_id>/details", methods=["GET", "POST"])
@login_required
def change_details(user_id: int) -> Response:
    """A person's name and email address, as an administrator changes them."""
    person = roles.get_person(current_user, user_id)
    form = PersonDetailsForm(obj=None if request.method == "POST" else person)
    if form.validate_on_submit():
        try:
            changed = people.change_details(current_user, person, form.name.data or "", form.email.data or "")
        except PBError as error:
            if not show_on_form(form, error):
                raise
        else:
            if changed:
                flash(_("%(person)s's details have been changed.", person=person.name), "success")
            else:
                flash(_("Nothing was changed: the name and email address were as before."), "info")
            return done("people.show_person", user_id=user_id)
    return render("people/details.html", person=person, form=form, status=422 if form.errors else 200)


@bp.post("/people/<int:user_id>/reset-link")
@login_required
def send_reset_link(user_id: int) -> Response:
    """Email the person a link to choose a new password, as *Forgotten your password?* does."""
    person = roles.get_person(current_user, user_id)
    people.send_reset_link_for(current_user, person)
    minutes = password_reset.link_age_minutes()
    flash(_("A link to choose a new password has been sent to %(email)s.", email=person.email) + " "
          + ngettext("The link works for %(num)d minute, and only once.",
                     "The link works for %(num)d minutes, and only once.", minutes), "success")
    return done("people.show_person", user_id=user_id)


@bp.route("/people/<int:user_id>/remove", methods=["GET", "POST"])
@login_required
def remove_account(user_id: int) -> Response:
    """Remove a person's personal data at their request: what it does, then the button that does it."""
    person = roles.get_person(current_user, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        erasure.erase_account(current_user, person)
        flash(_("The account has been removed: its personal data is gone."), "success")
        return done("people.show_person", user_id=user_id)
    return render("people/remove.html", person=person, form=form, erased=erasure.is_erased(person),
                  holds_roles=erasure.holds_other_roles(person), own=person.id == current_user.id)


def _person_page(person: User, form: RoleForm, *, status: int = 200) -> Response:
    if not form.cycle.choices:
        form.offer_cycles(_cycle_titles())
    held = sorted(person.grants, key=lambda g: (g.cycle_id is not None, g.cycle_id or 0, g.role.value))
    return render("people/person.html", person=person, held=held, form=form, confirm=ConfirmForm(),
                  role_hints=roles.ROLE_HINTS, sends_email=mail.can_send(), erased=erasure.is_erased(person),
                  status=status)


def _cycle_titles() -> dict[int, str]:
    return {cycle.id: cycle.title for cycle in list_cycles()}

