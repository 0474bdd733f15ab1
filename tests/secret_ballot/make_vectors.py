"""Regenerate the known-answer vectors under tests/secret_ballot/vectors/.

    python tests/secret_ballot/make_vectors.py [OUT_DIR]

Everything derives from fixed seeds, so the output is identical on every run
and every machine; test_vectors.py checks that the code still reproduces it.
The JSON is language-neutral: points and scalars in lowercase hex as in the
spec, hash inputs as typed fields.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from secret_ballot import schnorr
from secret_ballot.board import TAG_BOARD_RECEIPT, BoardKeyPair, receipt_context, sign_receipt
from secret_ballot.chaum_pedersen import (
    TAG_CONTEST_RANGE,
    TAG_OPTION_RANGE,
    TAG_PARTIAL_DECRYPTION,
    prove_dleq,
    prove_range,
)
from secret_ballot.credentials import (
    CredentialEntry,
    CredentialKind,
    VotingKeyPair,
    credential_tweak,
    credentials_digest,
)
from secret_ballot.dkg import (
    ROUND_ANNOUNCE,
    UNSIGNED,
    Announcement,
    dealer_message_context,
    encrypt_share,
    share_aad,
    share_key,
)
from secret_ballot.election import Parameters, TrusteeInfo
from secret_ballot.elgamal import encrypt
from secret_ballot.group import G, Point, Scalar, base_mul
from secret_ballot.hash import Field, frame, hash_digest, hash_to_scalar
from secret_ballot.jsonfields import canonical_json
from secret_ballot.simulate import committee_tree, simulate

HERE = Path(__file__).parent / "vectors"


def _s(label: str) -> Scalar:
    return hash_to_scalar("test-vector", label)


def _typed(field: Field) -> dict[str, object]:
    if isinstance(field, Point):
        return {"point": field.hex()}
    if isinstance(field, Scalar):
        return {"scalar": field.hex()}
    if isinstance(field, str):
        return {"str": field}
    if isinstance(field, bytes):
        return {"bytes": field.hex()}
    return {"int": field}


def group_vectors() -> dict[str, object]:
    cases = []
    for label in ("a", "b", "c"):
        k = _s(label)
        p = base_mul(k)
        cases.append({"k": k.hex(), "k_times_g": p.hex(), "k_times_k_times_g": (p * k).hex()})
    return {
        "generator": G.hex(),
        "identity": "00",
        "base_multiples": cases,
        "sum": {
            "p": cases[0]["k_times_g"],
            "q": cases[1]["k_times_g"],
            "p_plus_q": (base_mul(_s("a")) + base_mul(_s("b"))).hex(),
        },
        "invalid_points": [
            "02" + "00" * 31 + "05",
            "04" + G.hex()[2:] + "00" * 32,
            "05" + G.hex()[2:],
        ],
        "invalid_scalars": [
            f"{2**256 - 1:064x}",
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        ],
    }


def hash_vectors() -> list[dict[str, object]]:
    cases: list[tuple[str, tuple[Field, ...]]] = [
        ("example", ()),
        ("example", ("", b"", 0)),
        ("option-range-proof", (b"\x01" * 32, G, "contest", "option", 0, 1)),
        ("tracker", (b"\x02" * 32, b"\x03" * 32, b"\x04" * 32)),
        ("example", (Scalar(1), base_mul(Scalar(2)), 2**53 - 1, "é")),
    ]
    return [
        {
            "tag": tag,
            "fields": [_typed(f) for f in fields],
            "frame": frame(tag, *fields).hex(),
            "hash_to_scalar": hash_to_scalar(tag, *fields).hex(),
            "hash_digest": hash_digest(tag, *fields).hex(),
        }
        for tag, fields in cases
    ]


def proof_vectors() -> dict[str, object]:
    secret = _s("joint secret")
    k = base_mul(secret)
    h_e = hash_digest("test-vector", "election")
    cred = base_mul(_s("credential"))
    encryptions = []
    for m in (0, 1, 5):
        r = _s(f"r{m}")
        ct = encrypt(m, r, k)
        encryptions.append({"m": m, "r": r.hex(), "alpha": ct.alpha.hex(), "beta": ct.beta.hex()})
    ranges = []
    for tag, lo, hi, m, ctx in [
        (TAG_OPTION_RANGE, 0, 1, 1, (h_e, cred, "c1", "o1")),
        (TAG_OPTION_RANGE, 0, 3, 2, (h_e, cred, "c1", "o2")),
        (TAG_CONTEST_RANGE, 1, 2, 1, (h_e, cred, "c1")),
    ]:
        r = _s(f"range {tag} {m}")
        ct = encrypt(m, r, k)
        proof = prove_range(tag, ctx, ct, m, r, k, lo, hi)
        ranges.append(
            {
                "tag": tag,
                "context": [_typed(f) for f in ctx],
                "joint_key": k.hex(),
                "lo": lo,
                "hi": hi,
                "m": m,
                "r": r.hex(),
                "alpha": ct.alpha.hex(),
                "beta": ct.beta.hex(),
                "c": [c.hex() for c in proof.challenges],
                "v": [v.hex() for v in proof.responses],
            }
        )
    x = _s("dleq secret")
    y = base_mul(_s("dleq base"))
    ctx_d: tuple[Field, ...] = (h_e, 1, "c1", "o1")
    dleq = prove_dleq(TAG_PARTIAL_DECRYPTION, ctx_d, x, base_mul(x), y, y * x)
    sk = _s("signer")
    ctx_s: tuple[Field, ...] = (h_e, hash_digest("test-vector", "ballot"))
    sig = schnorr.sign(schnorr.TAG_BALLOT_SIGNATURE, ctx_s, sk, base_mul(sk))
    board = BoardKeyPair.from_secret(_s("board"))
    h_b = hash_digest("test-vector", "ballot")
    tracker = hash_digest("test-vector", "tracker")
    receipt = sign_receipt(h_e, board, 7, h_b, tracker)
    return {
        "board_receipt": {
            "tag": TAG_BOARD_RECEIPT,
            "context": [_typed(f) for f in receipt_context(h_e, 7, h_b, tracker)],
            "secret": board.secret.hex(),
            "public": board.public.hex(),
            "c": receipt.c.hex(),
            "v": receipt.v.hex(),
        },
        "joint_secret": secret.hex(),
        "joint_key": k.hex(),
        "encryptions": encryptions,
        "range_proofs": ranges,
        "dleq": {
            "tag": TAG_PARTIAL_DECRYPTION,
            "context": [_typed(f) for f in ctx_d],
            "secret": x.hex(),
            "x": base_mul(x).hex(),
            "y": y.hex(),
            "z": (y * x).hex(),
            "c": dleq.c.hex(),
            "v": dleq.v.hex(),
        },
        "schnorr_signature": {
            "tag": schnorr.TAG_BALLOT_SIGNATURE,
            "context": [_typed(f) for f in ctx_s],
            "secret": sk.hex(),
            "public": base_mul(sk).hex(),
            "c": sig.c.hex(),
            "v": sig.v.hex(),
        },
    }


def credential_vectors() -> dict[str, object]:
    """Per-election credentials from a voting key (spec §5.5) and a credential list hash."""
    member = VotingKeyPair.from_secret(_s("voting key"))
    cases = []
    for election_id in ("election-1", "election-2"):
        pair = member.credential(election_id)
        cases.append(
            {
                "election_id": election_id,
                "tweak": credential_tweak(member.public, election_id).hex(),
                "credential": pair.public.hex(),
                "credential_secret": pair.secret.hex(),
            }
        )
    entries = [
        CredentialEntry(member.credential("election-1").public, CredentialKind.DEVICE, "c-1"),
        CredentialEntry(base_mul(_s("server-held")), CredentialKind.SERVER, "c-2"),
    ]
    return {
        "voting_secret": member.secret.hex(),
        "voting_key": member.public.hex(),
        "credentials": cases,
        "list": [e.to_json() for e in entries],
        "credentials_hash": credentials_digest(entries, len(entries)).hex(),
    }


def share_vectors() -> dict[str, object]:
    """AES-256-GCM share encryption and a dealer's signed message (spec §6.2, §6.3)."""
    params = Parameters(
        "board-vectors",
        2,
        tuple(TrusteeInfo(i, f"Trustee {i}", base_mul(_s(f"d{i}"))) for i in (1, 2)),
    )
    h_k = params.digest()
    shared = params.trustees[1].communication_key * _s("d1")
    value = _s("share")
    nonce = bytes(range(12))
    share = encrypt_share(h_k, 1, 2, shared, nonce, value)
    announcement = Announcement(1, hash_digest("test-vector", "commitments"), UNSIGNED).signed_by(
        h_k, _s("d1")
    )
    body = announcement.body_json()
    return {
        "parameters": params.to_json(),
        "ceremony_hash": h_k.hex(),
        "dealer": 1,
        "recipient": 2,
        "shared_key": shared.hex(),
        "key": share_key(h_k, 1, 2, shared).hex(),
        "aad": share_aad(h_k, 1, 2).hex(),
        "nonce": nonce.hex(),
        "share": value.hex(),
        "ciphertext": share.ciphertext.hex(),
        "signed_announcement": {
            "message": announcement.to_json(),
            "body_jcs": canonical_json(body).decode(),
            "context": [_typed(f) for f in dealer_message_context(h_k, 1, ROUND_ANNOUNCE, body)],
            "tag": schnorr.TAG_DEALER_MESSAGE,
        },
    }


