"""RFC 3161 time-stamps of evidence hashes.

A time-stamping authority (TSA) signs "this SHA-256 existed at this time";
the token then lets a court see that a file's hash, and so the file, has not
changed since. Asking reveals to the authority when each hash was made, so it
is off unless ``ASAMBLEA_EVIDENCE_TSA_URL`` is set.

Functions over bytes (``asn1crypto`` to encode and parse, ``cryptography`` to
check the signature); no settings, no database:

- :func:`request` builds a ``TimeStampReq`` (SHA-256 imprint, a random nonce,
  the authority's certificate asked for); :func:`fetch` posts it
  (``application/timestamp-query``) and returns the ``TimeStampToken``.
- :func:`verify` checks a token against a digest: a CMS ``SignedData`` over a
  ``TSTInfo`` whose message imprint is that SHA-256 (and nonce, when given);
  signed attributes whose ``content-type`` is ``TSTInfo`` and whose
  ``message-digest`` is the hash of the ``TSTInfo`` bytes; a signature by the
  certificate the signer info names, which carries the (critical)
  ``timeStamping`` extended key usage; and, if a pinned certificate is given,
  that it is that one. Building a path from that certificate to a root the
  court trusts is left to the court's tools (``openssl ts -verify -CAfile``):
  this server has no trust store of authorities.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

CONTENT_TYPE_QUERY = "application/timestamp-query"
CONTENT_TYPE_REPLY = "application/timestamp-reply"
MAX_REPLY = 64 * 1024
GRANTED = ("granted", "granted_with_mods")
_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimestampError(Exception):
    """The authority's answer, or a stored token, does not hold."""


@dataclass(frozen=True)
class TokenInfo:
    gen_time: datetime
    serial_number: int
    policy: str
    signer: str


def request(digest: bytes, *, nonce: int) -> bytes:
    """DER of a ``TimeStampReq`` for a SHA-256 ``digest``."""
    if len(digest) != 32:
        raise ValueError("a SHA-256 digest is 32 bytes")
    encoded = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    ).dump()
    return bytes(encoded)


def fetch(url: str, digest: bytes, *, timeout: float = 15.0) -> tuple[bytes, TokenInfo]:
    """Ask the authority at ``url`` for a token over ``digest`` and verify it
    (imprint and nonce included). Returns the token's DER and what it says."""
    if not url.startswith(("http://", "https://")):
        raise TimestampError("the authority's address must be http or https")
    nonce = secrets.randbits(63)
    http_request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=request(digest, nonce=nonce),
        headers={"Content-Type": CONTENT_TYPE_QUERY},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as reply:  # noqa: S310
            body = reply.read(MAX_REPLY + 1)
    except OSError as exc:
        raise TimestampError(f"no answer from the authority: {exc}") from exc
    if len(body) > MAX_REPLY:
        raise TimestampError("the authority's answer is too large")
    token = token_from_reply(body)
    return token, verify(token, digest, nonce=nonce)


def token_from_reply(body: bytes) -> bytes:
    """The ``TimeStampToken`` of a granted ``TimeStampResp``."""
    try:
        reply = tsp.TimeStampResp.load(body)
        status = reply["status"]["status"].native
        token = reply["time_stamp_token"]
        if status not in GRANTED or token.native is None:
            raise TimestampError(f"the authority refused: {status}")
        return bytes(token.dump())
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError("not a time-stamp response") from exc


def _signer_certificate(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate:
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        if choice.name != "certificate":
            continue
        candidate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            if (
                candidate.issuer == sid.chosen["issuer"]
                and candidate.serial_number == sid.chosen["serial_number"].native
            ):
                return x509.load_der_x509_certificate(candidate.dump())
        elif candidate.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(candidate.dump())
    raise TimestampError("the token does not carry the authority's certificate")


def _check_signature(
    certificate: x509.Certificate, signature: bytes, data: bytes, hash_name: str
) -> None:
    algorithm = _HASHES.get(hash_name)
    if algorithm is None:
        raise TimestampError(f"unsupported digest {hash_name}")
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), algorithm())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(algorithm()))
        else:
            raise TimestampError("unsupported key type of the authority")
    except InvalidSignature as exc:
        raise TimestampError("the authority's signature does not verify") from exc


def _check_usage(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound as exc:
        raise TimestampError("the certificate is not a time-stamping certificate") from exc
    if not usage.critical or ExtendedKeyUsageOID.TIME_STAMPING not in usage.value:
        raise TimestampError("the certificate is not a time-stamping certificate")


def verify(
    token: bytes,
    digest: bytes,
    *,
    nonce: int | None = None,
    pinned: x509.Certificate | None = None,
) -> TokenInfo:
    """Check ``token`` (DER ``ContentInfo``) over the SHA-256 ``digest``; see
    the module's docstring for what is and is not checked."""
    try:
        info = cms.ContentInfo.load(token)
        if info["content_type"].native != "signed_data":
            raise TimestampError("not a signed time-stamp token")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TimestampError("not a time-stamp token")
        tst_bytes = bytes(encap["content"].contents)
        tst = tsp.TSTInfo.load(tst_bytes)
        imprint = tst["message_imprint"]
        if imprint["hash_algorithm"]["algorithm"].native != "sha256":
            raise TimestampError("the token is not over a SHA-256 hash")
        if imprint["hashed_message"].native != digest:
            raise TimestampError("the token is over another hash")
        if nonce is not None and tst["nonce"].native != nonce:
            raise TimestampError("the token answers another request")
        signers = signed["signer_infos"]
        if len(signers) != 1:
            raise TimestampError("a time-stamp token has one signer")
        signer = signers[0]
        hash_name = signer["digest_algorithm"]["algorithm"].native
        attrs = signer["signed_attrs"]
        if not attrs:
            raise TimestampError("the token has no signed attributes")
        values = {attr["type"].native: attr["values"][0].native for attr in attrs}
        if values.get("content_type") != "tst_info":
            raise TimestampError("the signed content type is not TSTInfo")
        hash_algorithm = _HASHES.get(hash_name)
        if hash_algorithm is None:
            raise TimestampError(f"unsupported digest {hash_name}")
        expected = hashlib.new(hash_name, tst_bytes).digest()
        if values.get("message_digest") != expected:
            raise TimestampError("the signed digest is not the TSTInfo's")
        certificate = _signer_certificate(signed, signer)
        _check_usage(certificate)
        if pinned is not None and certificate != pinned:
            raise TimestampError("the token is signed by another authority")
        # RFC 5652 §5.4: the signature is over the attributes' DER with the
        # SET OF tag in place of the implicit [0].
        signed_bytes = b"\x31" + attrs.dump()[1:]
        signature_algorithm = signer["signature_algorithm"].signature_algo
        if signature_algorithm not in ("rsassa_pkcs1v15", "ecdsa"):
            raise TimestampError(f"unsupported signature {signature_algorithm}")
        _check_signature(certificate, signer["signature"].native, signed_bytes, hash_name)
        return TokenInfo(
            gen_time=tst["gen_time"].native,
            serial_number=int(tst["serial_number"].native),
            policy=str(tst["policy"].native),
            signer=certificate.subject.rfc4514_string(),
        )
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise TimestampError("not a valid time-stamp token") from exc


def load_certificate(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)
