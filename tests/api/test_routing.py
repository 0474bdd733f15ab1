"""The API's URLs come first, and moving them there changed no page's URL."""

from __future__ import annotations

from django.urls import resolve, reverse

from asamblea.config import urls


def test_api_is_tried_before_every_page_pattern():
    assert str(urls.urlpatterns[0].pattern) == "api/v1/"


def test_pages_and_api_still_resolve_to_their_own_views():
    assert resolve("/").url_name == "home"
    assert resolve("/healthz").url_name == "healthz"
    assert resolve(reverse("api:openapi-json")).namespace == "api"
    assert resolve("/api/v1/polls/7/ballot").namespace == "api"
    assert resolve("/admin/login/").url_name == "admin_login"
