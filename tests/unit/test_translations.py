"""Every user-facing string is extracted and translated into Dutch and French."""

import re

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from tests.demo import ROOT

TRANSLATIONS = ROOT / "coordination" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _catalog(path):
    with path.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            str(ROOT / "coordination"),
            str(ROOT / "templates"),
        ]
    )
    ids = {m.id for m in _catalog(pot) if m.id}
    assert len(ids) > 100  # extraction found the templates and the code
    return ids


@pytest.mark.parametrize("locale", ["nl", "fr"])
def test_every_string_in_the_code_is_translated(extracted, locale):
    catalog = _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted - set(translated))
    assert not missing, f"untranslated in {locale} (run pybabel extract/update): {missing}"


@pytest.mark.parametrize("locale", ["nl", "fr"])
def test_translations_keep_their_placeholders(locale):
    for message in _catalog(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"):
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), (
                message.id
            )
