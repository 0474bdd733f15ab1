"""Fictional demo data for the incident register, for the demo to call.

EVERYTHING HERE IS INVENTED. The persons, names, contacts and events below
never existed; any likeness to a real person or event is unintended. Every
incident's public summary begins with "EJEMPLO FICTICIO" and carries the tag
``DEMO_TAG``, so that the demo's records cannot be mistaken for documentation
of real victims.

The loader goes through the services, as documenters would: a committee's
secretary names two documenters, each chooses a passphrase, the first
creates the register and gives its key to the second, and they record,
review and verify incidents. It is idempotent: a committee that already has
demo incidents is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from asamblea.accounts.models import Member
from asamblea.federation.models import Node
from asamblea.incidents import services
from asamblea.incidents.codes import (
    AcledEventType,
    AcledSubType,
    ActMethod,
    ActorKind,
    AgeBand,
    Confidentiality,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    DatePrecision,
    EndStatus,
    GeoPrecision,
    InvolvementDegree,
    OccupationSector,
    Reliability,
    Sex,
    SourceConnection,
    SourceType,
    VerificationState,
    ViolationStatus,
    ViolationType,
)
from asamblea.incidents.models import Actor, Documenter, Incident
from asamblea.incidents.rules import IncidentData

DEMO_TAG = "demo-ficticio"
FICTIONAL = "EJEMPLO FICTICIO"
DEMO_PASSPHRASES = ("ejemplo ficticio uno", "ejemplo ficticio dos")
"""The demo documenters' register passphrases (printed by the demo's help)."""


@dataclass(frozen=True)
class _Victim:
    names: str
    sex: str
    age: str
    occupation: str
    act: str
    method: str
    end: str
    share: bool


@dataclass(frozen=True)
class _Event:
    days_ago: int
    summary: str
    description: str
    admin1: str
    admin2: str
    place: str
    latitude: float | None
    longitude: float | None
    geo: str
    event_type: str
    sub_type: str
    violations: tuple[str, ...]
    fatalities: tuple[int, int]
    injured: int
    detained: int
    level: str
    verify: bool
    victims: tuple[_Victim, ...]


_EVENTS = (
    _Event(
        days_ago=40,
        summary="Agentes dispersaron con perdigones una marcha pacífica en la plaza del distrito.",
        description="Relato inventado para la demostración: la marcha avanzaba sin incidentes.",
        admin1="Puno",
        admin2="San Román",
        place="Plaza ficticia del Sol",
        latitude=-15.49,
        longitude=-70.13,
        geo=GeoPrecision.PLACE,
        event_type=AcledEventType.PROTESTS,
        sub_type=AcledSubType.EXCESSIVE_FORCE,
        violations=(ViolationType.INJURY,),
        fatalities=(0, 0),
        injured=7,
        detained=0,
        level=Confidentiality.PUBLIC,
        verify=True,
        victims=(
            _Victim(
                "Persona Ficticia Uno",
                Sex.FEMALE,
                AgeBand.YOUNG,
                OccupationSector.STUDENT,
                ViolationType.INJURY,
                ActMethod.PELLETS,
                EndStatus.INJURED,
                share=True,
            ),
            _Victim(
                "Persona Ficticia Dos",
                Sex.MALE,
                AgeBand.ADULT,
                OccupationSector.TRADE,
                ViolationType.INJURY,
                ActMethod.TEAR_GAS,
                EndStatus.INJURED,
                share=False,
            ),
        ),
    ),
    _Event(
        days_ago=35,
        summary="Detención de dirigentes comunales durante una asamblea; liberados al otro día.",
        description="Relato inventado: la asamblea se realizaba en el local comunal.",
        admin1="Puno",
        admin2="Azángaro",
        place="Local comunal ficticio",
        latitude=None,
        longitude=None,
        geo=GeoPrecision.ADMIN2,
        event_type=AcledEventType.STRATEGIC_DEVELOPMENTS,
        sub_type=AcledSubType.ARRESTS,
        violations=(ViolationType.ARBITRARY_ARREST, ViolationType.DETENTION),
        fatalities=(0, 0),
        injured=0,
        detained=4,
        level=Confidentiality.ASSEMBLY,
        verify=True,
        victims=(
            _Victim(
                "Persona Ficticia Tres",
                Sex.MALE,
                AgeBand.MIDDLE,
                OccupationSector.COMMUNITY_LEADER,
                ViolationType.ARBITRARY_ARREST,
                ActMethod.UNKNOWN,
                EndStatus.RELEASED,
                share=True,
            ),
        ),
    ),
    _Event(
        days_ago=20,
        summary="Allanamiento nocturno de un local sindical; se reportan daños y amenazas.",
        description="Relato inventado: testigos describen la entrada sin orden judicial.",
        admin1="Puno",
        admin2="San Román",
        place="Local sindical ficticio",
        latitude=-15.50,
        longitude=-70.14,
        geo=GeoPrecision.EXACT,
        event_type=AcledEventType.STRATEGIC_DEVELOPMENTS,
        sub_type=AcledSubType.LOOTING,
        violations=(ViolationType.RAID, ViolationType.PROPERTY_DESTRUCTION, ViolationType.THREAT),
        fatalities=(0, 0),
        injured=0,
        detained=0,
        level=Confidentiality.COMMITTEE,
        verify=False,
        victims=(),
    ),
)


def _given() -> services.ConsentData:
    return services.ConsentData(
        scope=ConsentScope.RECORD,
        giver=ConsentGiver.PERSON,
        method=ConsentMethod.ORAL,
        given_at=timezone.now() - timedelta(days=1),
    )


def _actors(actor: Member) -> tuple[Actor, Actor]:
    police = Actor.objects.filter(name__iexact="Policía (institución ficticia de la demo)").first()
    if police is None:
        police = services.create_actor(
            actor=actor, name="Policía (institución ficticia de la demo)", kind=ActorKind.POLICE
        )
    unit = Actor.objects.filter(name__iexact="Unidad de control de multitudes (ficticia)").first()
    if unit is None:
        unit = services.create_actor(
            actor=actor,
            name="Unidad de control de multitudes (ficticia)",
            kind=ActorKind.POLICE,
            parent=police,
        )
    return police, unit


def _documenter(committee: Node, secretary: Member, member: Member, passphrase: str) -> None:
    documenter = Documenter.objects.filter(
        committee=committee, member=member, ended_at__isnull=True
    ).first()
    if documenter is None:
        services.name_documenter(actor=secretary, committee=committee, member=member)
        services.set_register_passphrase(actor=member, committee=committee, passphrase=passphrase)


def load_demo_incidents(
    *, committee: Node, secretary: Member, documenters: Sequence[Member], today: date | None = None
) -> list[Incident]:
    """Name ``documenters`` (two members of ``committee``; passphrases
    ``DEMO_PASSPHRASES``) and record the fictional incidents. Returns the
    committee's demo incidents."""
    existing = [i for i in Incident.objects.filter(committee=committee) if DEMO_TAG in i.tags]
    if existing:
        return existing
    first, second = documenters[0], documenters[1]
    _documenter(committee, secretary, first, DEMO_PASSPHRASES[0])
    key = services.unlock_register(actor=first, committee=committee, passphrase=DEMO_PASSPHRASES[0])
    _documenter(committee, secretary, second, DEMO_PASSPHRASES[1])
    waiting = Documenter.objects.get(committee=committee, member=second, ended_at__isnull=True)
    if not waiting.has_key:
        services.give_register_key(actor=first, key=key, documenter=waiting)
    _police, unit = _actors(first)
    today = today or timezone.localdate()
    incidents = []
    for event in _EVENTS:
        victims = [
            services.VictimData(
                act_type=v.act,
                names=v.names,
                contact="+00 000 000 000 (ficticio)",
                sex=v.sex,
                age_band=v.age,
                occupation=v.occupation,
                method=v.method,
                end_status=v.end,
                consents=(_given(),)
                + (
                    (
                        services.ConsentData(
                            scope=ConsentScope.SHARE_ASSEMBLY,
                            giver=ConsentGiver.PERSON,
                            method=ConsentMethod.ORAL,
                            given_at=timezone.now() - timedelta(days=1),
                        ),
                    )
                    if v.share
                    else ()
                ),
                involvements=(
                    services.InvolvementData(actor_id=unit.pk, degree=InvolvementDegree.DIRECT),
                ),
            )
            for v in event.victims
        ]
        incident = services.record_incident(
            actor=first,
            committee=committee,
            key=key,
            data=IncidentData(
                public_summary=f"{FICTIONAL}: {event.summary}",
                private_description=f"{FICTIONAL}. {event.description}",
                start_date=today - timedelta(days=event.days_ago),
                start_precision=DatePrecision.EXACT,
                country="PE",
                admin1=event.admin1,
                admin2=event.admin2,
                place=event.place,
                latitude=event.latitude,
                longitude=event.longitude,
                geo_precision=event.geo,
                event_type=event.event_type,
                sub_type=event.sub_type,
                violation_types=event.violations,
                fatalities_min=event.fatalities[0],
                fatalities_max=event.fatalities[1],
                injured=event.injured,
                detained=event.detained,
                tags=(DEMO_TAG,),
                confidentiality=event.level,
            ),
            victims=victims,
            sources=[
                services.SourceData(
                    source_type=SourceType.WITNESS,
                    connection=SourceConnection.SAW,
                    reliability=Reliability.B,
                    notes=f"{FICTIONAL}: testigo inventado.",
                )
            ],
        )
        if event.verify:
            services.review_incident(
                actor=first, incident=incident, to_state=VerificationState.UNDER_REVIEW
            )
            services.review_incident(
                actor=second,
                incident=incident,
                to_state=VerificationState.VERIFIED,
                violation_status=ViolationStatus.CONFIRMED,
            )
        incidents.append(incident)
    return incidents
