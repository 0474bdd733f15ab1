from __future__ import annotations

from secret_ballot.hash import StreamingDigest, frame, hash_digest, hash_to_scalar


def test_frame_is_length_prefixed() -> None:
    # The comma-joined-decimals ambiguity cannot happen: "ab","c" != "a","bc".
    assert frame("t", "ab", "c") != frame("t", "a", "bc")
    assert frame("t", b"") != frame("t")
    assert frame("t", 1) == frame("t", (1).to_bytes(8, "big"))
    assert frame("t").startswith(len(b"asamblea-secret-ballot/2/t").to_bytes(4, "big"))


def test_tags_separate_domains() -> None:
    assert hash_to_scalar("a", "x") != hash_to_scalar("b", "x")
    assert hash_digest("a", "x") != hash_digest("b", "x")


def test_streaming_digest_equals_one_shot() -> None:
    h = StreamingDigest("credentials")
    for f in (3, "x", b"yz"):
        h.update(f)
    assert h.digest() == hash_digest("credentials", 3, "x", b"yz")
