"""Backup and restore of a whole cycle as one JSON file (`flask pb export-cycle`, `flask pb import-cycle`).

The tables that belong to a cycle are found from the models' metadata (`schema.py`): every
table reachable from `cycles` through foreign keys is in the file without anyone listing it,
so a new cycle table is backed up the day it is added. What is left out, and why, is listed
there too. See docs/backup.md.
"""

from __future__ import annotations

from pb.backup.errors import BackupError
from pb.backup.export import export_cycle
from pb.backup.restore import Restored, import_cycle
from pb.backup.schema import FORMAT, VERSION

__all__ = ["FORMAT", "VERSION", "BackupError", "Restored", "export_cycle", "import_cycle"]
