"""Amendments are numbered within their motion (1, 2, 3...), not by database id."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from asamblea.motions import services
from asamblea.motions.models import Amendment, AmendmentKind

BEFORE = [("motions", "0004_amendment_state_reason_code")]
AFTER = [("motions", "0005_amendment_number_within_motion")]
BODY = "Primero.\n\nSegundo.\n\nTercero."


def _motion(fed, title="Marcha"):
    motion = services.submit_motion(actor=fed.member, node=fed.committee_a1, title=title, body=BODY)
    services.second_motion(actor=fed.other_member, motion=motion)
    motion.refresh_from_db()
    return motion


def _amend(fed, motion, paragraph):
    return services.propose_amendment(
        actor=fed.other_member,
        motion=motion,
        kind=AmendmentKind.DELETE_PARAGRAPH,
        paragraph=paragraph,
        text="",
    )


@pytest.mark.django_db
def test_each_motion_numbers_its_own_amendments_from_one(fed, client_for):
    first, second = _motion(fed), _motion(fed, title="Paro")
    numbers = [
        _amend(fed, first, 0).number,
        _amend(fed, second, 1).number,
        _amend(fed, first, 1).number,
        _amend(fed, first, 2).number,
    ]
    assert numbers == [1, 1, 2, 3]
    html = client_for(fed.member).get(reverse("motions:detail", args=[first.pk])).content
    page = html.decode()
    assert "Amendment 1" in page
    assert "Amendment 3" in page
    assert "Amendment 4" not in page


@pytest.mark.django_db
def test_the_database_refuses_two_amendments_with_one_number(fed):
    motion = _motion(fed)
    amendment = _amend(fed, motion, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Amendment.objects.create(
            motion=motion,
            number=amendment.number,
            author=fed.member,
            kind=AmendmentKind.DELETE_PARAGRAPH,
            paragraph=1,
            base_version=1,
        )


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_existing_amendments_in_the_order_proposed(fed):
    first, second = _motion(fed), _motion(fed, title="Paro")
    made = [_amend(fed, first, 0), _amend(fed, second, 0), _amend(fed, first, 1)]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert [Amendment.objects.get(pk=a.pk).number for a in made] == [1, 1, 2]
