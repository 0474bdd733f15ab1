"""Pseudonyms compared the way people read them.

Two pseudonyms that look alike on a screen must not both exist, or an
infiltrator could pass for a member: ``rоsa`` with a Cyrillic ``о``, ``ｒｏｓａ``
in fullwidth letters, ``ROSA`` in capitals, ``Iucia`` with a capital I for
``lucia``. Each member therefore has two keys, each in a unique column, and a
new pseudonym is refused if either key is taken:

- ``folded_key``: case folded first (``toNFKC_Casefold``-like), then the
  confusable skeleton of Unicode TR39 (UTS #39, section 4), then folded again.
  Equal for any two spellings that differ in case or by look-alike letters of
  the same case.
- ``shape_key``: the skeleton first, then case folded. Catches capitals that
  look like other lower-case letters (``I`` and ``l``), which folding first
  turns into ``i`` and so misses.

The skeleton maps each character of the NFD form to its prototype in the
Unicode confusables table (``confusables.txt``, as shipped by the
``confusables`` package) and takes the NFD form again. Skeletons are for
comparison only: they are never shown.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

CONFUSABLES_PACKAGE = "confusables"
CONFUSABLES_FILE = "assets/confusables.txt"


def normalize(pseudonym: str) -> str:
    """The form a pseudonym is stored and looked up in: stripped, NFKC."""
    return unicodedata.normalize("NFKC", pseudonym.strip())


@lru_cache(maxsize=1)
def prototypes() -> dict[str, str]:
    """Source character -> prototype string, from the UTS #39 data file."""
    text = resources.files(CONFUSABLES_PACKAGE).joinpath(CONFUSABLES_FILE)
    table: dict[str, str] = {}
    for line in text.read_text(encoding="utf-8-sig").splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        source, target, *_rest = (field.strip() for field in data.split(";"))
        table[chr(int(source, 16))] = "".join(chr(int(cp, 16)) for cp in target.split())
    return table


def skeleton(text: str) -> str:
    """``skeleton(X)`` of UTS #39: NFD, each character to its prototype, NFD."""
    table = prototypes()
    mapped = "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def folded_key(pseudonym: str) -> str:
    return _fold(skeleton(_fold(pseudonym.strip())))


def shape_key(pseudonym: str) -> str:
    return _fold(skeleton(normalize(pseudonym)))


def pseudonym_key(pseudonym: str) -> str:
    """One key for counting sign-in attempts against an account (see ratelimit)."""
    return folded_key(pseudonym)
