"""Two people racing with the same invitation code: exactly one gets in.

Runs real threads with their own database connections, so it needs committed
data (``transactional_db``) rather than a test wrapped in one transaction.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection

from asamblea.accounts.errors import UsedCode
from asamblea.accounts.models import Member
from asamblea.federation import invitations
from asamblea.federation.models import Membership
from tests.factories import build_federation

PASSWORD = "llama-wool-sunrise"


@pytest.mark.django_db(transaction=True)
def test_a_code_cannot_be_redeemed_twice_concurrently():
    fed = build_federation()
    [(_invitation, code)] = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(pseudonym: str) -> None:
        barrier.wait(timeout=10)
        try:
            for _ in range(200):
                try:
                    invitations.redeem_invitation(code=code, pseudonym=pseudonym, password=PASSWORD)
                except UsedCode:
                    outcomes.append("used")
                except OperationalError:
                    # The shared in-memory SQLite test database reports a busy
                    # table at once where a file database would wait: retry.
                    time.sleep(0.01)
                    continue
                else:
                    outcomes.append("joined")
                return
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(name,)) for name in ("ana", "eva")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["joined", "used"]
    newcomers = Member.objects.filter(pseudonym__in=["ana", "eva"])
    assert newcomers.count() == 1
    assert Membership.objects.filter(member__in=newcomers).count() == 1
