"""What Cyd's logs leave out: the key in a link sent by email.

A reset link, a sign-up link or a new address's confirmation works for whoever holds it, for
hours, and a sign-up link's key spells out the address it was sent to (it is signed, not
encrypted: pb/accounts/links.py). The key is in the path of the page the link opens, and so in
what a log writes of a request: gunicorn's access log (the request line, and the Referer of the
requests that page makes next: pb/serving.py) and the app's own log (Flask's "Exception on
<path>", the database errors of pb/errors.py). Each writes `[key]` in its place.

The one log that shows links whole is `make run`'s, where an email is written to the terminal
instead of sent (pb/mail.py, MAIL_BACKEND "log"): that is how a developer follows them.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from flask import Flask

# The pages a link in an email opens; each takes the key as `<token>` (tests/test_serving.py).
LINK_PAGES = ("/sign-up/", "/account/reset/", "/account/email/confirm/")
_LINK_PAGE = re.compile("|".join(map(re.escape, LINK_PAGES)))
_KEY_IN_LINK = re.compile("(" + _LINK_PAGE.pattern + r")(?!sent(?:[?#\s\"]|$))[^/?#\s\"]+")
SHOWS_LINKS = "cyd_shows_links"  # a log record's attribute: this record means to show links whole


def without_keys(text: str) -> str:
    """`text` with the key of every email link in it replaced, so that it can be logged.

    A path may be percent-encoded ("/sign%2Dup/…" opens the same page): it is read decoded.
    """
    if not _LINK_PAGE.search(text):
        decoded = unquote(text) if "%" in text else text
        if decoded is text or not _LINK_PAGE.search(decoded):
            return text
        text = decoded
    return _KEY_IN_LINK.sub(r"\1[key]", text)


class WithoutKeys(logging.Filter):
    """Writes `[key]` for the key of an email link in a record's message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, SHOWS_LINKS, False):
            message = record.getMessage()
            cleaned = without_keys(message)
            if cleaned != message:
                record.msg, record.args = cleaned, ()
        return True


WITHOUT_KEYS = WithoutKeys()  # one filter, so that adding it again adds nothing


def keep_keys_out_of_the_log(app: Flask) -> None:
    app.logger.addFilter(WITHOUT_KEYS)
