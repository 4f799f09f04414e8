"""Mandate templates between councils: exported, checked on import, and a cycle set up from one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from pb.accounts.models import Role
from pb.audit.models import AuditEntry
from pb.cycles.models import StageKind
from pb.cycles.services import create_cycle
from pb.db import db
from pb.errors import InvalidInput, NotAuthorised, NotFound
from pb.mandates import template_files
from pb.mandates.models import MandateTemplate
from pb.mandates.services import update_mandate
from pb.mandates.templates import TEMPLATES, all_templates, find_template


def _as_bytes(document: dict[str, Any]) -> bytes:
    return template_files.as_file(document).encode()


@pytest.fixture
def exported(make_cycle, commissioner) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The mandates of a cycle whose review and vote its two sides changed from the template."""
    cycle = make_cycle(title="Cardiff parks", kinds=[StageKind.PROPOSALS, StageKind.REVIEW, StageKind.VOTE])
    review, vote = cycle.stage_of_kind(StageKind.REVIEW), cycle.stage_of_kind(StageKind.VOTE)
    update_mandate(review, commissioner, purpose="Check every idea.", roles="Officers check; residents watch.",
                   boundaries={**review.mandate.boundaries_data, "may_revise_costs": True,
                               "max_cost_change_percent": 10, "rule_out_grounds": ["Unlawful", "Not ours to fund"]})
    update_mandate(vote, commissioner, purpose="Residents choose.", roles="Everyone over 11 votes.",
                   boundaries={**vote.mandate.boundaries_data, "minimum_age": 11, "max_choices": 4,
                               "postcodes": ["CF10", "CF11"], "cost_limit": 123_400})
    return template_files.cycle_document(cycle)


def test_a_cycle_exports_its_mandates_without_what_is_its_councils_own(exported) -> None:
    assert (exported["format"], exported["version"], exported["title"]) == ("cyd-mandate-template", 1, "Cardiff parks")
    assert exported["source"].startswith("The mandates of “Cardiff parks”")
    assert [s["kind"] for s in exported["stages"]] == ["proposals", "review", "vote"]
    vote = exported["stages"][2]
    assert (vote["purpose"], vote["boundaries"]["minimum_age"], vote["boundaries"]["max_choices"]) == (
        "Residents choose.", 11, 4)
    for stage in exported["stages"]:
        assert not template_files.LOCAL & set(stage["boundaries"]), stage["kind"]


def test_an_imported_template_sets_up_another_councils_cycle(exported, make_user) -> None:
    swansea = make_user(Role.COMMISSIONER, name="Siân Swansea")
    row = template_files.import_template(swansea, _as_bytes(exported))
    db.session.commit()
    template = find_template(f"imported-{row.id}")
    assert template is not None and template in all_templates() and template.title == "Cardiff parks"
    cycle = create_cycle(swansea, title="Swansea parks", purpose="Parks", area="Swansea", budget=2_000_000,
                         kinds=list(template.stages), template=template.name, required_representatives=2)
    review, vote = cycle.stage_of_kind(StageKind.REVIEW), cycle.stage_of_kind(StageKind.VOTE)
    assert (review.mandate.purpose, review.mandate.template) == ("Check every idea.", template.name)
    assert review.mandate.boundaries.max_cost_change_percent == 10
    assert review.mandate.boundaries.rule_out_grounds == ["Unlawful", "Not ours to fund"]
    assert (vote.mandate.boundaries.minimum_age, vote.mandate.boundaries.max_choices) == (11, 4)
    # The new council's own: its budget, its number of representatives, anywhere in its area.
    assert (vote.mandate.boundaries.budget, vote.mandate.boundaries.representatives_required) == (2_000_000, 2)
    assert (vote.mandate.boundaries.postcodes, vote.mandate.boundaries.cost_limit) == ([], None)
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "template.import"))
    assert (entry.actor_id, entry.detail["stages"]) == (swansea.id, ["proposals", "review", "vote"])


def test_exporting_an_imported_template_gives_the_same_template(exported, commissioner) -> None:
    row = template_files.import_template(commissioner, _as_bytes(exported))
    again = template_files.template_document(template_files.template_named(f"imported-{row.id}"))
    assert again == exported
    built_in = template_files.template_document(TEMPLATES["co-design-panel"])
    imported = template_files.import_template(commissioner, _as_bytes(built_in))
    assert template_files.template_document(find_template(f"imported-{imported.id}")) == built_in


