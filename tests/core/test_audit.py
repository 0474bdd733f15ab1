from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.core.models import AuditEntry, AuditHead


@pytest.mark.django_db
def test_chain_of_fresh_entries_verifies():
    for i in range(5):
        audit.record(actor=SYSTEM, action="test.event", object_type="x", object_id=i, data={"i": i})
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == 5


@pytest.mark.django_db
def test_edited_entry_is_named_as_first_broken():
    for i in range(4):
        audit.record(actor=SYSTEM, action="test.event", object_type="x", object_id=i, data={"i": i})
    AuditEntry.objects.filter(seq=3).update(data={"i": 99})
    report = audit.verify_chain()
    assert report.first_broken_seq == 3
    assert "hash" in report.reason


@pytest.mark.django_db
def test_deleted_entry_is_detected():
    for i in range(4):
        audit.record(actor=SYSTEM, action="test.event", object_type="x", object_id=i)
    AuditEntry.objects.filter(seq=2).delete()
    assert audit.verify_chain().first_broken_seq == 2


@pytest.mark.django_db
def test_truncated_tail_is_detected():
    for i in range(3):
        audit.record(actor=SYSTEM, action="test.event", object_type="x", object_id=i)
    AuditEntry.objects.filter(seq=3).delete()
    assert audit.verify_chain().first_broken_seq == 3


@pytest.mark.django_db
def test_command_reports_ok_and_failure():
    audit.record(actor=SYSTEM, action="a", object_type="x", object_id=1)
    audit.record(actor=SYSTEM, action="b", object_type="x", object_id=2)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "2" in out.getvalue()
    AuditEntry.objects.filter(seq=1).update(action="tampered")
    with pytest.raises(CommandError, match="#1"):
        call_command("verify_audit", stdout=StringIO())


@pytest.mark.django_db
def test_head_row_that_disagrees_with_the_last_entry_is_detected():
    for i in range(3):
        audit.record(actor=SYSTEM, action="test.event", object_type="x", object_id=i)
    AuditHead.objects.filter(pk=1).update(entry_hash="ab" * 32)
    report = audit.verify_chain()
    assert report.first_broken_seq == 3
    assert "head" in report.reason
    # What is published is the last entry's hash, not the head row's.
    assert audit.current_head().hash == AuditEntry.objects.get(seq=3).entry_hash


@pytest.mark.django_db
def test_system_entries_are_labelled_system_without_an_id():
    entry = audit.record(actor=SYSTEM, action="poll.closed", object_type="x", object_id=1)
    assert (entry.actor_ref, entry.actor_label) == (None, "system")


@pytest.mark.django_db
def test_an_entry_without_an_actor_is_refused():
    with pytest.raises(TypeError):
        audit.record(actor=None, action="poll.closed", object_type="x", object_id=1)
    assert not AuditEntry.objects.exists()
