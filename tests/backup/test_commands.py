"""`flask pb export-cycle` and `flask pb import-cycle`."""

from __future__ import annotations

import json

import pytest

from pb.backup import export_cycle
from tests.backup.helpers import DAMAGE, damaged, row_counts


def test_the_commands_export_and_import_a_cycle(app, rich_cycle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    target = tmp_path / "backup.json"
    cycle_id = rich_cycle.id
    with app.app_context():  # a session of its own, as the command has in production: it reads one snapshot
        exported = runner.invoke(args=["pb", "export-cycle", str(cycle_id), "--output", str(target)])
    assert exported.exit_code == 0, exported.output
    assert f"Wrote cycle {rich_cycle.id} to {target}" in exported.output and "ballot_choices" in exported.output
    assert target.stat().st_mode & 0o077 == 0  # personal data: only its owner may read it
    refused = runner.invoke(args=["pb", "import-cycle", str(target)])
    assert refused.exit_code == 1 and "--copy" in refused.output and "Traceback" not in refused.output
    imported = runner.invoke(args=["pb", "import-cycle", "--copy", str(target)])
    assert imported.exit_code == 0, imported.output
    assert f"Imported cycle {rich_cycle.id} of the backup as cycle" in imported.output
    assert "created without a password" in imported.output
    assert runner.invoke(args=["pb", "verify-audit"]).exit_code == 0


def test_the_commands_read_and_write_standard_streams(app, rich_cycle) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["pb", "export-cycle", str(rich_cycle.id), "--output", "-"])
    assert exported.exit_code == 0
    document = json.loads(exported.stdout)
    assert document["content"]["cycle_id"] == rich_cycle.id and "Wrote cycle" in exported.stderr
    imported = runner.invoke(args=["pb", "import-cycle", "--copy", "-"], input=exported.stdout)
    assert imported.exit_code == 0, imported.output


@pytest.mark.parametrize("cut", [0.5, 0.999])
def test_a_file_cut_short_is_refused_by_the_command_and_changes_nothing(app, rich_cycle, tmp_path, cut) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(export_cycle(rich_cycle))
    target = tmp_path / "short.json"
    target.write_text(text[: int(len(text) * cut)])
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["pb", "import-cycle", "--copy", str(target)])
    assert result.exit_code == 1 and "cut short" in result.output and "Traceback" not in result.output
    assert row_counts() == before


def test_the_command_refuses_a_damaged_file_with_exit_code_1(app, rich_cycle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "damaged.json"
    target.write_text(json.dumps(damaged(export_cycle(rich_cycle), DAMAGE["missing parent"][0], reseal=True)))
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["pb", "import-cycle", "--copy", str(target)])
    assert result.exit_code == 1 and "refers to themes" in result.output and "Traceback" not in result.output
    assert row_counts() == before


def test_exporting_a_cycle_that_does_not_exist_says_so(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["pb", "export-cycle", "999"])
    assert result.exit_code == 1 and "Traceback" not in result.output
