from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asamblea.accounts import rules
from asamblea.accounts.rules import InvitationState

NOW = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)


def test_generated_codes_use_the_unambiguous_alphabet_and_differ():
    codes = {rules.generate_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == rules.CODE_LENGTH
        assert set(code) <= set(rules.CODE_ALPHABET)
        assert not set(code) & set("01OIL")


def test_typed_code_ignores_case_dashes_and_spaces():
    code = "7KQM3WXDPH9RT2CE"
    assert rules.normalize_code("7kqm-3wxd-ph9r-t2ce") == code
    assert rules.normalize_code(" 7KQM 3WXD PH9R T2CE ") == code
    assert rules.normalize_code(code) == code


def test_typed_code_with_wrong_length_or_letters_is_not_a_code():
    assert rules.normalize_code("7KQM-3WXD-PH9R") is None
    assert rules.normalize_code("7KQM-3WXD-PH9R-T2C0") is None  # 0 is not in the alphabet
    assert rules.normalize_code("") is None
    assert rules.normalize_code("-" * 1000) is None


def test_format_code_groups_by_four():
    assert rules.format_code("7KQM3WXDPH9RT2CE") == "7KQM-3WXD-PH9R-T2CE"


def test_digest_is_sha256_hex_and_hint_is_short():
    code = "7KQM3WXDPH9RT2CE"
    assert len(rules.code_digest(code)) == 64
    assert rules.code_digest(code) != rules.code_digest("7KQM3WXDPH9RT2CF")
    assert rules.code_hint(code) == "7KQM"


def test_invitation_state_precedence():
    later = NOW + timedelta(days=1)
    earlier = NOW - timedelta(days=1)
    state = rules.invitation_state
    assert state(now=NOW, expires_at=later, used_at=None, revoked_at=None) == InvitationState.ACTIVE
    assert (
        state(now=NOW, expires_at=earlier, used_at=None, revoked_at=None) == InvitationState.EXPIRED
    )
    assert (
        state(now=NOW, expires_at=later, used_at=None, revoked_at=earlier)
        == InvitationState.REVOKED
    )
    assert (
        state(now=NOW, expires_at=earlier, used_at=earlier, revoked_at=None) == InvitationState.USED
    )
    assert state(now=NOW, expires_at=NOW, used_at=None, revoked_at=None) == InvitationState.EXPIRED
