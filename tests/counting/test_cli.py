"""`python -m pb.counting tally FILE.pb`: JSON on stdout, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pb.counting.__main__ import main

from .conftest import PB_FILES

REPO = Path(__file__).resolve().parents[2]
ASSEN = next(path for path in PB_FILES if path.stem == "Netherlands_Assen_2024")
ZURICH = next(path for path in PB_FILES if path.stem == "Switzerland_Zurich_D5")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pb.counting", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_tally_uses_the_files_rule_and_prints_one_json_object() -> None:
    done = _run("tally", str(ASSEN))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["rule"] == "equalshares/add1"
    assert data["selected"] == ["3", "9", "2", "11", "13", "14", "5", "6", "12"]
    assert all(isinstance(pid, str) for pid in data["selected"])
    assert data["total_cost"] <= data["budget"] == 100000


def test_tally_with_a_rule_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tally", str(ZURICH), "--rule", "equalshares/add1", "--utility", "score", "--greedy-fill"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["options"]["utility"] == "score"
    assert data["options"]["greedy_fill"] is True
    assert main(["tally", str(ZURICH), "--rule", "greedy", "--tie-break", "cost-desc"]) == 0
    assert json.loads(capsys.readouterr().out)["tie_break"] == "cost-desc,id-asc"


def test_errors_go_to_stderr_with_a_non_zero_exit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = _run("tally", str(ZURICH))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "rule is 'unknown'" in done.stderr
    assert "Traceback" not in done.stderr

    broken = tmp_path / "broken.pb"
    broken.write_text(ASSEN.read_text(encoding="utf-8").replace("budget;100000", "budget;a lot"), encoding="utf-8")
    assert main(["tally", str(broken)]) == 1
    assert "META: budget is not a number" in capsys.readouterr().err

    assert main(["tally", str(tmp_path / "missing.pb")]) == 1
    assert "cannot read" in capsys.readouterr().err

    assert main(["tally", str(ASSEN), "--rule", "greedy", "--utility", "cost"]) == 1
    assert "does not apply" in capsys.readouterr().err


def test_rules_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    assert "equalshares/add1-comparison" in capsys.readouterr().out
