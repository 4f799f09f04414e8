"""The accounts a backup names: matched by email in the target, or created with no usable password.

An account that exists already is the target's own: the file never changes its name,
postcode or anything else. One it creates has the file's details and a password hash that no
password matches (argon2 refuses it as a hash), so nobody can sign in to it until a password
is set for it: the file never carries password hashes (schema.USER_SECRETS).
"""

from __future__ import annotations

from typing import Any

from pb.accounts.models import User
from pb.accounts.services import find_by_email, normalise_email
from pb.backup.errors import BackupError
from pb.backup.schema import USER_FIELDS
from pb.backup.values import decode
from pb.db import session

NO_PASSWORD = "!"  # not an argon2 hash: verifying any password against it fails


def match_accounts(people: Any) -> tuple[dict[int, int], int]:
    """Map each account of the file (by its id there) to one of this database; return it and how many were new.

    Raises BackupError for an account the file describes badly, or twice.
    """
    if not isinstance(people, list):
        raise BackupError("The backup's accounts are not a list.")
    mapping: dict[int, int] = {}
    emails: set[str] = set()
    created = 0
    for number, person in enumerate(people, start=1):
        fields = _fields(number, person)
        if fields["email"] in emails or person["id"] in mapping:
            raise BackupError(f"Account {number} in the backup appears twice.")
        emails.add(fields["email"])
        user = find_by_email(fields["email"])
        if user is None:
            user = User(**fields, password_hash=NO_PASSWORD)
            session().add(user)
            session().flush()
            created += 1
        mapping[person["id"]] = user.id
    return mapping, created


def _fields(number: int, person: Any) -> dict[str, Any]:
    if not isinstance(person, dict) or set(person) != {"id", *USER_FIELDS} or not isinstance(person["id"], int):
        raise BackupError(f"Account {number} in the backup is not well formed.")
    columns = User.__table__.c
    try:
        fields = {name: decode(person[name], columns[name]) for name in USER_FIELDS}
    except ValueError as error:
        raise BackupError(f"Account {number} in the backup cannot be read ({error}).") from error
    return fields | {"email": normalise_email(fields["email"])}
