"""The one error a backup file can cause: it says what is wrong with the file, in plain words."""

from __future__ import annotations

from pb.errors import PBError


class BackupError(PBError):
    """The file cannot be imported (or the cycle exported) as it is. Nothing has been written."""

    status = 422
