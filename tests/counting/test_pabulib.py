"""Reading and writing Pabulib files: every real file, round trips, and refusals."""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pb.counting import (
    Ballot,
    CountingError,
    Instance,
    PabulibError,
    Profile,
    Project,
    count,
    dumps_pb,
    parse_pb,
    read_pb,
    write_pb,
)
from pb.counting.election import compile_election

from .conftest import PB_FILES, file_id


def test_the_shared_files_are_there() -> None:
    assert len(PB_FILES) >= 15


@pytest.mark.parametrize("path", PB_FILES, ids=file_id)
def test_real_file_round_trip(path: Path, tmp_path: Path) -> None:
    instance, profile = read_pb(path)
    text = path.read_text(encoding="utf-8-sig")
    assert len(profile) == int(instance.meta["num_votes"])
    assert list(instance.projects) == [line.split(";")[0] for line in _project_lines(text)]
    target = tmp_path / "copy.pb"
    write_pb(instance, profile, target)
    again_instance, again_profile = read_pb(target)
    assert again_instance == instance
    assert again_profile == profile


@pytest.mark.parametrize("path", PB_FILES, ids=file_id)
def test_scores_match_the_files_own_columns(path: Path) -> None:
    """Our scores reproduce the files' votes and score columns (ordinal: L - r + 1)."""
    instance, profile = read_pb(path)
    election = compile_election(instance, profile)
    # The Chicago rankings (no max_length, "not fully validated") score a ranking of k
    # projects k, k-1, ...: a per-ballot Borda count that is not Pabulib's L - r + 1.
    ranked_without_length = profile.vote_type == "ordinal" and "max_length" not in instance.meta
    for p, project in enumerate(instance):
        if "votes" in project.extra:
            assert election.votes[p] == int(project.extra["votes"]), project.id
        if "score" in project.extra and not ranked_without_length:
            assert election.unscaled_score(p) == int(project.extra["score"]), project.id


def test_extra_columns_are_kept() -> None:
    instance, profile = read_pb(next(p for p in PB_FILES if "Krakow" in p.name))
    assert profile.columns == ("voter_id", "vote", "voting_method")
    assert {b.extra["voting_method"] for b in profile} == {"internet", "paper"}
    assert instance.projects["25"].extra["selected"] == "1"
    assert instance.projects["25"].name.startswith("Łączymy")


def _project_lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").split("\n")
    start = lines.index("PROJECTS") + 2
    end = lines.index("VOTES")
    return [line for line in lines[start:end] if line]


GOOD = """META
key;value
description;"A ""quoted""; description"
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;district
a;60;"Park; north";X
b;50;Library;Y
VOTES
voter_id;vote;age
1;a,b;30
2;b;41
3;;
"""


def test_quoted_fields_bom_and_crlf() -> None:
    more_meta = "rule;greedy\nnum_projects;2\nnum_votes;3\ncountry;UK\nunit;Leeds\ninstance;2025\n"
    full = GOOD.replace("rule;greedy\n", more_meta)
    for text in (full, "\ufeff" + full, full.replace("\n", "\r\n"), full.replace("\n", "\r")):
        instance, profile = parse_pb(text)
        assert instance.meta["description"] == 'A "quoted"; description'
        assert instance.projects["a"].name == "Park; north"
        assert instance.projects["a"].extra == {"district": "X"}
        assert [b.projects for b in profile] == [("a", "b"), ("b",), ()]
        assert profile[0].extra == {"age": "30"}
        assert parse_pb(dumps_pb(instance, profile)) == (instance, profile)


def test_decimal_costs_are_exact() -> None:
    instance, profile = parse_pb(GOOD.replace("a;60;", "a;60.5;").replace("budget;100", "budget;110,5"))
    assert instance.projects["a"].cost == Fraction(121, 2)
    assert instance.budget == Fraction(221, 2)
    assert "budget;110.5" in dumps_pb(instance, profile)
    outcome = count(instance, profile, "greedy")
    assert outcome.total_cost == Fraction(221, 2)
    assert outcome.to_dict()["total_cost"] == "110.5"


def test_app_built_instances_are_written_as_complete_files() -> None:
    instance = Instance.create({"park": 40_000, "library": 25_000}, 60_000)
    profile = Profile.from_approvals([["park"], ["park", "library"], []])
    text = dumps_pb(instance, profile)
    first = parse_pb(text)
    for key in ("num_projects", "num_votes", "budget", "vote_type", "rule", "description"):
        assert key in first[0].meta
    assert parse_pb(dumps_pb(*first)) == first
    assert [b.projects for b in first[1]] == [("park",), ("park", "library"), ()]


def test_points_and_rankings_round_trip() -> None:
    points = Profile.from_points([{"a": 2, "b": Fraction(1, 2)}, {}], "cumulative")
    rankings = Profile.from_rankings([["b", "a"], ["a"]])
    instance = Instance.create({"a": 60, "b": 50}, 100, {"rule": "greedy"})
    for profile in (points, rankings):
        again = parse_pb(dumps_pb(instance, profile))
        assert again[1].ballots == profile.ballots


