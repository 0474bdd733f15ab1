"""``first_instance`` gives what ``Model.objects.raw()`` gives, on every call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from asamblea.accounts.models import Member
from asamblea.core.rawrows import first_instance
from asamblea.voting.models import Poll
from tests.factories import make_member

_MEMBER_SQL = f"SELECT m.*, m.id * 2 AS doubled FROM {Member._meta.db_table} m WHERE m.id = %s"  # noqa: S608
_POLL_SQL = f"SELECT * FROM {Poll._meta.db_table} WHERE id = %(poll)s"  # noqa: S608


def _fields(instance, model):
    return {f.attname: getattr(instance, f.attname) for f in model._meta.fields}


def _same_as_raw(model, sql, params):
    expected = next(iter(model.objects.raw(sql, params)), None)
    got = first_instance(model, sql, params)
    assert (got is None) == (expected is None)
    if got is not None:
        assert type(got) is model
        assert not got._state.adding
        assert got._state.db == expected._state.db
        assert _fields(got, model) == _fields(expected, model)
        for name, value in _fields(expected, model).items():
            assert type(getattr(got, name)) is type(value), name
    return got


@pytest.mark.django_db
def test_member_rows_match_raw_with_converters_and_extra_columns():
    staff = make_member("Convertida", is_staff=True)
    staff.last_login = timezone.now() - dt.timedelta(days=3)
    staff.save()
    plain = make_member("Sencilla")
    # Twice each, in turns: the second uses the plan kept from the first.
    for member in (staff, plain, staff, plain):
        got = _same_as_raw(Member, _MEMBER_SQL, [member.pk])
        assert got is not None
        assert got.pk == member.pk
        assert got.doubled == member.pk * 2
        assert got.is_staff is member.is_staff
        assert got.last_login == Member.objects.get(pk=member.pk).last_login


@pytest.mark.django_db
def test_no_row_gives_none():
    assert _same_as_raw(Member, _MEMBER_SQL, [10**9]) is None


@pytest.mark.django_db
def test_poll_rows_match_raw(fed):
    from asamblea.voting import services
    from asamblea.voting.spec import PollSpec

    poll = services.create_poll(
        actor=fed.operator, node=fed.assembly, spec=PollSpec(question="¿Raw?", secret=True)
    )
    services.open_poll(actor=fed.operator, poll=poll)
    for _ in range(2):
        got = _same_as_raw(Poll, _POLL_SQL, {"poll": poll.pk})
        assert got is not None
        assert got.secret is True


@pytest.mark.django_db
def test_a_query_without_the_primary_key_is_refused():
    member = make_member("SinClave")
    sql = f"SELECT pseudonym FROM {Member._meta.db_table} WHERE id = %s"  # noqa: S608
    with pytest.raises(ValueError, match="primary key"):
        first_instance(Member, sql, [member.pk])
