"""The trustee board pages on a 360 px phone: nothing wider than the screen
(long keys and hashes wrap), and no Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from asamblea.core.actors import SYSTEM
from asamblea.trustees import engine, services
from tests.browser.flows import log_in
from tests.factories import build_federation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    context = browser.new_context(locale="es-PE", viewport={"width": 360, "height": 740})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.base_url = live_server.url  # type: ignore[attr-defined]
    yield tab
    context.close()


def test_board_and_trustee_pages_fit_a_360_px_phone(phone):
    fed = build_federation()
    board = services.create_board(actor=SYSTEM, node=fed.committee_a1)
    for member in (fed.secretary, fed.member, fed.other_member):
        services.appoint_trustee(actor=SYSTEM, board=board, member=member)
        services.register_key(
            actor=member, board=board, communication_key=engine.new_communication_keys()[1]
        )
        services.confirm_key_file(actor=member, board=board)
    services.start_ceremony(actor=SYSTEM, board=board)
    violations: list[str] = []
    phone.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    log_in(phone, fed.member.pseudonym)
    for path in (
        f"/trustees/nodes/{fed.committee_a1.pk}/",
        f"/trustees/boards/{board.pk}/",
        f"/trustees/boards/{board.pk}/me/",
    ):
        response = phone.goto(f"{phone.base_url}{path}")
        assert response.status == 200, path
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    assert violations == []
