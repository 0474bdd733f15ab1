"""Pure rules for motion texts: paragraphs, amendments and word diffs.

No ORM and no Django here, so these rules are cheap to test exhaustively.
A text is a list of paragraphs separated by blank lines; line endings are
normalised to ``\\n`` and each paragraph is stripped of surrounding whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from difflib import SequenceMatcher
from typing import Literal

REPLACE_PARAGRAPH = "replace_paragraph"
INSERT_PARAGRAPH = "insert_paragraph"
DELETE_PARAGRAPH = "delete_paragraph"
REPLACE_TEXT = "replace_text"
KINDS = frozenset({REPLACE_PARAGRAPH, INSERT_PARAGRAPH, DELETE_PARAGRAPH, REPLACE_TEXT})
KINDS_WITH_PARAGRAPH = frozenset({REPLACE_PARAGRAPH, INSERT_PARAGRAPH, DELETE_PARAGRAPH})
KINDS_WITH_TEXT = frozenset({REPLACE_PARAGRAPH, INSERT_PARAGRAPH, REPLACE_TEXT})

DiffOp = Literal["equal", "delete", "insert"]

_BLANK_LINES = re.compile(r"\n[ \t\f\v]*\n")
_TOKENS = re.compile(r"\s+|\S+")


class AmendmentDoesNotApply(ValueError):
    """The amendment cannot be applied to the text it was given.

    ``reason`` is a stable code: ``paragraph_out_of_range``, ``text_required``,
    ``empty_result``, ``unknown_kind``, ``text_changed``.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``: separated by one or more blank lines, stripped,
    empty ones dropped."""
    parts = _BLANK_LINES.split(normalise_newlines(text))
    return [p.strip() for p in parts if p.strip()]


def join_paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


def normalise_text(text: str) -> str:
    """The canonical form in which motion texts are stored."""
    return join_paragraphs(split_paragraphs(text))


def check_paragraph(*, kind: str, paragraph: int | None, count: int) -> None:
    """Raise ``AmendmentDoesNotApply`` if ``paragraph`` is not a valid index for
    ``kind`` in a text of ``count`` paragraphs (an insertion may append)."""
    if kind not in KINDS:
        raise AmendmentDoesNotApply("unknown_kind")
    if kind not in KINDS_WITH_PARAGRAPH:
        return
    upper = count if kind == INSERT_PARAGRAPH else count - 1
    if paragraph is None or paragraph < 0 or paragraph > upper:
        raise AmendmentDoesNotApply("paragraph_out_of_range")


def apply_amendment(text: str, kind: str, paragraph: int | None, new_text: str) -> str:
    """Return ``text`` with the amendment applied, in canonical form.

    ``paragraph`` is a 0-based index into ``split_paragraphs(text)``; an
    insertion goes before it. Raises ``AmendmentDoesNotApply`` when the index
    does not exist, when a required new text is empty, or when the result
    would be an empty text.
    """
    paragraphs = split_paragraphs(text)
    check_paragraph(kind=kind, paragraph=paragraph, count=len(paragraphs))
    replacement = split_paragraphs(new_text)
    if kind in KINDS_WITH_TEXT and not replacement:
        raise AmendmentDoesNotApply("text_required")
    if kind == REPLACE_TEXT:
        result = replacement
    else:
        assert paragraph is not None  # noqa: S101 - check_paragraph guarantees it
        if kind == REPLACE_PARAGRAPH:
            result = paragraphs[:paragraph] + replacement + paragraphs[paragraph + 1 :]
        elif kind == INSERT_PARAGRAPH:
            result = paragraphs[:paragraph] + replacement + paragraphs[paragraph:]
        else:
            result = paragraphs[:paragraph] + paragraphs[paragraph + 1 :]
    if not result:
        raise AmendmentDoesNotApply("empty_result")
    return join_paragraphs(result)


def rebase_paragraph(
    base_text: str, current_text: str, kind: str, paragraph: int | None
) -> int | None:
    """Where an amendment drafted against ``base_text`` lands in ``current_text``.

    Returns the index to use in the current text, or None when the paragraph it
    targets (or, for an insertion, either neighbour of the insertion point) was
    changed since, so that applying it would touch the wrong words. For
    ``replace_text`` any change since the base makes it inapplicable: merging it
    would silently undo the accepted changes.
    """
    base = split_paragraphs(base_text)
    current = split_paragraphs(current_text)
    if kind == REPLACE_TEXT:
        return paragraph if base == current else None
    if paragraph is None:
        return None
    if base == current:
        return paragraph
    mapping: dict[int, int] = {}
    matcher = SequenceMatcher(a=base, b=current, autojunk=False)
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                mapping[i1 + k] = j1 + k
    if kind != INSERT_PARAGRAPH:
        return mapping.get(paragraph)
    if paragraph == 0:
        return 0 if mapping.get(0) == 0 else None
    before = mapping.get(paragraph - 1)
    if before is None:
        return None
    if paragraph == len(base):
        return before + 1 if before + 1 == len(current) else None
    return before + 1 if mapping.get(paragraph) == before + 1 else None


def amendment_applies(
    base_text: str, current_text: str, kind: str, paragraph: int | None, new_text: str
) -> bool:
    """True if the amendment, drafted against ``base_text``, can still be merged
    into ``current_text`` without touching text it was not written for."""
    index = rebase_paragraph(base_text, current_text, kind, paragraph)
    if index is None and kind != REPLACE_TEXT:
        return False
    if kind == REPLACE_TEXT and split_paragraphs(base_text) != split_paragraphs(current_text):
        return False
    try:
        apply_amendment(current_text, kind, index, new_text)
    except AmendmentDoesNotApply:
        return False
    return True


def affected_fragments(
    text: str, kind: str, paragraph: int | None, new_text: str
) -> tuple[str, str]:
    """The old and new wording of just the part an amendment touches, for a
    compact preview. Preconditions as for ``apply_amendment``."""
    paragraphs = split_paragraphs(text)
    check_paragraph(kind=kind, paragraph=paragraph, count=len(paragraphs))
    if kind == REPLACE_TEXT:
        return join_paragraphs(paragraphs), normalise_text(new_text)
    assert paragraph is not None  # noqa: S101 - check_paragraph guarantees it
    if kind == INSERT_PARAGRAPH:
        return "", normalise_text(new_text)
    if kind == DELETE_PARAGRAPH:
        return paragraphs[paragraph], ""
    return paragraphs[paragraph], normalise_text(new_text)


def _tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def diff_words(old: str, new: str) -> list[tuple[DiffOp, str]]:
    """Word-level diff: runs of ``equal``, ``delete`` and ``insert`` text.

    Joining the ``equal`` and ``delete`` runs gives ``old``; joining the
    ``equal`` and ``insert`` runs gives ``new``. Adjacent runs of the same kind
    are merged.
    """
    a, b = _tokens(old), _tokens(new)
    ops: list[tuple[DiffOp, str]] = []

    def push(op: DiffOp, text: str) -> None:
        if not text:
            return
        if ops and ops[-1][0] == op:
            ops[-1] = (op, ops[-1][1] + text)
        else:
            ops.append((op, text))

    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push("equal", "".join(a[i1:i2]))
        else:
            push("delete", "".join(a[i1:i2]))
            push("insert", "".join(b[j1:j2]))
    return ops


# --- seconds from several committees ---------------------------------------------


def committees_represented(committees_of_seconders: Sequence[Collection[int]]) -> int:
    """How many different committees the seconders speak for, each seconder
    counting for at most one of the committees they belong to (a maximum
    matching of seconders to committees, so that one member of two
    committees cannot stand for both)."""
    owner: dict[int, int] = {}  # committee -> index of the seconder counted for it

    def place(seconder: int, seen: set[int]) -> bool:
        for committee in committees_of_seconders[seconder]:
            if committee in seen:
                continue
            seen.add(committee)
            if committee not in owner or place(owner[committee], seen):
                owner[committee] = seconder
                return True
        return False

    return sum(1 for i in range(len(committees_of_seconders)) if place(i, set()))
