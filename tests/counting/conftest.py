"""Shared data for the counting-engine tests: the real Pabulib files beside the repository."""

from __future__ import annotations

from pathlib import Path

# The repository's parent holds shared/pabulib (also in CI, where shared/ is copied beside
# the fresh clone).
SHARED = Path(__file__).resolve().parents[3] / "shared" / "pabulib"
PB_FILES = sorted(SHARED.glob("*.pb"))


def file_id(path: Path) -> str:
    """A short test id for a Pabulib file."""
    return path.stem
