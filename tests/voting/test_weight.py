"""A 200-project ballot stays light: at most 100 KB compressed with its CSS and JavaScript, all from this site."""

from __future__ import annotations

from bench.pages import LIMIT, measure


def test_every_voting_page_with_200_projects_weighs_under_100_kb_and_fetches_nothing_from_elsewhere() -> None:
    weights = measure(projects=200, repeat=1)
    assert {w.page for w in weights} >= {"ballot (approval)", "ballot (ranked)", "check your answers", "enter a code"}
    assert [(w.page, w.total) for w in weights if w.total > LIMIT] == []
    assert [w.foreign for w in weights if w.foreign] == []
