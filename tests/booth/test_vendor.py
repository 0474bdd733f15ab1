"""The vendored noble.js is exactly what the pinned packages build to."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.booth.conftest import BOOTH, STATIC

VENDOR = STATIC / "vendor"


def test_vendored_bundle_equals_a_fresh_build(node: str, booth_modules: Path, tmp_path: Path):
    subprocess.run(  # noqa: S603 - fixed argv
        [node, str(BOOTH / "build.mjs"), "--out", str(tmp_path)],
        cwd=BOOTH,
        check=True,
        capture_output=True,
        timeout=120,
    )
    for name in ("noble.js", "noble-LICENSE.txt"):
        fresh = (tmp_path / name).read_bytes()
        assert (VENDOR / name).read_bytes() == fresh, f"{name} is stale: run `make vendor-js`"


def test_vendored_bundle_names_its_packages_and_never_evaluates_strings():
    text = (VENDOR / "noble.js").read_text("ascii")
    header = text[: text.index("*/")]
    locked = json.loads((BOOTH / "package-lock.json").read_text())["packages"]
    for name in ("@noble/curves", "@noble/hashes"):
        assert f"{name} {locked[f'node_modules/{name}']['version']} (MIT)" in header
    # A strict content security policy (no 'unsafe-eval') would block these.
    assert "eval(" not in text
    assert "Function(" not in text