def _with(document: dict[str, Any], change) -> bytes:  # type: ignore[no-untyped-def]
    copy = json.loads(json.dumps(document))
    change(copy)
    return json.dumps(copy).encode()


def _vote(document: dict[str, Any]) -> dict[str, Any]:
    return document["stages"][2]


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: None, None),  # the control: the file as exported imports
    (lambda d: d.update(format="pabulib"), "is not a mandate template"),
    (lambda d: d.update(version=2), "another version of Cyd"),
    (lambda d: d.update(title=""), "has no title"),
    (lambda d: d.update(title=["a"]), "must be words"),
    (lambda d: d.update(description="x" * 10_001), "too long"),
    (lambda d: d.update(stages=[]), "has no stages"),
    (lambda d: d["stages"].append({"kind": "party"}), "one of Cyd's kinds of stage"),
    (lambda d: d["stages"].append(d["stages"][0]), "a kind of stage twice"),
    (lambda d: d["stages"].reverse(), "must come before"),
    (lambda d: d["stages"].pop(0), "needs"),
    (lambda d: _vote(d).update(purpose=" "), "needs its purpose and its roles"),
    (lambda d: _vote(d).update(boundaries=[1]), "cannot be read"),
    (lambda d: _vote(d)["boundaries"].update(colour="red"), "does not know: “colour”"),
    (lambda d: _vote(d)["boundaries"].update(max_choices="4"), "wrong kind"),
    (lambda d: _vote(d)["boundaries"].update(binding="yes"), "wrong kind"),
    (lambda d: _vote(d)["boundaries"].update(max_choices=0), "The vote stage: The most projects"),
    (lambda d: _vote(d)["boundaries"].update(ballot_format="lottery"), "The vote stage: Choose one of the options"),
])
def test_an_import_is_checked_whole_and_refused_with_the_reason(exported, commissioner, change, words) -> None:
    data = _with(exported, change)
    if words is None:
        assert template_files.import_template(commissioner, data).title == "Cardiff parks"
        return
    with pytest.raises(InvalidInput) as refused:
        template_files.import_template(commissioner, data)
    assert refused.value.field == "file" and words in refused.value.message, refused.value.message
    assert db.session.scalars(select(MandateTemplate)).all() == []


@pytest.mark.parametrize(("data", "words"), [
    (b"", "Choose a template file"),
    (b"\xff\xfe not text", "not JSON"),
    (b"{", "not JSON"),
    (b"[]", "is not a mandate template"),
    (b" " * 200_001, "too large"),
])
def test_a_file_that_is_not_a_template_is_refused(commissioner, data, words) -> None:
    with pytest.raises(InvalidInput, match=words):
        template_files.import_template(commissioner, data)


def test_money_and_postcodes_in_a_file_are_left_for_the_new_cycle(exported, commissioner) -> None:
    data = _with(exported, lambda d: _vote(d)["boundaries"].update(budget=99, postcodes=["SA1"]))
    row = template_files.import_template(commissioner, data)
    assert "budget" not in row.stages[2]["boundaries"] and "postcodes" not in row.stages[2]["boundaries"]


def test_only_a_council_wide_commissioner_imports_or_removes_templates(exported, make_user, make_cycle,
                                                                       commissioner) -> None:
    row = template_files.import_template(commissioner, _as_bytes(exported))
    for actor in (make_user(), make_user(Role.COMMISSIONER, cycle=make_cycle(title="One cycle")),
                  make_user(Role.ADMIN), make_user(Role.COUNCILLOR)):
        with pytest.raises(NotAuthorised):
            template_files.import_template(actor, _as_bytes(exported))
        with pytest.raises(NotAuthorised):
            template_files.delete_template(actor, row.id)
    assert template_files.delete_template(commissioner, row.id) == "Cardiff parks"
    assert find_template(f"imported-{row.id}") is None
    with pytest.raises(NotFound):
        template_files.delete_template(commissioner, row.id)
    with pytest.raises(NotFound):
        template_files.template_named(f"imported-{row.id}")
