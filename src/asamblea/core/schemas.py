"""Base of every JSON API input schema.

``InputSchema`` applies ``asamblea.core.validation``'s control-character rule to
every string it holds (fields, list items, dict keys and values, nested
schemas), so no handler sees a NUL or an escape sequence. Fields whose type is
``Text`` keep tab and line breaks; every other string is a single line.

It also refuses JSON ``true``/``false`` wherever the field's type has no
``bool`` in it: pydantic would otherwise read ``true`` as the integer 1 (so
``{"choice": [true]}`` chose option 1).
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, ValidationInfo, field_validator

from asamblea.core.validation import check_text


class _MultiLine:
    """Marks a string field as multi-line (tab and line breaks allowed)."""

    def __repr__(self) -> str:
        return "MULTILINE"


MULTILINE = _MultiLine()

Text = Annotated[str, MULTILINE]
"""A multi-line string: tab, LF and CR allowed, other control characters not."""


def _check(value: Any, *, multiline: bool) -> None:
    if isinstance(value, str):
        check_text(value, multiline=multiline)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(item, multiline=multiline)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, multiline=False)
            _check(item, multiline=multiline)
    elif isinstance(value, BaseModel) and not isinstance(value, InputSchema):
        for name in type(value).model_fields:
            _check(getattr(value, name), multiline=False)


def _allows_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    if isinstance(annotation, type) and issubclass(annotation, InputSchema):
        # A nested input schema checks its own fields (its booleans are its own).
        return True
    return any(_allows_bool(arg) for arg in get_args(annotation))


def _holds_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, list | tuple):
        return any(_holds_bool(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_bool(item) for item in value.values())
    return False


class InputSchema(Schema):
    """A ninja ``Schema`` whose strings refuse control characters and whose
    non-boolean fields refuse booleans (422)."""

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_booleans(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and not _allows_bool(field.annotation) and _holds_bool(value):
            raise ValueError(_("true and false are not accepted here."))
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        multiline = field is not None and any(m is MULTILINE for m in field.metadata)
        _check(value, multiline=multiline)
        return value
