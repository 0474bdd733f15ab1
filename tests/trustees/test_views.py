"""The board pages: what members see, what managers and trustees do there."""

from __future__ import annotations

import html as html_lib
import json
import re
import shlex

from asamblea.trustees import engine, services
from asamblea.trustees.models import BoardState, Trustee, TrusteeBoard
from secret_ballot.__main__ import _parser

from .conftest import db_state, device, form_board_through_the_api, respond, reveals_of


def _no_inline_code(html: str) -> None:
    # A JSON data block (json_script) is data, not code: no browser runs it.
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))", html)
    assert "<style" not in html
    assert " style=" not in html


def test_the_node_page_links_the_board_page(fed, client_for):
    page = client_for(fed.member).get(f"/nodes/{fed.committee_a1.pk}/")
    assert f'href="/trustees/nodes/{fed.committee_a1.pk}/"' in page.content.decode()


def test_a_manager_forms_a_board_from_the_pages(fed, client_for):
    secretary = client_for(fed.secretary)
    page = secretary.get(f"/trustees/nodes/{fed.committee_a1.pk}/")
    assert page.status_code == 200
    _no_inline_code(page.content.decode())
    assert "Create the board" in page.content.decode()
    r = secretary.post(f"/trustees/nodes/{fed.committee_a1.pk}/", {"size": "", "threshold": ""})
    board = TrusteeBoard.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/trustees/boards/{board.pk}/"
    assert (board.size, board.threshold) == (3, 2)
    r = secretary.post(f"/trustees/boards/{board.pk}/appoint/", {"pseudonym": fed.member.pseudonym})
    assert r.status_code == 302
    before = db_state()
    r = secretary.post(
        f"/trustees/boards/{board.pk}/appoint/", {"pseudonym": fed.outsider.pseudonym}
    )
    assert r.status_code == 422
    assert "active member of a committee" in r.content.decode()
    r = secretary.post(f"/trustees/boards/{board.pk}/start/")
    assert r.status_code == 409
    assert db_state() == before
    page = secretary.get(f"/trustees/boards/{board.pk}/").content.decode()
    _no_inline_code(page)
    assert fed.member.pseudonym in page
    assert "Appoint trustee" in page


def test_members_see_the_board_but_do_not_manage_it(fed, client_for, ready):
    page = client_for(fed.member).get(f"/trustees/boards/{ready.board.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Start the key ceremony" not in html
    assert "You are a trustee of this board." in html  # rosa holds seat 2
    assert client_for(fed.neighbour).get(f"/trustees/boards/{ready.board.pk}/").status_code == 404
    r = client_for(fed.member).post(f"/trustees/boards/{ready.board.pk}/start/")
    assert r.status_code == 403
    assert TrusteeBoard.objects.get().state == BoardState.FORMING


def test_the_trustee_page_says_what_to_do_next(fed, client_for):
    board = services.create_board(actor=fed.secretary, node=fed.committee_a1, size=1)
    services.appoint_trustee(actor=fed.secretary, board=board, member=fed.member)
    rosa = client_for(fed.member)
    page = rosa.get(f"/trustees/boards/{board.pk}/me/")
    html = page.content.decode()
    assert page.status_code == 200
    _no_inline_code(html)
    assert "register its public communication key" in html
    assert f"/api/v1/trustees/boards/{board.pk}" in html
    # With JavaScript the page takes the steps itself; without, it says to use the commands.
    assert '<section id="trustee-app" class="trustee-app" hidden' in html
    assert "js/trustee.js" in html
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S)
    assert noscript is not None
    assert "command line" in noscript.group(1)
    text = re.search(r'<script id="trustee-text" type="application/json">(.*?)</script>', html)
    assert text is not None
    assert json.loads(text.group(1))["announced"] == "Your announcement was sent."
    # The commands shown are the command line's own, with arguments it takes.
    commands = re.findall(r"<code class=\"hex\">secret-ballot (trustee [^<]*)</code>", html)
    assert [c.split()[1] for c in commands] == ["init", "step", "status"]
    for command in commands:
        args = _parser().parse_args(shlex.split(html_lib.unescape(command)))
        assert args.board == board.pk
    r = rosa.post(f"/trustees/boards/{board.pk}/me/key/", {"communication_key": "nonsense"})
    assert r.status_code == 422
    assert "not a valid communication key" in r.content.decode()
    _secret, public = engine.new_communication_keys()
    r = rosa.post(f"/trustees/boards/{board.pk}/me/key/", {"communication_key": public})
    assert r.status_code == 302
    html = rosa.get(f"/trustees/boards/{board.pk}/me/").content.decode()
    assert "Save your passphrase-encrypted key file" in html
    r = rosa.post(f"/trustees/boards/{board.pk}/me/key-file/", {})
    assert r.status_code == 422
    r = rosa.post(f"/trustees/boards/{board.pk}/me/key-file/", {"kept": "on"})
    assert r.status_code == 302
    assert Trustee.objects.get().is_ready
    html = rosa.get(f"/trustees/boards/{board.pk}/me/").content.decode()
    assert "Wait for the ceremony to start" in html
    secretary = client_for(fed.secretary)
    assert secretary.get(f"/trustees/boards/{board.pk}/me/").status_code == 403
    r = secretary.post(f"/trustees/boards/{board.pk}/start/")
    assert r.status_code == 302
    html = rosa.get(f"/trustees/boards/{board.pk}/me/").content.decode()
    assert "Send your announcement" in html


def test_an_active_board_shows_its_joint_key(fed, client_for, api):
    board_id, trustees, secrets = form_board_through_the_api(fed, api)
    calls = {i: api(m) for i, m in enumerate(trustees, start=1)}
    devices = {i: device(calls[i], board_id, i, secrets[i]) for i in calls}
    for i, d in devices.items():
        calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/announce",
            {"payload": d.announce().to_json()},
        )
    for i, d in devices.items():
        calls[i](
            "post",
            f"/trustees/boards/{board_id}/messages/reveal",
            {"payload": d.reveal().to_json()},
        )
    for i, d in devices.items():
        payload = {"payload": respond(d, reveals_of(calls[i], board_id))}
        calls[i]("post", f"/trustees/boards/{board_id}/messages/respond", payload)
    board = TrusteeBoard.objects.get(pk=board_id)
    html = client_for(fed.neighbour).get(f"/trustees/nodes/{fed.committee_a2.pk}/").content.decode()
    assert "No active board serves this node yet." in html
    html = client_for(fed.member).get(f"/trustees/boards/{board_id}/").content.decode()
    assert board.joint_key in html
    assert "Renew this board" not in html
    html = client_for(fed.secretary).get(f"/trustees/boards/{board_id}/").content.decode()
    assert "Renew this board" in html
    html = client_for(fed.member).get(f"/trustees/nodes/{fed.committee_a1.pk}/").content.decode()
    assert "Secret polls here are encrypted with this node's own board." in html
