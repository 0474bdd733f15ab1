"""The Recall model moved from the federation app to voting without touching
its table: a recall written before the move is read after it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from asamblea.core.actors import SYSTEM
from asamblea.federation import services as federation_services
from asamblea.voting import services
from asamblea.voting.models import Recall, RecallState
from tests.factories import build_federation

BEFORE = [("federation", "0003_check_constraints"), ("voting", "0007_poll_question_code")]
AFTER = [("federation", "0004_move_recall_to_voting"), ("voting", "0008_recall_from_federation")]


@pytest.mark.django_db(transaction=True)
def test_a_recall_written_before_the_move_is_read_after_it():
    fed = build_federation()
    mandate = federation_services.appoint_delegate(
        actor=SYSTEM, committee=fed.committee_a1, delegate=fed.secretary
    )
    recall = services.start_recall(actor=fed.member, mandate=mandate, reason="No informa.")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("federation", "Recall")
    assert old.objects.get(pk=recall.pk).reason == "No informa."
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Recall.objects.get(pk=recall.pk)
    assert (moved.mandate_id, moved.state, moved.reason) == (
        mandate.pk,
        RecallState.VOTING,
        "No informa.",
    )
    assert Recall._meta.db_table == "federation_recall"
