"""Text that every form and API field accepts: no control characters.

A control character (C0, DEL or C1) in a pseudonym or a motion title is never
what a person typed: it hides text, spoofs terminals and log viewers, and NUL
cannot even be stored in PostgreSQL (the database refuses it with an error, a
500 before this check). Lone surrogates cannot be encoded as UTF-8 at all.
Multi-line fields (textareas, bodies, reasons) keep tab, line feed and carriage
return (browsers send CRLF); single-line fields refuse them too.

The rule lives here once; forms apply it through ``ControlCharactersFormMixin``
and the JSON API through ``asamblea.core.schemas.InputSchema``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

LINE_BREAKS = frozenset("\t\n\r")
"""The control characters a multi-line field allows."""


def is_refused(char: str, *, multiline: bool) -> bool:
    """Whether ``char`` is refused: C0 controls, DEL, C1 controls and lone
    surrogates; in multi-line text tab, LF and CR are allowed."""
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return not (multiline and char in LINE_BREAKS)
    return 0xD800 <= code <= 0xDFFF


def first_refused(text: str, *, multiline: bool) -> int | None:
    """The index of the first refused character of ``text``, or None."""
    for index, char in enumerate(text):
        if is_refused(char, multiline=multiline):
            return index
    return None


def refusal_message(text: str, index: int) -> str:
    """The message shown for the refused character at ``index`` of ``text``."""
    return str(
        _(
            "This text contains a control character (U+%(code)04X) at position"
            " %(position)d; remove it."
        )
        % {"code": ord(text[index]), "position": index + 1}
    )


def check_text(text: str, *, multiline: bool) -> str:
    """Return ``text`` unchanged, or raise ``ValueError`` with a clear message.

    A ``ValueError`` is what pydantic turns into a field error; forms use
    ``NoControlCharacters`` instead.
    """
    index = first_refused(text, multiline=multiline)
    if index is not None:
        raise ValueError(refusal_message(text, index))
    return text


@deconstructible
class NoControlCharacters:
    """Django validator form of the rule (single-line unless ``multiline``)."""

    code = "control_character"

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        index = first_refused(value, multiline=self.multiline)
        if index is not None:
            raise ValidationError(refusal_message(value, index), code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlCharacters) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


class ControlCharactersFormMixin:
    """Give every text field of the form the control-character check.

    A field is multi-line when its widget is a ``Textarea``. Put the mixin
    before ``forms.Form`` in the bases.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators = [*field.validators, NoControlCharacters(multiline=multiline)]


class TextForm(ControlCharactersFormMixin, forms.Form):
    """``forms.Form`` with the control-character check on every text field."""
