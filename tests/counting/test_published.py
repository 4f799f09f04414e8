"""Our count reproduces the outcome each city published (the files' `selected` column)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pb.counting import count, read_pb
from pb.counting.rules import RULES

from .conftest import PB_FILES, file_id

REPRODUCIBLE = ("greedy", "greedy-no-skip", "greedy-threshold", "equalshares/add1", "equalshares/add1-comparison")


def _published(path: Path) -> bool:
    instance, _ = read_pb(path)
    has_column = any("selected" in project.extra for project in instance)
    return has_column and instance.rule in REPRODUCIBLE


PUBLISHED = [path for path in PB_FILES if _published(path)]


def test_every_published_greedy_and_add1_file_is_checked() -> None:
    assert {path.stem for path in PUBLISHED} == {
        "Netherlands_Assen_2024",
        "Poland_Katowice_2021",
        "Poland_Krakow_2019_Bronowice",
        "Poland_Lodz_2022",
        "Poland_Swiecie_2023",
        "Poland_Warszawa_2023_Mokotow",
        "Poland_Warszawa_2026",
        "Poland_Wieliczka_2023_Green_Budget",
        "Poland_Wroclaw_2015_150_-_500",
    }


@pytest.mark.parametrize("path", PUBLISHED, ids=file_id)
def test_reproduces_the_published_outcome(path: Path) -> None:
    instance, profile = read_pb(path)
    assert instance.rule in RULES
    outcome = count(instance, profile)
    published = {project.id for project in instance if project.extra["selected"] == "1"}
    assert set(outcome.selected) == published
    assert outcome.total_cost <= outcome.budget
    for project_id, result in outcome.projects.items():
        assert result.selected == (project_id in published)
