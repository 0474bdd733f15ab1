"""Every API failure answers the JSON error body, with a code from ErrorCode."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from asamblea.api.root import api as ninja_api
from asamblea.core.errors import DomainError, ErrorCode
from asamblea.voting import selectors as voting_selectors

pytestmark = pytest.mark.django_db


def _assert_json_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert ErrorCode(body["error"]["code"])
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert b"<html" not in response.content.lower()


@pytest.mark.parametrize(
    "path",
    ["/motions/abc", "/motions/1.5", "/motions/amendments/x/withdraw", "/no-such-thing", "/"],
)
def test_unknown_paths_and_non_numeric_ids_give_a_json_404(fed, api, path):
    method = "post" if path.endswith("withdraw") else "get"
    _assert_json_error(api(fed.member)(method, path), 404, "not_found")


@pytest.mark.parametrize("path", ["/polls/abc", "/nodes/-x", "/polls/1e3/results"])
def test_ids_refused_by_the_schema_give_a_json_422(fed, api, path):
    _assert_json_error(api(fed.member)("get", path), 422, "invalid")


def test_a_body_over_the_limit_gives_a_json_413(fed, api):
    body = '{"title": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '"}'
    _assert_json_error(api(fed.member)("post", "/motions/", body), 413, "too_large")


@pytest.mark.parametrize("body", ["{bad json", "[1, 2", "\xff\xfe", '{"a": NaN'])
def test_malformed_json_gives_a_json_400(fed, api, body):
    _assert_json_error(api(fed.member)("post", "/motions/", body), 400, "malformed_json")


@pytest.mark.parametrize(("method", "path"), [("put", "/motions/"), ("delete", "/polls/1")])
def test_a_method_the_path_lacks_gives_a_json_405(fed, api, method, path):
    response = api(fed.member)(method, path, {})
    _assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_no_token_gives_a_json_401(client):
    _assert_json_error(client.get("/api/v1/polls/"), 401, "unauthenticated")


def test_an_unexpected_exception_gives_a_json_500_and_is_logged(fed, api, monkeypatch, caplog):
    def broken(**_kwargs):
        raise RuntimeError("a bug")

    # Fault injection: a selector that fails as a bug would.
    monkeypatch.setattr(voting_selectors, "list_polls_for", broken)
    response = api(fed.member)("get", "/polls/")
    _assert_json_error(response, 500, "server_error")
    assert b"a bug" not in response.content
    assert any("Unhandled API error" in r.message for r in caplog.records)


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_domain_error_code_is_in_the_enum():
    found = list(_subclasses(DomainError))
    assert len(found) > 10
    for cls in [DomainError, *found]:
        assert isinstance(cls.code, ErrorCode), cls


def test_a_code_outside_the_enum_is_refused_at_once():
    with pytest.raises(ValueError, match="made_up"):
        type("MadeUp", (DomainError,), {"code": "made_up"})
    with pytest.raises(ValueError, match="made_up"):
        DomainError("x", code="made_up")


def test_the_openapi_schema_documents_the_errors_of_every_operation():
    schema = ninja_api.get_openapi_schema()
    enum = schema["components"]["schemas"]["ErrorCode"]["enum"]
    assert sorted(enum) == sorted(code.value for code in ErrorCode)
    operations = [
        op
        for item in schema["paths"].values()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 30
    for op in operations:
        for status in ("404", "422", "500"):
            ref = op["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut", op["operationId"]


def test_schema_names_are_distinct_and_the_export_is_not_a_string():
    schema = ninja_api.get_openapi_schema()
    components = schema["components"]["schemas"]
    mine = components["MyMembershipOut"]["properties"]
    theirs = components["NodeMembershipOut"]["properties"]
    assert "node_name" in mine
    assert "pseudonym" in theirs
    assert "MembershipOut" not in components
    member = components["MemberOut"]["properties"]["memberships"]["items"]["$ref"]
    assert member.endswith("/MyMembershipOut")
    export = schema["paths"]["/api/v1/polls/{poll_id}/export"]["get"]["responses"]["200"]
    assert export["content"]["application/json"]["schema"] == {"type": "object"}
    assert export["content"]["text/plain"]["schema"] == {"type": "string"}


def test_the_served_schema_has_no_duplicate_keys(client):
    def refuse_duplicates(pairs):
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    response = client.get("/api/v1/openapi.json")
    schema = json.loads(response.content, object_pairs_hook=refuse_duplicates)
    ballot = schema["paths"]["/api/v1/polls/{poll_id}/ballot"]["post"]["responses"]["200"]
    assert ballot["content"]["application/json"]["schema"]["$ref"].endswith("/ReceiptOut")
    assert "RECEIPT_SIZE" in ballot["description"]
