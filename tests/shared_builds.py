"""What each test's app would otherwise build again: compiled templates and URL builders.

Every test creates its own app, as a worker does once, so that nothing one test does can reach
another. Two things an app builds are the same for every app of the suite, and building them
was over a third of the suite's time: the compiled templates (Jinja) and, for each of the ~130
routes, the function that builds its URL (Werkzeug). `install()` makes every app in the test
process share them; the apps are otherwise what production runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing import Rule


class SharedTemplates(BytecodeCache):
    """Compiled templates kept in memory for the whole test process.

    Jinja checks each template's source against the checksum kept with its code, so a changed
    template is compiled again. The code also depends on the environment's options (autoescaping,
    the i18n extension), which are not part of its key: every app here is made by `create_app`,
    with the same options; a test that changed them would need a cache of its own.
    """

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


class SharedBuilderRule(Rule):
    """A route whose URL builder is compiled once for every app with the same route.

    A builder depends only on the route (its text, converters included, and its parts), its
    defaults and whether it adds unknown arguments as a query string; it reaches the route's own
    converters through the rule it is bound to, so one compiled function serves the same route in
    every app.
    """

    builders: ClassVar[dict[tuple[Any, ...], Callable[..., tuple[str, str]]]] = {}

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        key = (append_unknown, self.rule, tuple(self._trace), repr(sorted((self.defaults or {}).items())))
        if key not in self.builders:
            self.builders[key] = super()._compile_builder(append_unknown)
        return self.builders[key]


def install() -> None:
    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": SharedTemplates()}
    Flask.url_rule_class = SharedBuilderRule
