"""axe-core, from the npm registry (booth/node_modules, pinned in
booth/package.json), run in Chromium on every main page (those for visitors,
and those of a committee's secretary: lists, search, a ballot, results,
minutes, forms, the tree, a committee, invitations, the profile, trustee
boards, the incident register): no serious or critical violation may remain.

axe is injected as a script file, which the pages' strict Content Security
Policy would refuse; the test context bypasses the policy for that alone
(the policy itself is tested in test_content_security_policy.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.motions import services as motion_services
from asamblea.trustees import services as trustee_services
from asamblea.voting import services as voting_services
from tests.browser.flows import log_in
from tests.factories import build_federation
from tests.voting.conftest import open_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "booth" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
PHONE = {"width": 360, "height": 740}
VISITOR_PAGES = {
    "welcome": "/",
    "login": "/accounts/login/",
    "join": "/accounts/join/",
    "reset with a code": "/accounts/reset/",
}


def _violations(tab) -> list[dict[str, object]]:
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("async () => (await axe.run(document)).violations")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result
    ]


@pytest.fixture
def axe_page(browser, live_server):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` in booth/ to install it.")
    context = browser.new_context(locale="es-PE", viewport=PHONE, bypass_csp=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url
    yield tab
    context.close()


def test_main_pages_have_no_serious_or_critical_violations(axe_page):
    fed = build_federation()
    motion = motion_services.submit_motion(
        actor=fed.member,
        node=fed.committee_a1,
        title="Paro de transportistas",
        body="Convocamos un paro.\n\nExigimos diálogo.",
    )
    open_poll_ = open_poll(fed.secretary, fed.committee_a1, question="¿Marchamos el jueves?")
    closed = open_poll(fed.secretary, fed.committee_a1, question="¿Apoyamos el paro?")
    voting_services.cast_ballot(voter=fed.member, poll=closed, choice=["yes"])
    voting_services.close_poll(actor=SYSTEM, poll=closed)

    board = trustee_services.create_board(actor=fed.secretary, node=fed.committee_a1)
    trustee_services.appoint_trustee(actor=fed.secretary, board=board, member=fed.secretary)

    tab = axe_page
    found: dict[str, list[dict[str, object]]] = {}
    for name, url in VISITOR_PAGES.items():
        tab.goto(tab.base_url + url)
        found[name] = _violations(tab)
    log_in(tab, fed.secretary.pseudonym)
    committee = fed.committee_a1.pk
    pages = {
        "home": "/",
        "needs": "/needs/",
        "search": "/search/?q=paro",
        "motions": "/motions/?q=paro",
        "motion": f"/motions/{motion.pk}/",
        "new motion": "/motions/new/",
        "polls": "/polls/",
        "poll": f"/polls/{open_poll_.pk}/",
        "new poll": f"/polls/new/?node={committee}",
        "results": f"/polls/{closed.pk}/results/",
        "minutes": f"/polls/{closed.pk}/minutes/",
        "tree": "/nodes/",
        "committee": f"/nodes/{committee}/",
        "invitations": f"/accounts/invitations/{committee}/",
        "profile": "/accounts/me/",
        "tokens": "/accounts/tokens/",
        "trustee boards": f"/trustees/nodes/{committee}/",
        "trustee seat": f"/trustees/boards/{board.pk}/me/",
        "incidents": "/incidents/",
    }
    for name, url in pages.items():
        tab.goto(tab.base_url + url)
        found[name] = _violations(tab)
    by_impact: dict[str, int] = {}
    for violations in found.values():
        for v in violations:
            by_impact[str(v["impact"])] = by_impact.get(str(v["impact"]), 0) + 1
    # Shown with `pytest -s`: the figures of docs/benchmarks.md.
    print(f"axe: {len(found)} pages, violations by impact: {by_impact or 'none'}")
    blocking = {
        name: [v for v in violations if v["impact"] in BLOCKING]
        for name, violations in found.items()
    }
    assert blocking == {name: [] for name in found}, blocking
    assert len(found) == len(VISITOR_PAGES) + len(pages)
