"""The engine is a pure package: importing it loads neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# pb/__init__.py is the web app and imports Flask, so the check loads pb.counting under a
# bare "pb" package that skips it, exactly as a researcher's copy of the engine would.
PROBE = """
import sys, types
package = types.ModuleType("pb")
package.__path__ = [sys.argv[1] + "/pb"]
sys.modules["pb"] = package
import pb.counting, pb.counting.__main__
from pb.counting import Instance, Profile, count
count(Instance.create({"a": 1}, 1), Profile.from_approvals([["a"]]), "equalshares/add1")
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("flask", "sqlalchemy", "werkzeug"))
print(",".join(loaded))
"""


def test_importing_the_engine_loads_no_web_or_database_code() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_no_module_mentions_flask_or_sqlalchemy_imports() -> None:
    for path in (REPO / "pb" / "counting").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("import flask", "from flask", "import sqlalchemy", "from sqlalchemy"):
            assert banned not in text.lower(), f"{path.name} has {banned!r}"
