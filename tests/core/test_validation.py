"""The control-character rule: the shared check, every form, and the web views."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms

from asamblea.core.validation import ControlCharactersFormMixin, check_text, first_refused
from asamblea.motions.models import Comment, Motion


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"])
def test_c0_del_and_c1_are_refused_in_any_text(char):
    for multiline in (False, True):
        with pytest.raises(ValueError, match="control character"):
            check_text(f"ab{char}c", multiline=multiline)
    assert first_refused(f"ab{char}c", multiline=True) == 2


def test_line_breaks_and_tab_only_in_multiline_text():
    for char in "\t\n\r":
        assert check_text(f"a{char}b", multiline=True) == f"a{char}b"
        with pytest.raises(ValueError, match=r"U\+000"):
            check_text(f"a{char}b", multiline=False)


def test_lone_surrogates_are_refused():
    with pytest.raises(ValueError, match=r"U\+D800"):
        check_text("a\ud800", multiline=True)


def test_ordinary_unicode_passes():
    text = "Ñuqanchik ayllu · ¡Jallalla! “paro” 🌄 \u00a0\u2014"
    assert check_text(text, multiline=False) == text


def _all_forms():
    for app in ("accounts", "federation", "motions", "voting"):
        module = importlib.import_module(f"asamblea.{app}.forms")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_form_of_the_apps_checks_control_characters():
    found = list(_all_forms())
    assert len(found) > 15
    missing = [cls.__name__ for cls in found if not issubclass(cls, ControlCharactersFormMixin)]
    assert missing == []


@pytest.mark.django_db
def test_the_motion_form_refuses_a_nul_and_an_escape(fed, client_for):
    client = client_for(fed.member)
    for title, body in (("a\x00b", "texto"), ("título", "a\x1b[2Jb"), ("t\tx", "ok")):
        response = client.post(
            "/motions/new/", {"node": fed.committee_a1.pk, "title": title, "body": body}
        )
        assert response.status_code == 422, (title, body)
        assert b"control character" in response.content
    assert not Motion.objects.exists()


@pytest.mark.django_db
def test_a_textarea_keeps_crlf_line_breaks(fed, client_for):
    client = client_for(fed.member)
    response = client.post(
        "/motions/new/", {"node": fed.committee_a1.pk, "title": "Marcha", "body": "uno\r\ndos"}
    )
    assert response.status_code == 302
    motion = Motion.objects.get()
    response = client.post(f"/motions/{motion.pk}/comments/", {"body": "a\x85b"})
    assert response.status_code == 422
    assert not Comment.objects.exists()
