from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from asamblea.core.errors import Conflict, Forbidden, NotFound
from asamblea.core.middleware import DomainErrorMiddleware


@pytest.fixture
def middleware():
    return DomainErrorMiddleware(lambda request: HttpResponse("ok"))


@pytest.mark.parametrize(("exc", "status"), [(NotFound(), 404), (Forbidden(), 403)])
def test_refusals_a_view_lets_through_become_their_pages(middleware, exc, status):
    request = RequestFactory().get("/motions/1/")
    response = middleware.process_exception(request, exc)
    assert response is not None
    assert response.status_code == status


def test_other_errors_are_left_to_the_view_or_to_django(middleware):
    request = RequestFactory().get("/")
    assert middleware.process_exception(request, Conflict()) is None
    assert middleware.process_exception(request, ValueError("x")) is None
