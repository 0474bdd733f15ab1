"""The admin browses calls and changes them only through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from asamblea.core.models import AuditEntry
from asamblea.pledges.models import Call, CallState
from tests.pledges.conftest import make_call

pytestmark = pytest.mark.django_db


def test_admin_is_browse_only_and_its_actions_are_audited(fed, client_for):
    call = make_call(fed.operator, fed.zone_a)
    client = client_for(fed.operator)
    page = client.get(reverse("admin:pledges_call_change", args=[call.pk]))
    assert page.status_code == 200
    assert call.pledge_key == "" or call.pledge_key not in page.content.decode()
    changed = client.post(
        reverse("admin:pledges_call_change", args=[call.pk]), {"state": "activated"}
    )
    assert changed.status_code == 403
    assert client.get(reverse("admin:pledges_call_add")).status_code == 403
    client.post(
        reverse("admin:pledges_call_changelist"),
        {"action": "open_calls", "_selected_action": [call.pk]},
    )
    call.refresh_from_db()
    assert call.state == CallState.PLEDGING
    assert AuditEntry.objects.filter(action="call.opened", object_id=str(call.pk)).exists()
    assert Call.objects.count() == 1


def test_pledges_and_the_ledger_are_not_in_the_admin(fed, client_for):
    client = client_for(fed.operator)
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/pledges/pledge/" not in index
    assert "/admin/pledges/pledgeledger/" not in index
    assert "/admin/pledges/elector/" not in index