@pytest.mark.parametrize(
    ("text", "section", "line", "reason"),
    [
        (GOOD.replace("META\n", "", 1), None, 1, "expected the META section"),
        (GOOD.replace("budget;100\n", ""), "META", None, "no budget"),
        (GOOD.replace("budget;100", "budget;lots"), "META", None, "budget is not a number"),
        (GOOD.replace("vote_type;approval", "vote_type;plurality"), "META", None, "vote_type"),
        (GOOD.replace("rule;greedy", "rule;greedy;extra"), "META", 6, "expected 2 fields"),
        (GOOD.replace("b;50;Library;Y", "b;-5;Library;Y"), "PROJECTS", 10, "negative"),
        (GOOD.replace("b;50;Library;Y", "b;5x;Library;Y"), "PROJECTS", 10, "not a number"),
        (GOOD.replace("b;50;Library;Y", "a;50;Library;Y"), "PROJECTS", 10, "appears twice"),
        (GOOD.replace("project_id;cost", "id;cost"), "PROJECTS", 8, "no 'project_id' column"),
        (GOOD.replace("2;b;41", "2;c;41"), "VOTES", 14, "unknown project 'c'"),
        (GOOD.replace("2;b;41", "2;b,b;41"), "VOTES", 14, "twice in the same vote"),
        (GOOD.replace("2;b;41", "1;b;41"), "VOTES", None, "voter '1' appears twice"),
        (GOOD.replace("2;b;41", "2;b"), "VOTES", 14, "expected 3 fields"),
        (GOOD.replace("2;b;41", '2;"b;41'), "VOTES", 15, "bad quoting"),
        (GOOD.replace("VOTES\n", "PROJECTS\n"), "PROJECTS", 11, "where VOTES was expected"),
        (GOOD.split("VOTES")[0], "VOTES", None, "no VOTES section"),
        (GOOD + "META\nkey;value\n", "META", 16, "no section may follow VOTES"),
        (GOOD.replace("rule;greedy", "rule;greedy\nnum_votes;4"), "META", None, "num_votes is 4"),
    ],
)
def test_malformed_files_are_refused_with_section_line_and_reason(
    text: str, section: str | None, line: int | None, reason: str
) -> None:
    with pytest.raises(PabulibError) as caught:
        parse_pb(text)
    assert caught.value.section == section
    assert caught.value.line == line
    assert reason in caught.value.reason
    assert reason in str(caught.value)


def test_points_errors() -> None:
    text = GOOD.replace("vote_type;approval", "vote_type;cumulative").replace(
        "voter_id;vote;age\n1;a,b;30\n2;b;41\n3;;", "voter_id;vote;points\n1;a,b;1,2\n2;b;x\n"
    )
    with pytest.raises(PabulibError, match="line 14: points"):
        parse_pb(text)
    with pytest.raises(PabulibError, match="2 projects in vote but 1 values"):
        parse_pb(text.replace("1;a,b;1,2", "1;a,b;1"))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(PabulibError, match="cannot read"):
        read_pb(tmp_path / "missing.pb")
    bad = tmp_path / "latin1.pb"
    bad.write_bytes(GOOD.replace("Library", "Bibliothèque").encode("latin-1"))
    with pytest.raises(PabulibError) as caught:
        read_pb(bad)
    assert caught.value.line == 10
    assert "UTF-8" in caught.value.reason


def test_model_validation() -> None:
    with pytest.raises(CountingError, match=r"not 1\.5"):
        Project("a", 1.5)  # type: ignore[arg-type]
    with pytest.raises(CountingError, match="negative"):
        Project("a", -1)
    with pytest.raises(CountingError, match="comma"):
        Project("a,b", 1)
    with pytest.raises(CountingError, match="appears twice"):
        Instance.create([Project("a", 1), Project("a", 2)], 5)
    with pytest.raises(CountingError, match="unknown vote type"):
        Profile("plurality", [])
    with pytest.raises(CountingError, match="one point value"):
        Profile("cumulative", [Ballot(("a",))])
    with pytest.raises(CountingError, match="1/3"):
        dumps_pb(Instance.create({"a": Fraction(1, 3)}, 1), Profile.from_approvals([["a"]]))


@settings(deadline=None, max_examples=400, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10_000), st.integers(0, 3), st.sampled_from([*list(';,"\n\r ab1-.'), "META\n", "VOTES\n"])
        ),
        max_size=6,
    )
)
def test_any_damaged_file_is_read_or_refused_cleanly(edits: list[tuple[int, int, str]]) -> None:
    """Cutting, inserting and replacing characters anywhere in a good file never causes
    anything but a clean refusal (or a file that still reads and counts)."""
    text = GOOD
    for position, cut, insert in edits:
        position %= len(text) + 1
        text = text[:position] + insert + text[position + cut :]
    try:
        instance, profile = parse_pb(text)
    except PabulibError:
        return
    with contextlib.suppress(CountingError):
        count(instance, profile, "equalshares/add1")
