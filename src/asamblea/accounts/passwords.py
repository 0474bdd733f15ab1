"""A password validator for what people here are likely to choose.

Django's ``CommonPasswordValidator`` knows English passwords. This one refuses
passwords built on a word or phrase of ``weak_passwords.txt`` (Spanish everyday
passwords, places, the movement's slogans, the published demo password) or on
the member's own pseudonym, however they are dressed up: capitals, accents,
spaces and punctuation, digits before or after (``Perú-2023!``), and the usual
digit-for-letter swaps (``p3ru``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WORD_LIST = "weak_passwords.txt"
_SWAPS = str.maketrans({"@": "a", "$": "s", "4": "a", "3": "e", "1": "i", "0": "o", "5": "s"})
_DIGITS = "0123456789"
# A pseudonym shorter than this is not worth refusing inside a longer password.
MIN_PSEUDONYM_LENGTH = 4


def _letters(text: str) -> str:
    """Lower case, without accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


def _cores(password: str) -> set[str]:
    """What a guesser would try first: the password without dressing."""
    plain = _letters(password)
    core = plain.strip(_DIGITS)
    swapped = _letters(password.casefold().translate(_SWAPS))
    return {c for c in (plain, core, swapped, _letters(core.translate(_SWAPS))) if c}


@lru_cache(maxsize=1)
def weak_words() -> frozenset[str]:
    text = resources.files("asamblea.accounts").joinpath(WORD_LIST).read_text(encoding="utf-8")
    return frozenset(
        _letters(line) for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


class GuessablePasswordValidator:
    """Refuses a password built on a listed word or on the pseudonym."""

    def validate(self, password: str, user: Any = None) -> None:
        cores = _cores(password)
        if cores & weak_words():
            raise ValidationError(
                _(
                    "This password is built on a common word or slogan, easy to guess. "
                    "Choose a few unrelated words instead."
                ),
                code="password_guessable",
            )
        pseudonym = _letters(str(getattr(user, "pseudonym", "") or ""))
        if len(pseudonym) >= MIN_PSEUDONYM_LENGTH and any(pseudonym in core for core in cores):
            raise ValidationError(
                _("This password contains your pseudonym, which everyone can see."),
                code="password_has_pseudonym",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be built on a common word, a slogan or your pseudonym.")
