"""asamblea's end-to-end verifiable secret-ballot engine: a pure library.

The protocol is specified in docs/protocol/secret-ballot.md; module and field
docstrings cite its sections. Depends on the standard library, coincurve
(secp256k1), rfc8785 (canonical JSON) and cryptography (AES-256-GCM for
key-ceremony shares and key files, PBKDF2 for key files) only.
"""
