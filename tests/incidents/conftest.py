from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from django.utils import timezone

from asamblea.core.models import AuditEntry
from asamblea.federation.models import Node, Role
from asamblea.incidents import services
from asamblea.incidents.codes import (
    AcledEventType,
    AcledSubType,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    DatePrecision,
    GeoPrecision,
    Reliability,
    SourceConnection,
    SourceType,
    ViolationType,
)
from asamblea.incidents.crypto import RegisterKey
from asamblea.incidents.models import (
    Act,
    Consent,
    Documenter,
    Incident,
    Involvement,
    Person,
    Review,
    Source,
)
from asamblea.incidents.rules import IncidentData
from tests.factories import join, make_member

PASSPHRASE = "condor pasa sobre el lago"
SECOND_PASSPHRASE = "la lluvia llega a juliaca"
VICTIM_NAME = "Quispe Mamani Zenobia"
VICTIM_CONTACT = "+51 951 000 111"
DESCRIPTION = "Detalle privado: la testigo vio el disparo desde la puerta"


@pytest.fixture(autouse=True)
def _cheap_scrypt(settings):
    # Production uses 2**15; the property under test does not depend on the cost.
    settings.ASAMBLEA_REGISTER_SCRYPT_N = 2**10


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    """Each test's evidence files in a folder of its own."""
    folder = tmp_path / "evidence"
    settings.ASAMBLEA_EVIDENCE_DIR = folder
    return folder


@dataclass
class Reg:
    """committee_a1's register: ``first`` (fed.member) created it, ``second``
    (fed.other_member) received its key; ``key`` is its opened key.
    committee_a2 has its own register documented by ``neighbour``."""

    committee: Node
    first: Documenter
    second: Documenter
    key: RegisterKey
    other_committee: Node
    neighbour: Documenter
    neighbour_key: RegisterKey


def name_and_open(fed, committee: Node, member, secretary, passphrase=PASSPHRASE):
    documenter = services.name_documenter(actor=secretary, committee=committee, member=member)
    services.set_register_passphrase(actor=member, committee=committee, passphrase=passphrase)
    documenter.refresh_from_db()
    return documenter


@pytest.fixture
def reg(fed) -> Reg:
    first = name_and_open(fed, fed.committee_a1, fed.member, fed.secretary)
    key = services.unlock_register(
        actor=fed.member, committee=fed.committee_a1, passphrase=PASSPHRASE
    )
    second = name_and_open(
        fed, fed.committee_a1, fed.other_member, fed.secretary, SECOND_PASSPHRASE
    )
    services.give_register_key(actor=fed.member, key=key, documenter=second)
    second.refresh_from_db()
    secretary_a2 = make_member("secretaria_a2")
    join(secretary_a2, fed.committee_a2, Role.SECRETARY)
    neighbour = name_and_open(fed, fed.committee_a2, fed.neighbour, secretary_a2)
    neighbour_key = services.unlock_register(
        actor=fed.neighbour, committee=fed.committee_a2, passphrase=PASSPHRASE
    )
    return Reg(
        committee=fed.committee_a1,
        first=first,
        second=second,
        key=key,
        other_committee=fed.committee_a2,
        neighbour=neighbour,
        neighbour_key=neighbour_key,
    )


def incident_data(**overrides) -> IncidentData:
    data = IncidentData(
        public_summary="Fuerzas del Estado dispararon contra una marcha pacífica.",
        private_description=DESCRIPTION,
        start_date=timezone.localdate() - timedelta(days=30),
        start_precision=DatePrecision.EXACT,
        country="PE",
        admin1="Puno",
        admin2="San Román",
        admin3="Juliaca",
        place="Aeropuerto Inca Manco Cápac",
        latitude=-15.4672,
        longitude=-70.1582,
        geo_precision=GeoPrecision.EXACT,
        event_type=AcledEventType.PROTESTS,
        sub_type=AcledSubType.EXCESSIVE_FORCE,
        violation_types=(ViolationType.KILLING, ViolationType.INJURY),
        fatalities_min=1,
        fatalities_max=2,
        injured=5,
    )
    return replace(data, **overrides)


def consent(scope=ConsentScope.RECORD) -> services.ConsentData:
    return services.ConsentData(
        scope=scope,
        giver=ConsentGiver.PERSON,
        method=ConsentMethod.ORAL,
        given_at=timezone.now() - timedelta(days=1),
    )


def victim(**overrides) -> services.VictimData:
    data = services.VictimData(
        act_type=ViolationType.INJURY,
        names=VICTIM_NAME,
        contact=VICTIM_CONTACT,
        consents=(consent(ConsentScope.RECORD), consent(ConsentScope.SHARE_ASSEMBLY)),
    )
    return replace(data, **overrides)


def source(**overrides) -> services.SourceData:
    data = services.SourceData(
        source_type=SourceType.WITNESS,
        connection=SourceConnection.SAW,
        reliability=Reliability.B,
        notes="La testigo vive frente a la plaza",
    )
    return replace(data, **overrides)


def record(fed, reg, **overrides) -> Incident:
    return services.record_incident(
        actor=fed.member,
        committee=reg.committee,
        data=incident_data(**overrides),
        key=reg.key,
        victims=[victim()],
        sources=[source()],
    )


def snapshot() -> dict[str, int]:
    """Row counts that a refused request must leave unchanged."""
    return {
        "incidents": Incident.objects.count(),
        "persons": Person.objects.count(),
        "acts": Act.objects.count(),
        "involvements": Involvement.objects.count(),
        "sources": Source.objects.count(),
        "consents": Consent.objects.count(),
        "reviews": Review.objects.count(),
        "documenters": Documenter.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def future() -> date:
    return timezone.localdate() + timedelta(days=1)