def committee_vectors() -> dict[str, object]:
    """The committee tree's hash h_T and the grouping of spec §12 for a few turnouts."""
    tree = committee_tree(5)
    ids = [n.node_id for n in tree.nodes]
    turnouts = [
        {
            "committee-1": 40,
            "committee-2": 3,
            "committee-3": 2,
            "committee-4": 2,
            "committee-5": 50,
        },
        {"committee-1": 4, "committee-5": 4, "committee-6": 1},
        {"committee-3": 5, "committee-4": 5, "committee-7": 7},
        {},
    ]
    cases = []
    for turnout in turnouts:
        grouping = tree.grouping([turnout.get(i, 0) for i in ids])
        cases.append(
            {
                "ballots": turnout,
                "groups": [
                    {
                        "group_id": ids[g.node],
                        "ballots": g.ballots,
                        "committees": [ids[c] for c in g.committees],
                    }
                    for g in grouping.groups
                ],
            }
        )
    return {
        "tree": tree.to_json(),
        "committees_hash": tree.digest().hex(),
        "groupings": cases,
    }


def write_all(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "group.json").write_bytes(canonical_json(group_vectors()) + b"\n")
    (out / "hash.json").write_bytes(canonical_json(hash_vectors()) + b"\n")
    (out / "proofs.json").write_bytes(canonical_json(proof_vectors()) + b"\n")
    (out / "credentials.json").write_bytes(canonical_json(credential_vectors()) + b"\n")
    (out / "shares.json").write_bytes(canonical_json(share_vectors()) + b"\n")
    (out / "committees.json").write_bytes(canonical_json(committee_vectors()) + b"\n")
    record = out / "election-record"
    if record.exists():
        shutil.rmtree(record)
    simulate(
        voters=6,
        options=3,
        trustees=3,
        threshold=2,
        out=record,
        seed=b"asamblea test vectors",
        revote_per_mille=400,
        audit_per_mille=400,
        server_held_per_mille=400,
        absent_trustees=(1,),
        # Two committees stand alone, two below the minimum are merged.
        minimum_group=2,
    )


if __name__ == "__main__":
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
