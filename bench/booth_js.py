"""Encrypting and proving a ballot in the booth (JavaScript) against the engine (Python).

The ballot: one approval contest of 5 options (L = 1, 0 to 5 chosen, so a
6-branch sum proof), 3 options chosen. The booth runs in headless Chromium
(Debian's, through Playwright) with the CPU throttled 4x through the DevTools
protocol, roughly a cheap phone; the page and the modules come from a local
static server. Figures:

- cold: a fresh page imports secret-ballot.js (and noble.js), loads the
  election (the joint key's window table) and encrypts one ballot; this is
  what a voter waits for. Median over ``--cold`` fresh pages.
- warm: further ballots in the same page, median over ``--runs``.
- Python: ``secret_ballot.ballot.encrypt_ballot`` for the same ballot on this
  machine, unthrottled, median over ``--runs``.

    .venv/bin/python bench/booth_js.py [--runs 9] [--cold 5] [--throttle 4]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import sync_playwright

from _common import REPO_DIR, emit, machine_facts, median, print_header
from secret_ballot.ballot import CredentialKeyPair, encrypt_ballot
from secret_ballot.election import Election, Parameters, TrusteeInfo, credentials_digest
from secret_ballot.group import base_mul
from secret_ballot.hash import hash_to_scalar
from secret_ballot.manifest import Contest, ContestKind, Manifest, Option

STATIC = REPO_DIR / "src" / "asamblea" / "static"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--headless=new"]
SELECTIONS = {"approval": [1, 0, 1, 1, 0]}

PAGE = b"""<!doctype html><meta charset="utf-8"><title>booth bench</title>
<p>booth benchmark</p>"""

# Runs in the page: import the module, load the election, encrypt ``count``
# ballots; return the milliseconds of the import + load + first ballot (and of
# each part), and of each further ballot.
BENCH_JS = """
async ([input, count]) => {
  const t0 = performance.now();
  const sb = await import("/js/secret-ballot.js");
  const t1 = performance.now();
  const election = sb.loadElection(input.election);
  const credential = sb.keyPairFromSecret(BigInt("0x" + input.credential_secret));
  const t2 = performance.now();
  sb.encryptBallot(election, credential, input.selections);
  const t3 = performance.now();
  const cold = t3 - t0;
  const parts = { import: t1 - t0, load: t2 - t1, first: t3 - t2 };
  const warm = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const { ballot } = sb.encryptBallot(election, credential, input.selections);
    warm.push(performance.now() - t);
    sb.checkBallot(election, ballot);
  }
  return { cold, parts, warm };
}
"""


def make_election() -> tuple[Election, CredentialKeyPair]:
    options = tuple(Option(f"o{i}", f"Option {i}") for i in range(1, 6))
    contest = Contest("approval", "Approve", ContestKind.APPROVAL, options, 1, 0, 5)
    manifest = Manifest("bench-booth", "Booth benchmark", (contest,))
    joint = base_mul(hash_to_scalar("bench", "joint secret"))
    trustee = TrusteeInfo(1, "T1", base_mul(hash_to_scalar("bench", "trustee")))
    credential = CredentialKeyPair.from_secret(hash_to_scalar("bench", "credential"))
    h_c = credentials_digest([credential.public], 1)
    return Election(manifest, Parameters(1, (trustee,)), joint, (joint,), h_c), credential


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server() -> Iterator[str]:
    handler = functools.partial(_Handler, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str:
    path = os.environ.get("ASAMBLEA_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise SystemExit("Chromium not found: apt-get install chromium")
    return path


def run_browser(
    input_: dict[str, Any], *, cold_pages: int, runs: int, throttle: float
) -> tuple[list[float], list[dict[str, float]], list[float], str]:
    colds: list[float] = []
    parts: list[dict[str, float]] = []
    warms: list[float] = []
    with static_server() as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        version = browser.version
        try:
            for i in range(cold_pages):
                # A new context each time: nothing cached, modules fetched and compiled anew.
                context = browser.new_context()
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
                page.goto(url)
                result = page.evaluate(BENCH_JS, [input_, runs if i == 0 else 0])
                colds.append(result["cold"])
                parts.append(result["parts"])
                warms.extend(result["warm"])
                context.close()
        finally:
            browser.close()
    return colds, parts, warms, version


def run_python(election: Election, credential: CredentialKeyPair, runs: int) -> list[float]:
    encrypt_ballot(election, credential, SELECTIONS)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        encrypt_ballot(election, credential, SELECTIONS)
        times.append((time.perf_counter() - t) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9, help="warm ballots and Python ballots")
    parser.add_argument("--cold", type=int, default=5, help="fresh pages for the cold figure")
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU throttling rate")
    args = parser.parse_args()

    election, credential = make_election()
    input_ = {
        "election": {
            "manifest": election.manifest.to_json(),
            "electionHash": election.election_hash.hex(),
            "jointKey": election.joint_key.hex(),
        },
        "credential_secret": credential.secret.hex(),
        "selections": SELECTIONS,
    }
    facts = machine_facts()
    print_header("booth: encrypt and prove a 5-option approval ballot", facts)
    colds, parts, warms, version = run_browser(
        input_, cold_pages=args.cold, runs=args.runs, throttle=args.throttle
    )
    python = run_python(election, credential, args.runs)
    figures = {
        **facts,
        "chromium": version,
        "throttle": args.throttle,
        "js_cold_ms_median": round(median(colds), 1),
        "js_cold_ms_min": round(min(colds), 1),
        "js_cold_ms": [round(t, 1) for t in colds],
        **{
            f"js_cold_{name}_ms_median": round(median([p[name] for p in parts]), 1)
            for name in ("import", "load", "first")
        },
        "js_warm_ms_median": round(median(warms), 1),
        "js_warm_ms_min": round(min(warms), 1),
        "js_warm_ms": [round(t, 1) for t in warms],
        "python_ms_median": round(median(python), 2),
        "python_ms_min": round(min(python), 2),
        "python_ms": [round(t, 2) for t in python],
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
    }
    print(f"   Chromium {version}, CPU throttled {args.throttle}x")
    print(
        f"   JS cold (import + load + first ballot): median {figures['js_cold_ms_median']} ms"
        f" (min {figures['js_cold_ms_min']})"
    )
    print(
        "   of which: import {js_cold_import_ms_median} ms, load election"
        " {js_cold_load_ms_median} ms, first ballot {js_cold_first_ms_median} ms".format(**figures)
    )
    print(
        f"   JS warm (each further ballot): median {figures['js_warm_ms_median']} ms"
        f" (min {figures['js_warm_ms_min']})"
    )
    print(
        f"   Python encrypt_ballot (unthrottled): median {figures['python_ms_median']} ms"
        f" (min {figures['python_ms_min']})"
    )
    emit(figures)


if __name__ == "__main__":
    main()
