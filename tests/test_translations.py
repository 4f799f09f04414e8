"""Every word a person reads goes through the Welsh catalogue, and the catalogue answers each one.

Reading the code (not rendering pages) finds the message nobody thought to test in Welsh: an
error raised on a rare path, a flash after a form, a label built from a mandate's field specs.
The JSON API's errors are for programs and stay in English (docs/api.md).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale

ROOT = Path(__file__).resolve().parent.parent
# Raised or shown to a person: the errors pages and forms show, and flash messages.
MESSAGE_CALLS = {
    "Conflict",
    "InvalidBallot",
    "InvalidInput",
    "MandateNotAgreed",
    "NotAuthorised",
    "NotFound",
    "OutsideMandate",
    "PBError",
    "StageNotOpen",
    "flash",
}
VALIDATORS = {"DataRequired", "InputRequired", "Length", "NumberRange", "Email", "Regexp", "EqualTo", "AnyOf"}
# The code card is bilingual on paper whatever the facilitator's language (each part marked with `lang`).
BILINGUAL_TEMPLATES = {"voting/print_codes.html"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _is_words(node: ast.expr) -> bool:
    """A bare string with letters in it, or an f-string: text nobody can translate."""
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and any(c.isalpha() for c in node.value)


def _shown_words(call: ast.Call) -> list[ast.expr]:
    """The arguments of `call` that a person reads."""
    name = _name(call.func)
    keywords = {k.arg: k.value for k in call.keywords}
    if name in MESSAGE_CALLS:
        return call.args[:1] + [keywords[k] for k in ("message",) if k in keywords]
    if name in VALIDATORS:  # EqualTo's first argument is the other field's name
        return ([] if name == "EqualTo" else call.args[:1]) + [keywords[k] for k in ("message",) if k in keywords]
    if name.endswith("Field"):
        return call.args[:1] + [keywords[k] for k in ("label", "description") if k in keywords]
    if name == "SelectChoice":
        return call.args[1:2] + [keywords[k] for k in ("label",) if k in keywords]
    if name == "spec":  # a mandate boundary's field: the editor's label and hint
        return [keywords[k] for k in ("label", "hint") if k in keywords]
    return []


def untranslated_in_code() -> list[str]:
    found = []
    for path in sorted((ROOT / "pb").rglob("*.py")):
        if "api" in path.relative_to(ROOT / "pb").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                found += [
                    f"{path.relative_to(ROOT)}:{arg.lineno}" for arg in _shown_words(node) if _is_words(arg)
                ]
    return found


def untranslated_in_templates() -> list[str]:
    """Words in a template's HTML that are not inside `{{ _(…) }}` or another expression."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        if name in BILINGUAL_TEMPLATES:
            continue
        text = path.read_text()
        for pattern in (r"\{#.*?#\}", r"<(script|style)\b.*?</\1>", r"\{\{.*?\}\}", r"\{%.*?%\}", r"<[^>]*>"):
            text = re.sub(pattern, " ", text, flags=re.S)
        found += [f"{name}: {words}" for words in re.findall(r"[A-Za-z][A-Za-z'’]{3,}(?:[ ,.]+[A-Za-z'’]+)*", text)]
    return found


def test_every_message_in_the_code_is_translatable() -> None:
    assert untranslated_in_code() == []


def test_every_word_in_the_templates_is_translatable() -> None:
    assert untranslated_in_templates() == []


def test_the_bilingual_code_card_marks_each_language() -> None:
    card = (ROOT / "templates" / "voting" / "print_codes.html").read_text()
    assert card.count('lang="en"') == card.count('lang="cy"') == 2


def test_the_welsh_catalogue_answers_every_message() -> None:
    """Each message the code and templates mark has a finished Welsh translation."""
    with (ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    keywords = DEFAULT_KEYWORDS | {"_l": None}
    marked = set()
    for directory, pattern, method in (("pb", "**.py", "python"), ("templates", "**.html", "jinja2")):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / directory, [(pattern, method)], keywords=keywords
        ):
            marked.add((message, context))
    missing = []
    for message, context in sorted(marked, key=str):
        entry = catalogue.get(message, context=context)
        strings = [] if entry is None else [entry.string] if isinstance(entry.string, str) else entry.string
        if entry is None or entry.fuzzy or not all(strings):
            missing.append((context, message))
    assert missing == []


def test_templates_follow_the_locale_of_the_moment_though_the_catalogue_is_kept(app) -> None:  # type: ignore[no-untyped-def]
    """pb.templating.translations() keeps the request's catalogue, but a `force_locale` block (the
    English of a council's export) and the end of that block each get their own."""
    page = app.jinja_env.from_string('{{ _("Sign in") }} {{ ngettext("%(num)d vote", "%(num)d votes", 2) }}')
    # Each in an app context of its own, as a request is (the fixture holds one open for the test).
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=cy"}):
        welsh = page.render()
        assert welsh == page.render()  # from the kept catalogue
        with force_locale("en"):
            assert page.render() == "Sign in 2 votes"
        assert page.render() == welsh
    assert welsh.startswith("Mewngofnodi ")
    with app.app_context(), app.test_request_context("/"):
        assert page.render() == "Sign in 2 votes"  # a new request, a new catalogue
