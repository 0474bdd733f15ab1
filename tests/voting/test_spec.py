"""The poll form and the API schema read a new poll into the same PollSpec."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from asamblea.voting.api import PollIn
from asamblea.voting.forms import PollForm
from asamblea.voting.spec import DEFAULTS, WIDE_QUORUM, PollSpec, defaults_for


def _form_spec(data: dict[str, object], *, election: bool = False) -> PollSpec:
    form = PollForm(data, election=election)
    assert form.is_valid(), form.errors
    return form.spec()


def test_form_and_api_give_the_same_spec():
    closes = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    form = _form_spec(
        {
            "question": "¿Qué día marchamos?",
            "description": "Coordinadora",
            "method": "approval",
            "options": "Martes\nJueves\nSábado",
            "max_choices": 2,
            "secret": "on",
            "aggregation": "by_committee_members",
            "majority_num": 2,
            "majority_den": 3,
            "majority_base": "entitled",
            "quorum_num": 1,
            "quorum_den": 4,
            "closes_at": "2030-05-01T12:00",
        }
    )
    api = PollIn(
        node=1,
        question="¿Qué día marchamos?",
        description="Coordinadora",
        method="approval",
        options=["Martes", "Jueves", "Sábado"],
        max_choices=2,
        secret=True,
        aggregation="by_committee_members",
        majority_num=2,
        majority_den=3,
        majority_base="entitled",
        majority_strict=False,
        quorum_num=1,
        quorum_den=4,
        closes_at=closes,
    ).spec(node_kind="committee")
    # The form's datetime is read in the site's time zone; compare the rest.
    assert form.closes_at is not None
    assert form.closes_at.replace(tzinfo=UTC) == closes
    assert form.__class__ is api.__class__ is PollSpec
    assert {**vars(form), "closes_at": None, "seats": 1} == {
        **vars(api),
        "closes_at": None,
        "seats": 1,
    }


def test_defaults_are_the_specs():
    assert PollIn(node=1, question="¿Ya?").spec(node_kind="committee") == PollSpec(question="¿Ya?")
    form = PollForm()
    for name in ("method", "max_choices", "aggregation", "majority_num", "quorum_den"):
        assert form.fields[name].initial == getattr(DEFAULTS, name)


def test_an_election_form_names_its_purpose_and_no_options():
    spec = _form_spec(
        {
            "question": "Delegada",
            "aggregation": "pooled",
            "majority_num": 1,
            "majority_den": 2,
            "majority_base": "valid",
            "quorum_num": 0,
            "quorum_den": 1,
        },
        election=True,
    )
    assert spec.purpose == "delegate_election"
    assert spec.options == ()


@pytest.mark.parametrize(
    ("kind", "quorum"),
    [("assembly", WIDE_QUORUM), ("region", WIDE_QUORUM), ("zone", (0, 1)), ("committee", (0, 1))],
)
def test_a_vote_at_a_region_or_the_assembly_defaults_to_a_quorum(kind, quorum):
    spec = defaults_for(node_kind=kind)
    assert (spec.quorum_num, spec.quorum_den) == quorum
    assert WIDE_QUORUM[0] > 0
    form = PollForm(node_kind=kind)
    assert (form.fields["quorum_num"].initial, form.fields["quorum_den"].initial) == quorum
    api = PollIn(node=1, question="¿Ya?").spec(node_kind=kind)
    assert (api.quorum_num, api.quorum_den) == quorum
    # Said explicitly, the payload's quorum wins, even no quorum at all.
    explicit = PollIn(node=1, question="¿Ya?", quorum_num=0).spec(node_kind=kind)
    assert (explicit.quorum_num, explicit.quorum_den) == (0, 1)
