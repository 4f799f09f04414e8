"""A damaged backup is refused with a reason, and nothing of it is imported."""

from __future__ import annotations

import pytest

from pb.audit.services import verify
from pb.backup import BackupError, export_cycle, import_cycle
from pb.db import db
from tests.backup.helpers import DAMAGE, damaged, row_counts


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_file_is_refused_with_a_reason_and_changes_nothing(rich_cycle, damage) -> None:  # type: ignore[no-untyped-def]
    change, reseal, reason = DAMAGE[damage]
    document = damaged(export_cycle(rich_cycle), change, reseal=reseal)
    before = row_counts()
    with pytest.raises(BackupError, match=reason):
        import_cycle(document, as_copy=True)
    assert row_counts() == before
    db.session.commit()
    assert row_counts() == before and verify().ok
