"""Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage

from pb.db import db


class ThreadSafeMemoryStorage(MemoryStorage):
    """limits' memory storage, safe with gunicorn's threads: its expiry timer is restarted under a lock.

    limits 5.8.0 can start one timer twice when two threads count a hit at once, and that request
    fails with "threads can only be started once" (alisaifee/limits#352, not in a release yet).
    """

    STORAGE_SCHEME: ClassVar[list[str]] = ["memory"]  # memory:// means this class from now on

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._expiry_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:
        with self._expiry_lock:
            super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


babel = Babel()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
login_manager = LoginManager()

__all__ = ["babel", "csrf", "db", "htmx", "limiter", "login_manager"]
