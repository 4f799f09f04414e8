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
    # Email, for links about accounts (docs/deployment.md, "Email"). With MAIL_SERVER, messages go out
    # through it; without, development writes them to the log and production sends none.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_SECURITY = os.environ.get("MAIL_SECURITY", "starttls")  # starttls, tls (port 465) or none
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Cyd <cyd@localhost>")
    MAIL_BACKEND: str | None = "smtp" if MAIL_SERVER else "log"  # pb/mail.py
    # The scheme and host that links in emails lead to, like https://cyd.example.gov.uk. Without
    # it, the address the request came to: fine on a laptop, not behind a proxy (a forged Host
    # header would put someone else's site in a password reset link).
    PUBLIC_URL = os.environ.get("PUBLIC_URL")
    PASSWORD_RESET_LINK_AGE = timedelta(hours=1)
    EMAIL_CHANGE_LINK_AGE = timedelta(hours=24)  # a new address's confirmation may be read the next day
    SIGN_UP_LINK_AGE = timedelta(hours=24)  # the link that finishes creating an account, likewise
    # Links asked for one address, whoever asks: enough for a lost email, too few to flood an inbox.
    PASSWORD_RESET_LIMIT = "3 per hour;10 per day"
    SIGN_UP_LIMIT = "3 per hour;10 per day"


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
    MAIL_BACKEND = "memory"  # pb.mail.outbox()


class ProductionConfig(Config):
    """Behind TLS, with every secret from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    BALLOT_KEY_SECRET = os.environ.get("BALLOT_KEY_SECRET")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    HSTS = True
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "1"))  # production runs behind a TLS proxy (docs/deployment.md)
    MAIL_BACKEND = "smtp" if Config.MAIL_SERVER else None  # no MAIL_SERVER: no email, and no password reset

    @classmethod
    def check(cls) -> None:
        """Raise RuntimeError when a secret the app cannot run safely without is missing."""
        needed = ["SECRET_KEY", "BALLOT_KEY_SECRET", "DATABASE_URL"]
        if os.environ.get("MAIL_SERVER"):
            needed += ["MAIL_FROM", "PUBLIC_URL"]  # an email must say who sent it, and lead to this site
        missing = [name for name in needed if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Production needs these environment variables: {', '.join(missing)}")
        if os.environ.get("MAIL_SERVER") and not os.environ["PUBLIC_URL"].startswith("https://"):
            raise RuntimeError("PUBLIC_URL must start with https://, like https://cyd.example.gov.uk")
        if os.environ.get("MAIL_SECURITY", "starttls") not in ("starttls", "tls", "none"):
            raise RuntimeError("MAIL_SECURITY must be starttls, tls or none")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
