"""The published head: read by members (API, results pages), checked later by
``verify_audit --expect``. The adversary is an operator with the database who
rewrites an entry and recomputes every later hash and the head row."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from asamblea.accounts import services as account_services
from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.core.models import GENESIS_HASH, AuditEntry, AuditHead
from asamblea.voting import services as voting_services
from tests.voting.conftest import open_poll

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'data-seq="(\d+)" data-hash="([0-9a-f]{64})"')


def _entries(n: int) -> None:
    for i in range(n):
        audit.record(actor=SYSTEM, action="test.event", object_type="x", object_id=i, data={"i": i})


def _verify(*expect: str) -> str:
    out = StringIO()
    call_command("verify_audit", *[f"--expect={e}" for e in expect], stdout=out)
    return out.getvalue()


def _rewrite_and_rehash(seq: int, **changes: object) -> None:
    """What an operator with the database can do: change entry ``seq`` and
    recompute every later hash and the head, so the chain is consistent again."""
    prev = AuditEntry.objects.get(seq=seq).prev_hash
    AuditEntry.objects.filter(seq=seq).update(**changes)
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        body = {
            "seq": entry.seq,
            "at": entry.at.astimezone(UTC).isoformat(),
            "actor": entry.actor_ref,
            "actor_label": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "data": entry.data,
        }
        new_hash = audit.compute_hash(prev, body)
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=prev, entry_hash=new_hash)
        prev = new_hash
    AuditHead.objects.filter(pk=1).update(entry_hash=prev)


@pytest.mark.django_db
def test_head_of_an_empty_log_is_genesis():
    head = audit.current_head()
    assert (head.seq, head.hash, head.at) == (0, GENESIS_HASH, None)
    assert "0 published head" not in _verify(f"0:{GENESIS_HASH}")


@pytest.mark.django_db
def test_head_names_the_last_entry():
    _entries(3)
    last = AuditEntry.objects.get(seq=3)
    head = audit.current_head()
    assert (head.seq, head.hash, head.at) == (3, last.entry_hash, last.at)
    assert head.token == f"3:{last.entry_hash}"


@pytest.mark.django_db
def test_an_earlier_head_stays_a_prefix_as_the_log_grows():
    _entries(2)
    earlier = audit.current_head().token
    _entries(3)
    out = _verify(earlier, audit.current_head().token)
    assert "5 entries" in out
    assert "2 published head(s) found unchanged" in out


@pytest.mark.django_db
def test_rewritten_and_rehashed_log_passes_plain_verify_but_not_expect(fed, client_for):
    """The review's attack, end to end: a member prints the head from a results
    page; the operator later changes the recorded result and re-hashes."""
    poll = open_poll(fed.secretary, fed.committee_a1)
    voting_services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    voting_services.close_poll(actor=fed.secretary, poll=poll)
    page = client_for(fed.member).get(f"/polls/{poll.pk}/results/").content.decode()
    seq, digest = TOKEN.search(page).groups()
    assert int(seq) == AuditEntry.objects.count()
    published = f"{seq}:{digest}"
    assert published in page
    # Later activity appends to the log; the published head stays a prefix.
    account_services.create_api_token(member=fed.member, name="phone")
    assert "found unchanged" in _verify(published)

    recorded = AuditEntry.objects.get(action="result.recorded", object_id=str(poll.pk))
    forged = {**recorded.data, "outcome": "rejected", "counts": {"yes": 0, "no": 1}}
    _rewrite_and_rehash(recorded.seq, data=forged)

    assert "audit chain intact" in _verify()  # consistent by itself...
    with pytest.raises(CommandError) as caught:
        _verify(published)  # ...but it no longer extends what members hold
    assert caught.value.returncode == 1
    message = str(caught.value)
    assert "rewritten" in message
    assert f"entry #{seq} has hash" in message
    assert digest in message


@pytest.mark.django_db
def test_truncated_log_and_reset_head_is_caught_by_expect():
    _entries(4)
    published = audit.current_head().token
    AuditEntry.objects.filter(seq__gte=3).delete()
    AuditHead.objects.filter(pk=1).update(
        seq=2, entry_hash=AuditEntry.objects.get(seq=2).entry_hash
    )
    assert "2 entries" in _verify()
    with pytest.raises(CommandError, match=r"no entry #4 \(it holds 2\)") as caught:
        _verify(published)
    assert caught.value.returncode == 1


@pytest.mark.django_db
def test_a_head_from_another_log_is_refused():
    _entries(2)
    with pytest.raises(CommandError, match="rewritten"):
        _verify(f"2:{'ab' * 32}")


@pytest.mark.django_db
def test_broken_chain_is_reported_before_the_heads():
    _entries(3)
    published = audit.current_head().token
    AuditEntry.objects.filter(seq=2).update(action="tampered")
    with pytest.raises(CommandError, match="broken at entry #2") as caught:
        _verify(published)
    assert caught.value.returncode == 1


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "12",
        "12:",
        ":" + "a" * 64,
        "-1:" + "a" * 64,
        "3:" + "a" * 63,
        "3:" + "g" * 64,
        "3:" + "a" * 65,
        "3 :" + "a" * 64,
        "9" * 19 + ":" + "a" * 64,
        "3:\x00" + "a" * 63,
    ],
)
def test_malformed_expect_is_a_clear_error_with_status_2(bad):
    with pytest.raises(CommandError, match="expected SEQ:HASH") as caught:
        call_command("verify_audit", f"--expect={bad}", stdout=StringIO())
    assert caught.value.returncode == 2


def test_malformed_expect_from_the_shell_exits_2_without_traceback():
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), "verify_audit", "--expect", "12:zz"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert "expected SEQ:HASH" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_uppercase_hash_is_accepted():
    _entries(1)
    seq, digest = audit.current_head().token.split(":")
    assert "found unchanged" in _verify(f"{seq}:{digest.upper()}")


# --- the API ---------------------------------------------------------------------------


def test_members_read_the_head_from_the_api(fed, client):
    token = account_services.create_api_token(member=fed.outsider, name="t")[1]
    head = audit.current_head()
    response = client.get("/api/v1/audit/head", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["seq"] == head.seq == AuditEntry.objects.count()
    assert body["hash"] == head.hash
    assert body["token"] == head.token
    assert body["at"] is not None
    assert "found unchanged" in _verify(body["token"])


def test_anonymous_visitors_do_not_read_the_head(fed, client):
    response = client.get("/api/v1/audit/head")
    assert response.status_code == 401


def test_head_is_in_the_openapi_schema(fed, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/audit/head" in schema["paths"]


@pytest.mark.django_db
def test_results_page_shows_the_head_even_while_results_are_hidden(fed, client_for):
    poll = open_poll(fed.secretary, fed.committee_a1, secret=True)
    voting_services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    page = client_for(fed.member).get(f"/polls/{poll.pk}/results/").content.decode()
    seq, digest = TOKEN.search(page).groups()
    assert f"{seq}:{digest}" == audit.current_head().token
