"""Configuration classes. Secrets come from the environment; production refuses to start without them."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import ClassVar


class Config:
    """Defaults shared by every environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    # Separate from SECRET_KEY so that rotating session keys never re-keys ballots:
    # it derives the pseudonymous voter key under which a ballot is stored.
    BALLOT_KEY_SECRET: str | None = os.environ.get("BALLOT_KEY_SECRET", "dev-only-ballot-key")
    SQLALCHEMY_ENGINES: ClassVar[dict[str, str]] = {"default": os.environ.get("DATABASE_URL", "sqlite:///cyd.sqlite3")}
    WTF_CSRF_TIME_LIMIT = None  # a resident may take an hour over a ballot
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=8)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    SIGN_IN_RATE_LIMIT = "10 per minute;50 per hour"
    # Failed sign-ins to one account: after 5 in 15 minutes, wait; after 20 in a day, wait longer.
    SIGN_IN_FAILURE_LIMIT = "5 per 15 minutes;20 per day"
    TIMEZONE = "Europe/London"  # dates people type (a stage's closing day) are in the council's zone
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")
    LANGUAGES = ("en", "cy")
    HSTS = False
    # How many proxies (TLS terminator, load balancer) stand in front of the app and set
    # X-Forwarded-For/-Proto. The rate limits count per client address, so behind a proxy the
    # app must read it from that header; with no proxy it must not, or anyone could pick theirs.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))


class DevelopmentConfig(Config):
    """`make run`: SQLite under instance/, friendly debugging."""

    DEBUG = True


class TestConfig(Config):
    """pytest: a fresh database per test (set by the fixtures), CSRF on as in production."""

    TESTING = True
    SERVER_NAME = "localhost"
    RATELIMIT_ENABLED = False
    # Hashing at full strength makes the suite crawl; argon2's parameters are lowered only here.
    PASSWORD_HASH_FAST = True


class ProductionConfig(Config):
    """Behind TLS, with every secret from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    BALLOT_KEY_SECRET = os.environ.get("BALLOT_KEY_SECRET")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    HSTS = True
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "1"))  # production runs behind a TLS proxy (docs/deployment.md)

    @classmethod
    def check(cls) -> None:
        """Raise RuntimeError when a secret the app cannot run safely without is missing."""
        missing = [name for name in ("SECRET_KEY", "BALLOT_KEY_SECRET", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production needs these environment variables: {', '.join(missing)}")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
