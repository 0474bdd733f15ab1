"""Dates and times are written as in Peru (27/11/2026, 18:00) in every
language the site speaks, never in the United States form."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from asamblea.federation import invitations
from tests.factories import PASSWORD

LIMA = ZoneInfo("America/Lima")
MOMENT = datetime(2026, 11, 27, 18, 0, tzinfo=LIMA)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_writes_day_month_year_and_24_hours(language):
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == "27/11/2026 18:00"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "27/11/2026 18:00"
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == "27/11/2026"
        assert formats.date_format(MOMENT, "DATE_FORMAT") == "27/11/2026"
        assert formats.time_format(MOMENT, "TIME_FORMAT") == "18:00"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize("language", ["es", "qu", "ay"])
def test_a_typed_date_is_read_day_first(language):
    with translation.override(language):
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "qu", "ay"])
def test_pages_show_dates_as_written_in_peru(fed, language, settings):
    settings.TIME_ZONE = "America/Lima"
    ((invitation, _code),) = invitations.create_invitations(
        actor=fed.secretary, committee=fed.committee_a1
    )
    type(invitation).objects.filter(pk=invitation.pk).update(expires_at=MOMENT)
    fed.secretary.language = language
    fed.secretary.save(update_fields=["language"])
    client = Client()
    client.post(reverse("accounts:login"), {"pseudonym": "secretaria", "password": PASSWORD})
    html = client.get(reverse("accounts:invitations", args=[fed.committee_a1.pk])).content
    page = html.decode()
    assert f'lang="{language}"' in page
    assert "27/11/2026 18:00" in page
    assert "Nov." not in page
    assert "p.m." not in page
