"""Errors raised by the counting library.

Every error carries a machine ``code`` (stable, for translation by the web
app), a ``where`` naming the line or field at fault, and a short English
``message`` meant for logs and the command line.
"""

from __future__ import annotations


class CountingError(ValueError):
    """Base class of every error the counting library raises on purpose."""

    code: str = "counting_error"

    def __init__(self, message: str, *, where: str | None = None, code: str | None = None):
        self.message = message
        self.where = where
        if code is not None:
            self.code = code
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.where:
            return f"{self.where}: {self.message}"
        return self.message


class InvalidBallotError(CountingError):
    """A ballot repeats, skips or names an unknown candidate, or has the wrong kind."""

    code = "invalid_ballot"


class InvalidProfileError(CountingError):
    """The poll as a whole cannot be counted (no candidates, no ballots, bad seats)."""

    code = "invalid_profile"


class ParseError(CountingError):
    """A BLT or JSON file is malformed."""

    code = "parse_error"


class UnsupportedBallotError(CountingError):
    """The method cannot count this kind of ballot (e.g. equal ranks in STV)."""

    code = "unsupported_ballot"


class UnknownMethodError(CountingError):
    """No counting method is registered under this name."""

    code = "unknown_method"
