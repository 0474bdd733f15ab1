"""Control characters in any text field of the API: a 422 naming the field,
and nothing written (on PostgreSQL a NUL used to reach the database: a 500)."""

from __future__ import annotations

import pytest

from asamblea.accounts.models import ApiToken, Invitation
from asamblea.federation.models import Node
from asamblea.motions import services as motion_services
from asamblea.motions.models import Comment, Motion
from asamblea.voting.models import Poll
from tests.voting.conftest import snapshot

pytestmark = pytest.mark.django_db

# NUL, other C0, DEL, C1 (U+0085 NEL, U+009B CSI), a lone surrogate.
BAD = ["\x00", "\x1b[2J", "\x07", "\x7f", "\x85", "\x9b", "\ud800"]


def _motion(fed):
    return motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Marcha", body="Texto."
    )


def _cases(fed):
    """(member, method, path, body-with-{bad}) for every text field of the API."""
    motion = _motion(fed)
    return [
        (
            fed.member,
            "post",
            "/motions/",
            {"node": fed.committee_a1.pk, "title": "{bad}", "body": "b"},
        ),
        (
            fed.member,
            "post",
            "/motions/",
            {"node": fed.committee_a1.pk, "title": "t", "body": "{bad}"},
        ),
        (fed.member, "patch", f"/motions/{motion.pk}", {"title": "{bad}"}),
        (fed.member, "post", f"/motions/{motion.pk}/comments", {"body": "{bad}"}),
        (
            fed.member,
            "post",
            f"/motions/{motion.pk}/amendments",
            {"kind": "replace_text", "text": "{bad}"},
        ),
        (
            fed.member,
            "post",
            f"/motions/{motion.pk}/amendments",
            {"kind": "replace_text", "text": "x", "rationale": "{bad}"},
        ),
        (
            fed.secretary,
            "post",
            "/nodes/",
            {"kind": "committee", "name": "{bad}", "parent": fed.zone_a.pk},
        ),
        (fed.secretary, "patch", f"/nodes/{fed.committee_a1.pk}", {"description": "{bad}"}),
        (fed.secretary, "post", "/polls/", {"node": fed.committee_a1.pk, "question": "{bad}"}),
        (
            fed.secretary,
            "post",
            "/polls/",
            {"node": fed.committee_a1.pk, "question": "q", "description": "{bad}"},
        ),
        (
            fed.secretary,
            "post",
            "/polls/",
            {
                "node": fed.committee_a1.pk,
                "question": "q",
                "method": "single",
                "options": ["a", "{bad}"],
            },
        ),
        (fed.member, "post", "/accounts/tokens", {"name": "{bad}"}),
        (fed.member, "patch", "/accounts/me", {"phone": "{bad}"}),
        (fed.member, "patch", "/accounts/me", {"email": "{bad}"}),
        (
            fed.member,
            "post",
            "/accounts/me/password",
            {"old_password": "{bad}", "new_password": "x" * 12},
        ),
        (
            fed.secretary,
            "post",
            "/accounts/invitations",
            {"node": fed.committee_a1.pk, "role": "{bad}"},
        ),
    ]


def _counts():
    return {
        **snapshot(),
        "motions": Motion.objects.count(),
        "comments": Comment.objects.count(),
        "nodes": Node.objects.count(),
        "tokens": ApiToken.objects.count(),
        "invitations": Invitation.objects.count(),
    }


def _fill(body, bad):
    return {
        k: (
            v.replace("{bad}", f"a{bad}b")
            if isinstance(v, str)
            else [i.replace("{bad}", f"a{bad}b") for i in v]
            if isinstance(v, list)
            else v
        )
        for k, v in body.items()
    }


@pytest.mark.parametrize("bad", BAD, ids=[f"U+{ord(b[0]):04X}" for b in BAD])
def test_control_characters_in_any_api_text_field_give_422(fed, api, bad):
    for member, method, path, body in _cases(fed):
        call = api(member)
        call("get", "/accounts/me")  # makes the token before counting
        before = _counts()
        response = call(method, path, _fill(body, bad))
        assert response.status_code == 422, (path, body, response.content)
        error = response.json()["error"]
        assert error["code"] == "invalid"
        if bad != "\ud800":  # pydantic refuses it first, as not text at all
            assert "control character" in error["message"]
        assert _counts() == before, (path, body)


def test_the_join_endpoint_refuses_control_characters(fed, api, client):
    before = _counts()
    response = client.post(
        "/api/v1/accounts/join",
        data={"code": "x", "pseudonym": "a\x00b", "password": "p" * 12},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "control character" in response.json()["error"]["message"]
    assert _counts() == before


def test_multiline_fields_keep_line_breaks_and_tabs(fed, api):
    call = api(fed.member)
    response = call(
        "post",
        "/motions/",
        {"node": fed.committee_a1.pk, "title": "Marcha", "body": "Uno\r\n\tDos\nTres"},
    )
    assert response.status_code == 201, response.content
    assert Motion.objects.get(pk=response.json()["id"]).body.endswith("Dos\nTres")


def test_single_line_fields_refuse_line_breaks(fed, api):
    response = api(fed.secretary)(
        "post", "/polls/", {"node": fed.committee_a1.pk, "question": "a\nb"}
    )
    assert response.status_code == 422
    assert not Poll.objects.filter(question__contains="\n").exists()


def test_plain_unicode_is_accepted(fed, api):
    response = api(fed.member)(
        "post",
        "/motions/",
        {"node": fed.committee_a1.pk, "title": "Ñuqanchik 🌄 ‘paro’", "body": "ok"},
    )
    assert response.status_code == 201, response.content
