"""The admin as a whole: nothing registered writes around the services.

A model whose admin may add, change or delete rows would let an operator change
state without an audit entry; the only exception is the node form, whose
``save_model`` calls the federation services (tested in tests/federation)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from asamblea.core import audit
from asamblea.core.models import AuditEntry, AuditHead
from asamblea.federation.models import Node
from tests.core.admin_forms import change_form

# Models whose admin form saves through a service (and is tested to audit).
SAVED_THROUGH_SERVICES = {Node}


@pytest.fixture
def operator_request(fed):
    request = RequestFactory().get("/admin/")
    request.user = fed.operator
    return request


def test_no_admin_deletes_and_only_service_backed_forms_write(operator_request):
    writable = set()
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.has_delete_permission(operator_request), model
        if model_admin.has_add_permission(operator_request) or model_admin.has_change_permission(
            operator_request
        ):
            writable.add(model)
        for inline in model_admin.get_inline_instances(operator_request):
            assert not inline.has_add_permission(operator_request, None), inline
            assert not inline.has_change_permission(operator_request, None), inline
            assert not inline.has_delete_permission(operator_request, None), inline
    assert writable == SAVED_THROUGH_SERVICES


def test_audit_entries_are_browsable_but_never_edited_or_deleted(fed, client_for):
    entry = AuditEntry.objects.order_by("seq").first()
    client = client_for(fed.operator)
    assert client.get("/admin/core/auditentry/").status_code == 200
    url = f"/admin/core/auditentry/{entry.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert entry.entry_hash in page.content.decode()
    assert client.post(url, change_form(entry, action="tampered")).status_code == 403
    assert client.post(url.replace("change", "delete"), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action != "tampered"
    assert audit.verify_chain().ok


def test_audit_head_is_not_in_the_admin():
    assert AuditHead not in admin.site._registry
