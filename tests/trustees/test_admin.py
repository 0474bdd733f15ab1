"""An operator in the admin: boards and messages are browsed, never edited."""

from __future__ import annotations

from asamblea.trustees.models import CeremonyMessage, TrusteeBoard
from tests.core.admin_forms import change_form

from .conftest import db_state


def test_operator_browses_boards_but_cannot_change_them(fed, client_for, ready):
    client = client_for(fed.operator)
    assert client.get("/admin/trustees/trusteeboard/").status_code == 200
    url = f"/admin/trustees/trusteeboard/{ready.board.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert ready.board.ceremony_id in page.content.decode()
    before = db_state()
    assert client.post(url, change_form(ready.board, threshold=1)).status_code == 403
    assert client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    assert client.get("/admin/trustees/trusteeboard/add/").status_code == 403
    assert client.get("/admin/trustees/ceremonymessage/").status_code == 200
    assert client.get("/admin/trustees/ceremonymessage/add/").status_code == 403
    assert db_state() == before
    assert TrusteeBoard.objects.get().threshold == 2
    assert CeremonyMessage.objects.count() == 0
