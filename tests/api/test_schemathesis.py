"""A bounded schemathesis run inside the suite: every operation of
/api/v1/openapi.json, called with a member's token on generated data (valid
and invalid), answers no 5xx and nothing the schema does not declare.

The long run against a served demo instance is in docs/api-fuzzing.md.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from asamblea.accounts import services as account_services
from asamblea.federation.models import Membership
from asamblea.motions import services as motion_services
from asamblea.voting import services as voting_services
from tests.voting.conftest import open_poll

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _keep_the_test_connection():
    """As Django's test client does: the WSGI app would otherwise close the
    database connection after each request, and with it the test's
    transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def member_token(fed):
    _token, raw = account_services.create_api_token(member=fed.secretary, name="fuzz")
    return raw


@pytest.fixture
def real_ids(fed):
    """Ids of objects the member can see, so that cases reach past the 404s
    (a closed poll with a ballot, whose results and export exist)."""
    poll = open_poll(fed.secretary, fed.committee_a1)
    voting_services.cast_ballot(voter=fed.member, poll=poll, choice=["yes"])
    voting_services.close_poll(actor=fed.secretary, poll=poll)
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Marcha", body="Texto."
    )
    membership = Membership.objects.filter(member=fed.member, node=fed.committee_a1).first()
    return {
        "poll_id": poll.pk,
        "motion_id": motion.pk,
        "node_id": fed.committee_a1.pk,
        "membership_id": membership.pk if membership else 0,
    }


# Revoking tokens would revoke the fuzzer's own (then everything is a 401).
@pytest.mark.django_db
@schema.exclude(operation_id="asamblea_accounts_api_revoke_token").parametrize()
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.usefixtures("_keep_the_test_connection")
def test_every_operation_conforms_to_the_schema(case, member_token, real_ids):
    for name, value in real_ids.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    headers = {"Authorization": f"Bearer {member_token}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers, checks=CHECKS)
