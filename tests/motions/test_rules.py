"""Pure rules: paragraphs, amendments and word diffs."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asamblea.motions import rules

TEXT = "First paragraph.\n\nSecond one,\nwith two lines.\n\nThird."

words = st.text(alphabet="abcdefghij ,.\n", min_size=0, max_size=60)
paragraph = st.text(alphabet="abcdef ,.", min_size=1, max_size=30).map(str.strip).filter(bool)
paragraph_lists = st.lists(paragraph, min_size=1, max_size=8)


def test_split_paragraphs_on_blank_lines_and_normalises_line_endings():
    text = "One\r\n\r\nTwo\rstill two\n \n\n\nThree  \n"
    assert rules.split_paragraphs(text) == ["One", "Two\nstill two", "Three"]


def test_split_of_empty_or_blank_text_is_empty():
    assert rules.split_paragraphs("") == []
    assert rules.split_paragraphs(" \n\n \r\n") == []


def test_replace_paragraph():
    result = rules.apply_amendment(TEXT, rules.REPLACE_PARAGRAPH, 1, "New second.")
    assert rules.split_paragraphs(result) == ["First paragraph.", "New second.", "Third."]


def test_insert_paragraph_before_and_at_end():
    assert (
        rules.split_paragraphs(rules.apply_amendment(TEXT, rules.INSERT_PARAGRAPH, 0, "Zero."))[0]
        == "Zero."
    )
    assert (
        rules.split_paragraphs(rules.apply_amendment(TEXT, rules.INSERT_PARAGRAPH, 3, "End."))[-1]
        == "End."
    )


def test_delete_paragraph():
    result = rules.apply_amendment(TEXT, rules.DELETE_PARAGRAPH, 0, "")
    assert rules.split_paragraphs(result) == ["Second one,\nwith two lines.", "Third."]


def test_replace_whole_text():
    assert rules.apply_amendment(TEXT, rules.REPLACE_TEXT, None, "All new.\r\n\r\nTwo.") == (
        "All new.\n\nTwo."
    )


@pytest.mark.parametrize(
    ("kind", "index"),
    [
        (rules.REPLACE_PARAGRAPH, 3),
        (rules.DELETE_PARAGRAPH, 3),
        (rules.INSERT_PARAGRAPH, 4),
        (rules.REPLACE_PARAGRAPH, -1),
        (rules.REPLACE_PARAGRAPH, None),
    ],
)
def test_missing_paragraph_index_is_refused(kind, index):
    with pytest.raises(rules.AmendmentDoesNotApply) as info:
        rules.apply_amendment(TEXT, kind, index, "x")
    assert info.value.reason == "paragraph_out_of_range"


def test_deleting_the_only_paragraph_is_refused():
    with pytest.raises(rules.AmendmentDoesNotApply) as info:
        rules.apply_amendment("Only.", rules.DELETE_PARAGRAPH, 0, "")
    assert info.value.reason == "empty_result"


def test_replacement_needs_text():
    with pytest.raises(rules.AmendmentDoesNotApply) as info:
        rules.apply_amendment(TEXT, rules.REPLACE_PARAGRAPH, 0, " \n\n ")
    assert info.value.reason == "text_required"


def test_unknown_kind_is_refused():
    with pytest.raises(rules.AmendmentDoesNotApply):
        rules.apply_amendment(TEXT, "shuffle", 0, "x")


def test_rebase_follows_a_paragraph_moved_by_an_insertion_before_it():
    current = rules.apply_amendment(TEXT, rules.INSERT_PARAGRAPH, 0, "Zero.")
    assert rules.rebase_paragraph(TEXT, current, rules.REPLACE_PARAGRAPH, 2) == 3
    assert rules.amendment_applies(TEXT, current, rules.REPLACE_PARAGRAPH, 2, "New third.")


def test_amendment_to_a_changed_paragraph_no_longer_applies():
    current = rules.apply_amendment(TEXT, rules.REPLACE_PARAGRAPH, 1, "Changed.")
    assert rules.rebase_paragraph(TEXT, current, rules.DELETE_PARAGRAPH, 1) is None
    assert not rules.amendment_applies(TEXT, current, rules.DELETE_PARAGRAPH, 1, "")
    # An insertion next to the changed paragraph no longer has its neighbours.
    assert not rules.amendment_applies(TEXT, current, rules.INSERT_PARAGRAPH, 2, "x")
    # The untouched first paragraph still can be amended.
    assert rules.amendment_applies(TEXT, current, rules.REPLACE_PARAGRAPH, 0, "x")


def test_replacing_the_whole_text_applies_only_to_an_unchanged_text():
    current = rules.apply_amendment(TEXT, rules.DELETE_PARAGRAPH, 2, "")
    assert rules.amendment_applies(TEXT, TEXT, rules.REPLACE_TEXT, None, "New.")
    assert not rules.amendment_applies(TEXT, current, rules.REPLACE_TEXT, None, "New.")


def test_append_after_a_text_that_grew_no_longer_applies():
    current = rules.apply_amendment(TEXT, rules.INSERT_PARAGRAPH, 3, "Fourth.")
    assert rules.rebase_paragraph(TEXT, current, rules.INSERT_PARAGRAPH, 3) is None


def test_affected_fragments_show_only_the_touched_paragraph():
    assert rules.affected_fragments(TEXT, rules.REPLACE_PARAGRAPH, 2, "Last.") == (
        "Third.",
        "Last.",
    )
    assert rules.affected_fragments(TEXT, rules.INSERT_PARAGRAPH, 1, "Mid.") == ("", "Mid.")
    assert rules.affected_fragments(TEXT, rules.DELETE_PARAGRAPH, 0, "") == (
        "First paragraph.",
        "",
    )


def test_diff_words_marks_changed_words():
    ops = rules.diff_words("we call a strike today", "we call a general strike tomorrow")
    assert ("insert", "general ") in ops
    assert ("delete", "today") in ops
    assert ("insert", "tomorrow") in ops


@given(words, words)
def test_diff_words_reconstructs_both_texts(old, new):
    ops = rules.diff_words(old, new)
    assert "".join(t for op, t in ops if op != "insert") == old
    assert "".join(t for op, t in ops if op != "delete") == new
    assert all(a[0] != b[0] for a, b in itertools.pairwise(ops))


@given(paragraph_lists)
def test_split_join_round_trip(paragraphs):
    assert rules.split_paragraphs(rules.join_paragraphs(paragraphs)) == paragraphs


@given(words)
def test_normalising_is_idempotent(text):
    once = rules.normalise_text(text)
    assert rules.normalise_text(once) == once
    assert rules.split_paragraphs(once) == rules.split_paragraphs(text)


@given(paragraph_lists, st.data())
def test_apply_changes_exactly_one_paragraph(paragraphs, data):
    text = rules.join_paragraphs(paragraphs)
    index = data.draw(st.integers(min_value=0, max_value=len(paragraphs) - 1))
    new = data.draw(paragraph)
    replaced = rules.split_paragraphs(
        rules.apply_amendment(text, rules.REPLACE_PARAGRAPH, index, new)
    )
    assert replaced == [*paragraphs[:index], new, *paragraphs[index + 1 :]]
    inserted = rules.split_paragraphs(
        rules.apply_amendment(text, rules.INSERT_PARAGRAPH, index, new)
    )
    assert len(inserted) == len(paragraphs) + 1
    assert inserted[index] == new
    if len(paragraphs) > 1:
        deleted = rules.split_paragraphs(
            rules.apply_amendment(text, rules.DELETE_PARAGRAPH, index, "")
        )
        assert deleted == paragraphs[:index] + paragraphs[index + 1 :]


@given(paragraph_lists, st.data())
def test_insert_then_rebase_keeps_the_later_paragraph(paragraphs, data):
    text = rules.join_paragraphs(paragraphs)
    at = data.draw(st.integers(min_value=0, max_value=len(paragraphs)))
    target = data.draw(st.integers(min_value=0, max_value=len(paragraphs) - 1))
    current = rules.apply_amendment(text, rules.INSERT_PARAGRAPH, at, "zzz inserted")
    index = rules.rebase_paragraph(text, current, rules.REPLACE_PARAGRAPH, target)
    if index is not None:
        assert rules.split_paragraphs(current)[index] == paragraphs[target]
