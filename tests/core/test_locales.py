"""The translation catalogs: complete where promised, compiled, and used by the pages.

Spanish and English must translate every message; Quechua and Aymara must
translate at least the navigation, sign-in and voting strings listed below.
Each .po file is read with a small parser of its own and compared with its
compiled .mo, so a forgotten ``compilemessages`` fails here.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from asamblea.voting import services as voting_services
from asamblea.voting.spec import PollSpec
from tests.factories import PASSWORD

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["es", "en", "qu", "ay"]
COMPLETE_LANGUAGES = ["es", "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")

# Strings of the navigation, sign-in, join, profile and voting screens that the
# Quechua and Aymara catalogs must translate (the rest falls back to Spanish).
ESSENTIAL = [
    "Skip to content",
    "My committees",
    "Motions",
    "Polls",
    "Federation",
    "Log in",
    "Log out",
    "Join with an invitation",
    "Language",
    "switch the language|Change",
    "Pseudonym",
    "Password",
    "Password again",
    "Invitation code",
    "Join",
    "No account yet?",
    "Wrong pseudonym or password.",
    "This invitation code is not valid. Check it and type it again.",
    "My profile",
    "Change password",
    "Your vote",
    "Vote",
    "Change my vote",
    "Choose one",
    "Results",
    "Your vote was recorded.",
    "Your vote was changed.",
    "This poll is closed; votes are no longer accepted.",
    "Open",
    "Closed",
    "Yes",
    "No",
    "Abstain",
    "Secret from members",
    "Secret from other members (not from whoever runs the server)",
    "Cancelled by the system:",
    "This password contains your pseudonym, which everyone can see.",
]
# Technical words that the first Quechua and Aymara versions keep in Spanish.
SPANISH_LOANS = {
    "qu": {"Abstain", "Federation"},
    "ay": {"Abstain", "Federation", "Password"},
}


@pytest.fixture(autouse=True)
def _spanish_default_with_fresh_catalogs(settings):
    """Spanish as the default language, with catalogs loaded anew.

    Other suites switch LANGUAGE_CODE to English, and Django keeps each loaded
    catalog with the fallback of its time; resetting LOCALE_PATHS (to the same
    value) makes Django drop the loaded catalogs, here and again afterwards.
    """
    settings.LANGUAGE_CODE = "es"
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    # PO strings use C escapes (\" \\ \n \t), which a Python literal reads alike.
    value = ast.literal_eval(text)
    assert isinstance(value, str)
    return value


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """Return the header fields and the entries (obsolete ``#~`` ones skipped)."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def flush() -> None:
        nonlocal current, started
        if started:
            entries.append(current)
        current, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            target = None
        elif line.startswith("#,"):
            if started:
                flush()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}: continuation without a keyword: {raw}"
            key, index = target
            if key == "msgstr":
                current.msgstr[index] += _unquote(line)
            else:
                setattr(current, key, (getattr(current, key) or "") + _unquote(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and (started and current.msgstr):
                flush()
            started = True
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
                current.msgstr[target[1]] = _unquote(rest)
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                current.msgstr[0] = _unquote(rest)
            elif keyword in ("msgid", "msgid_plural", "msgctxt"):
                target = (keyword, 0)
                setattr(current, keyword, _unquote(rest))
            else:
                raise AssertionError(f"{path}: unexpected line: {raw}")
    flush()
    header_entries = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header_entries) == 1, f"{path}: expected one header entry"
    header = dict(
        line.split(": ", 1) for line in header_entries[0].msgstr[0].splitlines() if ": " in line
    )
    if "fuzzy" in header_entries[0].flags:
        header["#fuzzy"] = "yes"
    return header, [e for e in entries if e is not header_entries[0]]


def catalog(language: str) -> tuple[dict[str, str], list[Entry]]:
    return parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")


def by_msgid(language: str) -> dict[str, Entry]:
    """Entries by msgid; an entry with a context is keyed "context|msgid"."""
    return {(f"{e.msgctxt}|{e.msgid}" if e.msgctxt else e.msgid): e for e in catalog(language)[1]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_header_declares_language_plural_forms_and_utf8(language):
    header, entries = catalog(language)
    assert header["Language"] == language
    assert header["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert "#fuzzy" not in header
    assert len(entries) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_po_file(language):
    _, entries = catalog(language)
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    translated = [e for e in entries if e.translated and "fuzzy" not in e.flags]
    assert translated
    for entry in translated:
        if entry.msgid_plural is not None:
            for n, index in ((1, 0), (2, 1)):
                assert (
                    compiled.ngettext(entry.msgid, entry.msgid_plural, n) == (entry.msgstr[index])
                ), f"{language}: recompile the catalog ({entry.msgid!r})"
        elif entry.msgctxt is not None:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr[0], (
                f"{language}: recompile the catalog ({entry.msgid!r})"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    _, entries = catalog(language)
    for entry in entries:
        expected = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for index, text in entry.msgstr.items():
            if text:
                # A singular form may leave out the count ("one seat").
                found = set(PLACEHOLDER.findall(text))
                allowed = expected | set(PLACEHOLDER.findall(entry.msgid))
                assert found <= allowed, f"{language}: unknown placeholder in {text!r}"
                if entry.msgid_plural is None or index > 0:
                    assert found == expected, f"{language}: placeholder lost in {text!r}"


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_complete_catalog_has_no_empty_or_fuzzy_entry(language):
    _, entries = catalog(language)
    untranslated = [e.msgid for e in entries if not e.translated]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_english_catalog_repeats_the_source_text():
    for entry in catalog("en")[1]:
        assert entry.msgstr[0] == entry.msgid
        if entry.msgid_plural is not None:
            assert entry.msgstr[1] == entry.msgid_plural


def test_catalogs_hold_the_same_messages():
    reference = {(e.msgctxt, e.msgid) for e in catalog("es")[1]}
    for language in ("en", "qu", "ay"):
        assert {(e.msgctxt, e.msgid) for e in catalog(language)[1]} == reference, language


@pytest.mark.parametrize("language", ["qu", "ay"])
def test_indigenous_catalog_translates_navigation_sign_in_and_voting(language):
    entries = by_msgid(language)
    spanish = by_msgid("es")
    missing = [m for m in ESSENTIAL if m not in entries or not entries[m].translated]
    assert missing == []
    # A copy of the Spanish text would pass for a translation; only the words
    # kept as Spanish loans may coincide.
    copied = [
        m
        for m in ESSENTIAL
        if entries[m].msgstr == spanish[m].msgstr and m not in SPANISH_LOANS[language]
    ]
    assert copied == []
    assert not [e.msgid for e in entries.values() if "fuzzy" in e.flags]


@pytest.mark.parametrize(
    ("code", "name_local"), [("qu", "Runasimi"), ("ay", "Aymar aru"), ("es", "español")]
)
def test_language_info_names_each_language_in_itself(code, name_local):
    template = Template(
        "{% load i18n %}{% get_language_info for code as lang %}{{ lang.name_local }}"
    )
    assert template.render(Context({"code": code})) == name_local


def test_gettext_uses_the_quechua_and_aymara_catalogs():
    with translation.override("qu"):
        assert translation.gettext("Log in") == "Yaykuy"
        assert translation.gettext("Yes") == "Arí"
        # Untranslated Quechua strings fall back to Spanish, never to English.
        assert translation.gettext("Compare versions") == "Comparar versiones"
    with translation.override("ay"):
        assert translation.gettext("Log out") == "Mistuña"
        assert translation.gettext("No") == "Janiwa"
    with translation.override("es"):
        assert translation.gettext("Log in") == "Ingresar"


@pytest.mark.django_db
def test_login_page_follows_the_language_cookie():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "qu"
    page = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="qu">' in page
    assert "Yaykuy" in page
    assert "Pakasqa simi" in page
    assert "Invitacionwan yaykuy" in page
    assert "Runasimi" in page
    assert "Aymar aru" in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ay"
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Mantaña" in page
    assert "Invitacionampi mantaña" in page


@pytest.mark.django_db
def test_login_page_follows_the_browser_language():
    page = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ay").content.decode()
    assert "Mantaña" in page
    page = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ingresar" in page


@pytest.mark.django_db
def test_wrong_password_message_is_in_quechua():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "qu"
    response = client.post(
        reverse("accounts:login"), {"pseudonym": "nadie", "password": "wrong-password"}
    )
    assert response.status_code in (200, 400, 401, 422)
    assert "Seudónimo utaq pakasqa simi manan allinchu." in response.content.decode()


@pytest.mark.django_db
def test_poll_page_and_vote_confirmation_in_the_members_language(fed):
    voter = fed.member
    voter.language = "qu"
    voter.save(update_fields=["language"])
    poll = voting_services.create_poll(
        actor=fed.secretary, node=fed.committee_a1, spec=PollSpec(question="¿Paro regional?")
    )
    poll = voting_services.open_poll(actor=fed.secretary, poll=poll)
    client = Client()
    # Signing in through the form applies the member's saved language.
    client.post(reverse("accounts:login"), {"pseudonym": voter.pseudonym, "password": PASSWORD})

    page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "Akllayniyki" in page  # Your vote
    assert ">Akllay<" in page  # the Vote button
    assert "Kichasqa" in page  # Open
    assert "Akllanakuykuna" in page  # Polls, in the menu
    assert "Lluqsiy" in page  # Log out

    response = client.post(reverse("voting:vote", args=[poll.pk]), {"choice": "1"}, follow=True)
    assert "Akllayniyki qillqasqañam." in response.content.decode()


@pytest.mark.django_db
def test_poll_page_in_aymara_through_the_cookie(fed):
    poll = voting_services.create_poll(
        actor=fed.secretary,
        node=fed.committee_a1,
        spec=PollSpec(question="¿Paro regional?", secret=True),
    )
    voting_services.open_poll(actor=fed.secretary, poll=poll)
    client = Client()
    assert client.login(pseudonym=fed.other_member.pseudonym, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ay"
    page = client.get(reverse("voting:detail", args=[poll.pk])).content.decode()
    assert "Ajllitama" in page
    assert ">Ajlliña<" in page
    assert "Mistuña" in page
    # The secrecy label and note, not the Spanish fallback.
    assert "Masinakat jamasata" in page
    assert "Secreta para" not in page
