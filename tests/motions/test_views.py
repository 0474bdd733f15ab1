"""Motion pages: rendering, forms, htmx partials, refusals."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from asamblea.core.actors import SYSTEM
from asamblea.motions import services
from asamblea.motions.models import (
    COMMENT_MAX,
    TITLE_MAX,
    Amendment,
    AmendmentKind,
    Comment,
    Motion,
    MotionState,
)
from tests.motions.conftest import snapshot

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail(motion):
    return reverse("motions:detail", args=[motion.pk])


def test_list_shows_visible_motions_and_filters_by_node_and_state(fed, client_for, draft):
    services.submit_motion(actor=fed.outsider, node=fed.committee_b1, title="Cusco only", body="B")
    services.submit_motion(actor=fed.member, node=fed.assembly, title="National", body="B")
    client = client_for(fed.member)
    page = client.get(reverse("motions:list")).content.decode()
    assert "General strike" in page
    assert "National" in page
    assert "Cusco only" not in page
    page = client.get(reverse("motions:list"), {"node": fed.assembly.pk}).content.decode()
    assert "National" in page
    assert "General strike" not in page
    page = client.get(reverse("motions:list"), {"state": "debate"}).content.decode()
    assert "General strike" not in page


def test_list_filtered_by_an_invisible_node_is_not_found(fed, client_for):
    response = client_for(fed.member).get(reverse("motions:list"), {"node": fed.committee_b1.pk})
    assert response.status_code == 404


def test_list_with_an_unknown_state_is_refused(fed, client_for):
    response = client_for(fed.member).get(reverse("motions:list"), {"state": "<script>"})
    assert response.status_code == 422
    assert "&lt;script&gt;" in response.content.decode()


def test_create_form_is_prefilled_with_the_node(fed, client_for):
    response = client_for(fed.member).get(reverse("motions:create"), {"node": fed.zone_a.pk})
    page = response.content.decode()
    assert f'<option value="{fed.zone_a.pk}" selected>' in page
    assert str(fed.committee_b1.name) not in page


def test_create_submits_and_redirects_to_the_motion(fed, client_for):
    response = client_for(fed.member).post(
        reverse("motions:create"),
        {"node": fed.committee_a1.pk, "title": "Strike", "body": "One\r\n\r\nTwo"},
    )
    motion = Motion.objects.get(title="Strike")
    assert response.status_code == 302
    assert response["Location"] == detail(motion)
    assert motion.body == "One\n\nTwo"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "x" * (TITLE_MAX + 1), "body": "B"}, "at most 200 characters"),
        ({"title": "T", "body": "  \n\n "}, "The text is required."),
        ({"title": "  ", "body": "B"}, "This field is required."),
    ],
)
def test_create_with_bad_input_shows_the_error_next_to_the_field(fed, client_for, data, message):
    before = snapshot()
    response = client_for(fed.member).post(
        reverse("motions:create"), {"node": fed.committee_a1.pk, **data}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert snapshot() == before


def test_create_at_a_sibling_committee_is_refused(fed, client_for):
    before = snapshot()
    response = client_for(fed.member).post(
        reverse("motions:create"), {"node": fed.committee_b1.pk, "title": "T", "body": "B"}
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_anonymous_is_sent_to_log_in(fed, draft):
    client = Client()
    response = client.get(detail(draft))
    assert response.status_code == 302
    assert "login" in response["Location"]
    before = snapshot()
    response = client.post(reverse("motions:second", args=[draft.pk]))
    assert response.status_code == 302
    assert snapshot() == before


def test_detail_shows_numbered_paragraphs_seconds_and_discussion(fed, client_for, draft):
    page = client_for(fed.other_member).get(detail(draft)).content.decode()
    assert '<p id="p2"><b>2</b> We demand the release of detainees.</p>' in page
    assert "0 of 1 second" in page
    assert "Second this motion" in page
    assert 'id="discussion"' in page
    assert fed.zone_a.name in page  # breadcrumb


def test_detail_of_a_sibling_committees_motion_is_not_found(fed, client_for, draft):
    response = client_for(fed.outsider).get(detail(draft))
    assert response.status_code == 404
    assert "General strike" not in response.content.decode()


def test_unknown_motion_is_not_found(fed, client_for):
    assert client_for(fed.member).get(reverse("motions:detail", args=[999999])).status_code == 404


def test_second_without_javascript_redirects(fed, client_for, draft):
    response = client_for(fed.other_member).post(reverse("motions:second", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == MotionState.DEBATE


def test_second_with_htmx_reloads_when_the_debate_opens(fed, client_for, draft):
    response = client_for(fed.other_member).post(reverse("motions:second", args=[draft.pk]), **HTMX)
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_second_with_htmx_returns_the_counter_while_still_a_draft(fed, client_for):
    fed.committee_a1.seconders_required = 2
    fed.committee_a1.save()
    motion = services.submit_motion(actor=fed.member, node=fed.committee_a1, title="T", body="B")
    response = client_for(fed.other_member).post(
        reverse("motions:second", args=[motion.pk]), **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="seconds">')
    assert "1 of 2 seconds" in page
    assert "You seconded this motion." in page


def test_seconding_ones_own_motion_shows_the_message(fed, client_for, draft):
    before = snapshot()
    response = client_for(fed.member).post(reverse("motions:second", args=[draft.pk]))
    assert response.status_code == 403
    assert "You cannot second your own motion." in response.content.decode()
    response = client_for(fed.member).post(reverse("motions:second", args=[draft.pk]), **HTMX)
    assert response.status_code == 403
    assert "You cannot second your own motion." in response.content.decode()
    assert snapshot() == before


def test_missing_csrf_token_is_refused(fed, csrf_client_for, draft):
    before = snapshot()
    response = csrf_client_for(fed.other_member).post(reverse("motions:second", args=[draft.pk]))
    assert response.status_code == 403
    assert snapshot() == before


def test_comment_and_reply_with_htmx_return_the_discussion(fed, client_for, draft):
    client = client_for(fed.other_member)
    response = client.post(
        reverse("motions:comment", args=[draft.pk]), {"body": "<b>Agree</b>"}, **HTMX
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.startswith('<section id="discussion"')
    assert "&lt;b&gt;Agree&lt;/b&gt;" in page
    top = Comment.objects.get()
    response = client.post(
        reverse("motions:comment", args=[draft.pk]), {"body": "Reply", "parent": top.pk}
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=top)
    assert response["Location"].endswith(f"#c{reply.pk}")


def test_oversized_comment_is_refused(fed, client_for, draft):
    before = snapshot()
    response = client_for(fed.member).post(
        reverse("motions:comment", args=[draft.pk]), {"body": "x" * (COMMENT_MAX + 1)}, **HTMX
    )
    assert response.status_code == 422
    assert "at most 5000 characters" in response.content.decode()
    assert snapshot() == before


def test_reply_to_an_unknown_comment_is_refused(fed, client_for, draft):
    before = snapshot()
    response = client_for(fed.member).post(
        reverse("motions:comment", args=[draft.pk]), {"body": "x", "parent": 424242}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_propose_amendment_and_see_its_diff(fed, client_for, debate):
    client = client_for(fed.other_member)
    response = client.post(
        reverse("motions:amend", args=[debate.pk]),
        {
            "kind": AmendmentKind.REPLACE_PARAGRAPH,
            "paragraph": 1,
            "text": "We call a general strike.",
        },
    )
    amendment = Amendment.objects.get()
    assert amendment.paragraph == 0
    assert response["Location"].endswith(f"#a{amendment.pk}")
    page = client.get(detail(debate)).content.decode()
    assert "<ins>general</ins>" in page or "<ins>general " in page
    assert "<del>regional" in page


def test_amendment_paragraph_out_of_range_shows_the_message(fed, client_for, debate):
    before = snapshot()
    response = client_for(fed.other_member).post(
        reverse("motions:amend", args=[debate.pk]),
        {"kind": AmendmentKind.DELETE_PARAGRAPH, "paragraph": 9},
    )
    assert response.status_code == 422
    assert "That paragraph does not exist: the current text has 3." in response.content.decode()
    assert snapshot() == before


def test_amending_a_draft_shows_the_message(fed, client_for, draft):
    before = snapshot()
    response = client_for(fed.other_member).post(
        reverse("motions:amend", args=[draft.pk]),
        {"kind": AmendmentKind.REPLACE_TEXT, "text": "New"},
    )
    assert response.status_code == 409
    assert "only while the motion is in debate" in response.content.decode()
    assert snapshot() == before


def test_withdraw_motion_and_amendment(fed, client_for, debate):
    amendment = services.propose_amendment(
        actor=fed.other_member,
        motion=debate,
        kind=AmendmentKind.DELETE_PARAGRAPH,
        paragraph=0,
        text="",
    )
    response = client_for(fed.member).post(
        reverse("motions:amendment_withdraw", args=[amendment.pk])
    )
    assert response.status_code == 403
    assert "Only the author can withdraw an amendment." in response.content.decode()
    response = client_for(fed.other_member).post(
        reverse("motions:amendment_withdraw", args=[amendment.pk])
    )
    assert response.status_code == 302
    response = client_for(fed.other_member).post(
        reverse("motions:withdraw", args=[debate.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 403
    response = client_for(fed.member).post(
        reverse("motions:withdraw", args=[debate.pk]), {"confirm": "yes"}
    )
    assert response.status_code == 302
    debate.refresh_from_db()
    assert debate.state == MotionState.WITHDRAWN


def test_edit_draft_page(fed, client_for, draft):
    client = client_for(fed.member)
    assert client.get(reverse("motions:edit", args=[draft.pk])).status_code == 200
    response = client.post(
        reverse("motions:edit", args=[draft.pk]), {"title": "Better", "body": "Text"}
    )
    assert response.status_code == 302
    response = client_for(fed.other_member).post(
        reverse("motions:edit", args=[draft.pk]), {"title": "Hijack", "body": "Text"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Better"


def test_versions_and_diff_pages(fed, client_for, debate):
    amendment = services.propose_amendment(
        actor=fed.other_member,
        motion=debate,
        kind=AmendmentKind.REPLACE_PARAGRAPH,
        paragraph=2,
        text="We meet again on <Tuesday>.",
    )
    services.accept_amendment(actor=SYSTEM, amendment=amendment)
    client = client_for(fed.member)
    page = client.get(reverse("motions:versions", args=[debate.pk])).content.decode()
    assert "<del>Monday.</del><ins>&lt;Tuesday&gt;.</ins>" in page
    url = reverse("motions:diff", args=[debate.pk])
    page = client.get(url, {"from": 1, "to": 2}).content.decode()
    assert "<ins>&lt;Tuesday&gt;.</ins>" in page
    assert client.get(url, {"from": 1, "to": 7}).status_code == 404
    assert client.get(url, {"from": "x", "to": 2}).status_code == 422
    page = client.get(detail(debate)).content.decode()
    assert "Merged into version 2" in page


def test_include_if_exists_renders_nothing_for_a_missing_template():
    template = Template(
        '{% load motions_tags %}[{% include_if_exists "nowhere/_missing.html" %}]'
        '{% include_if_exists "motions/_diff.html" %}'
    )
    rendered = template.render(Context({"ops": [("insert", "<b>")]}))
    assert rendered == "[]<ins>&lt;b&gt;</ins>"


def test_motion_page_stays_light(fed, client_for, debate):
    for i in range(3):
        services.add_comment(actor=fed.member, motion=debate, body=f"Comment {i}")
    response = client_for(fed.member).get(detail(debate), HTTP_ACCEPT_ENCODING="gzip")
    assert len(response.content) < 15_000
