"""Every user-facing string is extracted and translated into Dutch and French."""

import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from tests.demo import ROOT

TRANSLATIONS = ROOT / "coordination" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _singular(message_id):
    """A plural message is known by its singular form, as extraction reports it."""
    return message_id[0] if isinstance(message_id, tuple) else message_id


def _complete(string) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def _catalog(path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted():
    """Message ids found in the code and templates, the way `pybabel extract -F babel.cfg` finds them."""
    method_map = [("coordination/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    ids = {
        message_id if isinstance(message_id, str) else message_id[0]
        for _file, _line, message_id, _comments, _context in extract_from_dir(
            ROOT, method_map=method_map, keywords=keywords
        )
    }
    assert len(ids) > 100  # extraction found the templates and the code
    return ids


@pytest.mark.parametrize("locale", ["nl", "fr"])
def test_every_string_in_the_code_is_translated(extracted, locale):
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    translated = {_singular(m.id): m.string for m in catalog if m.id and _complete(m.string) and not m.fuzzy}
    missing = sorted(extracted - set(translated))
    assert not missing, f"untranslated in {locale} (run pybabel extract/update): {missing}"


@pytest.mark.parametrize("locale", ["nl", "fr"])
def test_translations_keep_their_placeholders(locale):
    for message in _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"):
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(PLACEHOLDER.findall(ids[-1]))
            for string in strings:
                assert set(PLACEHOLDER.findall(string)) == wanted, message.id
