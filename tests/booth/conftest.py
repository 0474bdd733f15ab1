"""The booth's JavaScript, run by Node.

Outside CI a missing ``node`` or ``npm`` skips these tests with a message
saying how to install them; with ``CI`` or ``ASAMBLEA_REQUIRE_BROWSER`` set it
fails instead, as the browser tests do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from secret_ballot.ballot import Ballot, ballot_nonce
from secret_ballot.election import Election
from secret_ballot.elgamal import encrypt

ROOT = Path(__file__).resolve().parents[2]
BOOTH = ROOT / "booth"
STATIC = ROOT / "src" / "asamblea" / "static"
#: Written by ``npm ci``; older than the lockfile means the install is stale.
INSTALLED_LOCK = BOOTH / "node_modules" / ".package-lock.json"


def _required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("ASAMBLEA_REQUIRE_BROWSER"))


def _find(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        message = f"{program} not found: install Node.js (`apt-get install nodejs npm`)."
        if _required():
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def node() -> str:
    return _find("node")


@pytest.fixture(scope="session")
def booth_modules() -> Path:
    """booth/node_modules as pinned by booth/package-lock.json (``npm ci`` if stale)."""
    npm = _find("npm")
    lock = BOOTH / "package-lock.json"
    if not INSTALLED_LOCK.exists() or INSTALLED_LOCK.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(  # noqa: S603 - fixed argv
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=BOOTH,
            check=True,
            timeout=300,
        )
    return BOOTH / "node_modules"


def opens(election: Election, ballot: Ballot, seed: bytes, selections: dict) -> bool:
    """Whether every ciphertext is the encryption of the selection under the seed (spec §5.7)."""
    h_e = election.election_hash
    return all(
        encrypt(m, ballot_nonce(seed, h_e, c.contest_id, o.option_id), election.joint_key)
        == o.ciphertext
        for c in ballot.contests
        for o, m in zip(c.options, selections[c.contest_id], strict=True)
    )
