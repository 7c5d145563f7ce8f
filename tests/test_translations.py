"""The Chinese catalogue is complete and consistent with the source, and the app speaks it.

The interface is written with English msgids; Simplified Chinese is the default language. A
string added to the code or a template without a Chinese translation fails
``test_every_message_has_a_chinese_translation`` with the list of the missing ones: run
``make messages``, translate them in ``feedback/translations/zh/LC_MESSAGES/messages.po`` and
run ``make translations``.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from flask_babel import refresh

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "feedback" / "translations"
ZH_PO = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
ZH_MO = ZH_PO.with_suffix(".mo")

# The keywords of `make messages` (pybabel's defaults plus -k _l -k lazy_gettext).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}

# %(name)s, %(n)d, %s, %.1f …; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
# ASCII punctuation right after a Chinese character: Chinese sentences use full-width marks.
HALF_WIDTH_AFTER_HAN = re.compile(r"[\u4e00-\u9fff][,;:!?()]|[\u4e00-\u9fff]\.(?:\s|$)")


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def _translated(message: Message) -> bool:
    strings = _strings(message)
    return bool(strings) and all(strings) and not message.fuzzy


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with ZH_PO.open("rb") as f:
        return read_po(f, locale="zh")


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | tuple[str, ...], str | None], list[str]]:
    """Every message in the source, as `make messages` extracts it, with where it is used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, filename="babel.cfg")
    found: dict[tuple[str | tuple[str, ...], str | None], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((message, context), []).append(f"{filename}:{lineno}")
    assert found, "no messages extracted: is babel.cfg still where it was?"
    return found


def _entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def test_every_message_has_a_chinese_translation(catalog, extracted):
    missing = []
    for (msgid, context), where in sorted(extracted.items(), key=lambda i: i[1][0]):
        message = catalog.get(_key(msgid), context)
        if message is None or message.id != msgid or not _translated(message):
            missing.append(f"  {msgid!r}  ({where[0]})")
    assert not missing, (
        f"{len(missing)} message(s) without a Chinese translation. Run `make messages`, "
        f"translate them in {ZH_PO.relative_to(ROOT)} (no fuzzy flags) and run "
        "`make translations`:\n" + "\n".join(missing)
    )


def test_no_translation_is_fuzzy_or_empty(catalog):
    bad = [m.id for m in _entries(catalog) if not _translated(m)]
    assert not bad, f"fuzzy or empty entries in {ZH_PO.name}: {bad}"


def test_plural_entries_have_one_form(catalog):
    # zh: nplurals=1, plural=0. A second msgstr[] would never be shown.
    assert catalog.num_plurals == 1
    wrong = [m.id for m in _entries(catalog) if m.pluralizable and len(_strings(m)) != 1]
    assert not wrong, f"plural entries need exactly one msgstr[0] in zh: {wrong}"


def _placeholders(text: str) -> tuple[set[str], Counter[str]]:
    """Named placeholders as a set, positional ones (%s, %d) counted by conversion."""
    named, positional = set(), Counter()
    for match in PLACEHOLDER.finditer(text.replace("%%", "")):
        if match.group(1):
            named.add(match.group(0))
        else:
            positional[match.group(0)] += 1
    return named, positional


def test_translations_keep_the_placeholders(catalog):
    wrong = []
    for message in _entries(catalog):
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        expected_named = set().union(*(_placeholders(i)[0] for i in ids))
        expected_positional = _placeholders(ids[0])[1]
        for string in _strings(message):
            if not string:
                continue
            named, positional = _placeholders(string)
            if named != expected_named or positional != expected_positional:
                wrong.append(f"  {message.id!r} -> {string!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_chinese_sentences_use_full_width_punctuation(catalog):
    wrong = [
        f"  {s!r}" for m in _entries(catalog) for s in _strings(m) if HALF_WIDTH_AFTER_HAN.search(s)
    ]
    assert not wrong, "use ，；：！？（）。 in Chinese text:\n" + "\n".join(wrong)


def test_compiled_catalogue_exists_and_is_current(catalog):
    assert ZH_MO.exists(), (
        f"{ZH_MO.relative_to(ROOT)} is missing: run `make translations` "
        "(the .mo files are compiled at install time and not committed)"
    )
    with ZH_MO.open("rb") as f:
        compiled = read_mo(f)
    # Untranslated entries are left out of a .mo; the test above reports those.
    stale = [
        m.id
        for m in _entries(catalog)
        if all(_strings(m))
        and ((c := compiled.get(_key(m.id))) is None or _strings(c) != _strings(m))
    ]
    assert not stale, (
        f"{ZH_MO.relative_to(ROOT)} is older than the .po ({len(stale)} entries differ): "
        "run `make translations`"
    )


def _page(client: FlaskClient, url: str = "/") -> str:
    # Flask-Babel caches the locale on `g`, and the `app` fixture keeps one app context (one
    # `g`) for the whole test: without a refresh every request would get the first one's.
    refresh()
    return client.get(url).get_data(as_text=True)


def test_home_page_is_in_chinese_by_default(client):
    html = _page(client)
    assert '<html lang="zh-CN">' in html
    assert "工作人员登录" in html
    assert "满意" in html
    assert "Staff sign in" not in html


def test_home_page_in_english_with_the_language_cookie(app, client):
    # Werkzeug 3: set_cookie(key, value, *, domain="localhost", ...). The test requests go to
    # SERVER_NAME, so the cookie must be set for that domain or it is never sent.
    client.set_cookie("manyi_lang", "en", domain=app.config["SERVER_NAME"])
    html = _page(client)
    assert '<html lang="en">' in html
    assert "Staff sign in" in html
    assert "登录" not in html


def test_home_page_in_english_with_the_lang_parameter(client):
    html = _page(client, "/?lang=en")
    assert '<html lang="en">' in html
    assert "Staff sign in" in html
    assert "登录" not in html


def test_an_unknown_language_falls_back_to_chinese(client):
    assert "工作人员登录" in _page(client, "/?lang=xx")


def test_choosing_a_language_remembers_it(client):
    response = client.post("/lang/en", data={"next": "/"})
    assert response.status_code == 302
    assert "Staff sign in" in _page(client)
    client.post("/lang/zh", data={"next": "/"})
    assert "工作人员登录" in _page(client)
