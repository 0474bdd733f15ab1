"""Run the booth's JavaScript tests (booth/tests/*.test.js) under Node's test runner."""

from __future__ import annotations

import subprocess

from tests.booth.conftest import BOOTH, ROOT


def test_node_test_suite_passes(node: str):
    proc = subprocess.run(  # noqa: S603 - fixed argv
        [node, "--test", "--test-reporter=tap", str(BOOTH / "tests")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-20000:] + proc.stderr[-5000:]
    assert "# fail 0" in proc.stdout
    assert "# pass 0" not in proc.stdout
