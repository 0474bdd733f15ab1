"""Writes to the incident register. Each service checks permission first
(``incidents.access``), validates (``incidents.rules``), owns its transaction
and appends to the audit log. Audit entries hold ids and codes, never a name,
a contact or a description.

``actor`` is always a member: the system records nothing in the register.
Services that write names, contacts or descriptions take the committee's
opened ``RegisterKey`` (``keyring.key_for``) and refuse without it
(``RegisterLocked``); the server never holds that key on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.federation.access import Viewer
from asamblea.federation.models import Node
from asamblea.incidents import access, codes, crypto, rules
from asamblea.incidents.crypto import DataKey, DecryptionFailed, KdfParams, RegisterKey
from asamblea.incidents.errors import (
    ConsentRequired,
    NotDocumenter,
    RegisterLocked,
    WrongPassphrase,
)
from asamblea.incidents.models import (
    ACTOR_NAME_MAX,
    COMMENT_MAX,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTES_MAX,
    Act,
    Actor,
    Consent,
    Documenter,
    Incident,
    Involvement,
    Person,
    PersonMerge,
    Register,
    Review,
    Source,
)
from asamblea.incidents.rules import IncidentData

KEY_CHECK = b"asamblea incident register key check v1"


def field_aad(*, committee_id: int, kind: str, uid: object, name: str) -> bytes:
    """Associated data of one encrypted field: a ciphertext opens only in the
    committee, row and field it was written for."""
    return f"asamblea/incidents/v1|{committee_id}|{kind}|{uid}|{name}".encode()


def _register_aad(committee_id: int) -> bytes:
    return f"asamblea/incidents/v1|{committee_id}|register".encode()


def _documenter_aad(documenter: Documenter) -> bytes:
    return f"asamblea/incidents/v1|{documenter.committee_id}|documenter|{documenter.pk}".encode()


def _today() -> date:
    return timezone.localdate()


def _seal(key: RegisterKey | None, committee_id: int, text: str, **aad: object) -> bytes:
    if not text:
        return b""
    if key is None or key.committee_id != committee_id:
        raise RegisterLocked()
    return crypto.encrypt_text(
        key.data_key,
        text,
        aad=field_aad(
            committee_id=committee_id, kind=str(aad["kind"]), uid=aad["uid"], name=str(aad["name"])
        ),
    )


def _check_key(key: RegisterKey | None, committee: Node) -> None:
    """Refuse a key that is missing, of another committee, or not the register's."""
    if key is None or key.committee_id != committee.pk:
        raise RegisterLocked()
    register = Register.objects.filter(committee=committee).first()
    if register is None:
        raise RegisterLocked()
    try:
        crypto.decrypt(key.data_key, bytes(register.key_check), aad=_register_aad(committee.pk))
    except DecryptionFailed as exc:
        raise RegisterLocked() from exc


def _check_length(text: str, maximum: int, field_name: str) -> None:
    if len(text) > maximum:
        raise InvalidInput(
            _("This text is longer than %(max)d characters.") % {"max": maximum},
            field=field_name,
        )


def _documenter(actor: Member, committee: Node) -> Documenter:
    return access.require_documenter(Viewer.of(actor), committee)


def _lock_committee(committee: Node) -> None:
    """Serialise writes that number rows per committee or create its register."""
    Node.objects.select_for_update().filter(pk=committee.pk).first()


def _touch(incident: Incident) -> None:
    incident.updated_at = timezone.now()
    incident.save(update_fields=["updated_at"])


# --- documenters and the register key ------------------------------------------------


def name_documenter(*, actor: Member, committee: Node, member: Member) -> Documenter:
    """The committee's secretaries name one of its members a documenter. The
    new documenter then chooses a register passphrase and, unless they are the
    first, waits for a documenter with the register unlocked to give them the
    key (:func:`give_register_key`)."""
    access.check_name_documenters(Viewer.of(actor), committee)
    if not access.is_active_member(member.pk, committee):
        raise InvalidInput(
            _("Only members of the committee can be its documenters."), field="member"
        )
    with transaction.atomic():
        if Documenter.objects.filter(
            committee=committee, member=member, ended_at__isnull=True
        ).exists():
            raise Conflict(_("This member is already a documenter of the committee."))
        documenter = Documenter.objects.create(committee=committee, member=member, named_by=actor)
        audit.record(
            actor=actor,
            action="incidents.documenter.named",
            target=documenter,
            data={"committee": committee.pk, "member": member.pk},
        )
    return documenter


def end_documenter(*, actor: Member, documenter: Documenter) -> Documenter:
    """End a documenter role (the secretaries, or the documenter themselves)
    and erase its key material, so that the passphrase opens nothing any more.

    Hazard: a documenter who kept a copy of the register key while they held
    it still has it; rotating the register key (``rotation``) is the remedy."""
    viewer = Viewer.of(actor)
    committee = documenter.committee
    if documenter.member_id != actor.pk:
        access.check_name_documenters(viewer, committee)
    with transaction.atomic():
        documenter = Documenter.objects.select_for_update().get(pk=documenter.pk)
        if documenter.ended_at is not None:
            raise Conflict(_("This documenter role has already ended."))
        documenter.ended_at = timezone.now()
        documenter.wrapped_private_key = b""
        documenter.sealed_data_key = b""
        documenter.save(update_fields=["ended_at", "wrapped_private_key", "sealed_data_key"])
        audit.record(
            actor=actor,
            action="incidents.documenter.ended",
            target=documenter,
            data={"committee": committee.pk, "member": documenter.member_id},
        )
    return documenter


def set_register_passphrase(*, actor: Member, committee: Node, passphrase: str) -> Documenter:
    """The documenter chooses their register passphrase: a key pair is made,
    its private half wrapped under scrypt(passphrase). The committee's first
    documenter also creates the register key, sealed to their public key."""
    rules.check_passphrase(passphrase)
    documenter = _documenter(actor, committee)
    if documenter.has_passphrase:
        raise Conflict(_("You have already chosen your register passphrase."))
    params = KdfParams.fresh(n=settings.ASAMBLEA_REGISTER_SCRYPT_N)
    kek = crypto.derive_kek(passphrase, params)
    pair, _private = crypto.new_key_pair(kek, aad=_documenter_aad(documenter))
    with transaction.atomic():
        _lock_committee(committee)
        documenter = Documenter.objects.select_for_update().get(pk=documenter.pk)
        if documenter.has_passphrase:
            raise Conflict(_("You have already chosen your register passphrase."))
        documenter.kdf_salt = params.salt
        documenter.kdf_n, documenter.kdf_r, documenter.kdf_p = params.n, params.r, params.p
        documenter.public_key = pair.public_key
        documenter.wrapped_private_key = pair.wrapped_private_key
        fields = ["kdf_salt", "kdf_n", "kdf_r", "kdf_p", "public_key", "wrapped_private_key"]
        created = not Register.objects.filter(committee=committee).exists()
        if created:
            data_key = DataKey.generate()
            register = Register.objects.create(
                committee=committee,
                created_by=actor,
                key_check=crypto.encrypt(data_key, KEY_CHECK, aad=_register_aad(committee.pk)),
            )
            documenter.sealed_data_key = crypto.seal_data_key(
                data_key, pair.public_key, aad=_documenter_aad(documenter)
            )
            documenter.key_given_by = actor
            documenter.key_given_at = timezone.now()
            fields += ["sealed_data_key", "key_given_by", "key_given_at"]
            audit.record(
                actor=actor,
                action="incidents.register.created",
                target=register,
                data={"committee": committee.pk},
            )
        documenter.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="incidents.documenter.passphrase_set",
            target=documenter,
            data={"committee": committee.pk, "scrypt_n": params.n},
        )
    return documenter


def unlock_register(*, actor: Member, committee: Node, passphrase: str) -> RegisterKey:
    """Open the committee's register key with the actor's passphrase. The
    caller keeps it for the session (``keyring.remember``), never in the
    database. Each unlock is logged (who, when; never the key)."""
    documenter = _documenter(actor, committee)
    if not documenter.has_passphrase:
        raise Conflict(_("Choose your register passphrase first."))
    if not documenter.has_key:
        raise Conflict(
            _("Another documenter with the register unlocked must first give you its key.")
        )
    params = KdfParams(
        salt=bytes(documenter.kdf_salt),
        n=documenter.kdf_n,
        r=documenter.kdf_r,
        p=documenter.kdf_p,
    )
    kek = crypto.derive_kek(passphrase, params)
    aad = _documenter_aad(documenter)
    try:
        private = crypto.open_private_key(kek, bytes(documenter.wrapped_private_key), aad=aad)
        data_key = crypto.open_data_key(private, bytes(documenter.sealed_data_key), aad=aad)
    except DecryptionFailed as exc:
        raise WrongPassphrase(field="passphrase") from exc
    key = RegisterKey(committee_id=committee.pk, data_key=data_key)
    _check_key(key, committee)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="incidents.register.unlocked",
            target=documenter,
            data={"committee": committee.pk},
        )
    return key


def give_register_key(
    *, actor: Member, key: RegisterKey | None, documenter: Documenter
) -> Documenter:
    """An unlocked documenter seals the register key to a newer documenter's
    public key (the giver never learns their passphrase)."""
    committee = documenter.committee
    _documenter(actor, committee)
    _check_key(key, committee)
    assert key is not None  # noqa: S101 - _check_key refused None
    if not documenter.is_active:
        raise Conflict(_("This documenter role has ended."))
    if not documenter.has_passphrase:
        raise Conflict(_("This documenter has not chosen a register passphrase yet."))
    if documenter.has_key:
        raise Conflict(_("This documenter already holds the register key."))
    with transaction.atomic():
        documenter = Documenter.objects.select_for_update().get(pk=documenter.pk)
        documenter.sealed_data_key = crypto.seal_data_key(
            key.data_key, bytes(documenter.public_key), aad=_documenter_aad(documenter)
        )
        documenter.key_given_by = actor
        documenter.key_given_at = timezone.now()
        documenter.save(update_fields=["sealed_data_key", "key_given_by", "key_given_at"])
        audit.record(
            actor=actor,
            action="incidents.register.key_given",
            target=documenter,
            data={"committee": committee.pk, "member": documenter.member_id},
        )
    return documenter


# --- actors --------------------------------------------------------------------------


def create_actor(*, actor: Member, name: str, kind: str, parent: Actor | None = None) -> Actor:
    """An institution or unit. Any active documenter may add one; the list is
    shared by every committee so that counts by actor add up."""
    if not access.documenter_committee_ids(Viewer.of(actor)):
        raise NotDocumenter()
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Name the institution or unit."), field="name")
    _check_length(name, ACTOR_NAME_MAX, "name")
    rules.check_code(kind, codes.ActorKind, "kind")
    with transaction.atomic():
        if Actor.objects.filter(name__iexact=name).exists():
            raise Conflict(_("An actor with this name already exists."), field="name")
        created = Actor.objects.create(name=name, kind=kind, parent=parent, created_by=actor)
        audit.record(
            actor=actor,
            action="incidents.actor.created",
            target=created,
            data={"kind": kind, "parent": parent.pk if parent else None},
        )
    return created


# --- incidents -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentData:
    scope: str
    giver: str
    method: str
    given_at: datetime


@dataclass(frozen=True)
class InvolvementData:
    actor_id: int
    degree: str


@dataclass(frozen=True)
class VictimData:
    """A new person and what was done to them in the incident."""

    act_type: str
    names: str = ""
    contact: str = ""
    sex: str = codes.Sex.UNKNOWN
    age_band: str = codes.AgeBand.UNKNOWN
    occupation: str = codes.OccupationSector.UNKNOWN
    deceased: bool = False
    method: str = codes.ActMethod.UNKNOWN
    end_status: str = codes.EndStatus.UNKNOWN
    started_on: date | None = None
    ended_on: date | None = None
    consents: Sequence[ConsentData] = ()
    involvements: Sequence[InvolvementData] = field(default_factory=tuple)


@dataclass(frozen=True)
class SourceData:
    source_type: str
    connection: str
    reliability: str
    notes: str = ""


def _aware(moment: datetime) -> datetime:
    """A time without a zone is read in the server's zone (as a form's would be)."""
    if timezone.is_aware(moment):
        return moment
    try:
        return timezone.make_aware(moment)
    except (ValueError, OverflowError) as exc:
        raise InvalidInput(
            _("This time does not exist in the server's time zone; give its offset."),
            field="consent_given_at",
        ) from exc


def _check_consent(data: ConsentData) -> ConsentData:
    """The consent checked, its time made zone-aware."""
    rules.check_code(data.scope, codes.ConsentScope, "consent_scope")
    rules.check_code(data.giver, codes.ConsentGiver, "consent_giver")
    rules.check_code(data.method, codes.ConsentMethod, "consent_method")
    given_at = _aware(data.given_at)
    if given_at > timezone.now():
        raise InvalidInput(_("Consent cannot be given in the future."), field="consent_given_at")
    return replace(data, given_at=given_at)


def _check_victim(data: VictimData) -> list[Actor]:
    rules.check_code(data.act_type, codes.ViolationType, "act_type")
    rules.check_code(data.method, codes.ActMethod, "method")
    rules.check_code(data.end_status, codes.EndStatus, "end_status")
    rules.check_code(data.sex, codes.Sex, "sex")
    rules.check_code(data.age_band, codes.AgeBand, "age_band")
    rules.check_code(data.occupation, codes.OccupationSector, "occupation")
    _check_length(data.names, NAME_MAX, "names")
    _check_length(data.contact, CONTACT_MAX, "contact")
    if data.started_on is not None:
        rules.check_dates(
            start=data.started_on,
            end=data.ended_on,
            today=_today(),
            start_field="started_on",
            end_field="ended_on",
        )
    elif data.ended_on is not None:
        raise InvalidInput(_("An end date needs a start date."), field="ended_on")
    scopes = [c.scope for c in data.consents]
    if len(set(scopes)) != len(scopes):
        raise InvalidInput(_("A consent scope is listed twice."), field="consent_scope")
    for consent in data.consents:
        _check_consent(consent)  # again when written, to keep the aware time
    if (data.names or data.contact) and codes.ConsentScope.RECORD not in scopes:
        raise ConsentRequired(field="names")
    actors = []
    seen: set[int] = set()
    for involvement in data.involvements:
        rules.check_code(involvement.degree, codes.InvolvementDegree, "degree")
        if involvement.actor_id in seen:
            raise InvalidInput(_("An actor is listed twice for one act."), field="actor")
        seen.add(involvement.actor_id)
        found = Actor.objects.filter(pk=involvement.actor_id).first()
        if found is None:
            raise InvalidInput(_("There is no such actor."), field="actor")
        actors.append(found)
    return actors


def _check_source(data: SourceData) -> None:
    rules.check_code(data.source_type, codes.SourceType, "source_type")
    rules.check_code(data.connection, codes.SourceConnection, "connection")
    rules.check_code(data.reliability, codes.Reliability, "reliability")
    _check_length(data.notes, NOTES_MAX, "source_notes")


def _next_person_code(committee: Node) -> str:
    count = Person.objects.filter(committee=committee).count()
    return f"P-{count + 1:05d}"


def _create_victim(
    *,
    actor: Member,
    incident: Incident,
    key: RegisterKey | None,
    data: VictimData,
    actors: list[Actor],
) -> Act:
    committee_id = incident.committee_id
    person = Person(
        committee_id=committee_id,
        code=_next_person_code(incident.committee),
        sex=data.sex,
        age_band=data.age_band,
        occupation=data.occupation,
        deceased=data.deceased,
        created_by=actor,
    )
    person.names = _seal(key, committee_id, data.names, kind="person", uid=person.uid, name="names")
    person.contact = _seal(
        key, committee_id, data.contact, kind="person", uid=person.uid, name="contact"
    )
    person.save()
    for consent in map(_check_consent, data.consents):
        Consent.objects.create(
            person=person,
            scope=consent.scope,
            giver=consent.giver,
            method=consent.method,
            given_at=consent.given_at,
            recorded_by=actor,
        )
    act = Act.objects.create(
        incident=incident,
        victim=person,
        act_type=data.act_type,
        method=data.method,
        started_on=data.started_on,
        ended_on=data.ended_on,
        end_status=data.end_status,
        created_by=actor,
    )
    for found, involvement in zip(actors, data.involvements, strict=True):
        Involvement.objects.create(act=act, actor=found, degree=involvement.degree)
    audit.record(
        actor=actor,
        action="incidents.act.recorded",
        target=act,
        data={
            "incident": incident.pk,
            "person": person.pk,
            "act_type": data.act_type,
            "end_status": data.end_status,
            "consents": sorted(c.scope for c in data.consents),
            "actors": [a.pk for a in actors],
        },
    )
    return act


def _create_source(
    *, actor: Member, incident: Incident, key: RegisterKey | None, data: SourceData
) -> Source:
    source = Source(
        incident=incident,
        source_type=data.source_type,
        connection=data.connection,
        reliability=data.reliability,
        created_by=actor,
    )
    source.notes = _seal(
        key, incident.committee_id, data.notes, kind="source", uid=source.uid, name="notes"
    )
    source.save()
    audit.record(
        actor=actor,
        action="incidents.source.recorded",
        target=source,
        data={
            "incident": incident.pk,
            "type": data.source_type,
            "connection": data.connection,
            "reliability": data.reliability,
        },
    )
    return source


def _needs_key(
    data: IncidentData | None, victims: Sequence[VictimData], sources: Sequence[SourceData]
) -> bool:
    return bool(
        (data is not None and data.private_description)
        or any(v.names or v.contact for v in victims)
        or any(s.notes for s in sources)
    )


def record_incident(
    *,
    actor: Member,
    committee: Node,
    data: IncidentData,
    key: RegisterKey | None = None,
    victims: Sequence[VictimData] = (),
    sources: Sequence[SourceData] = (),
) -> Incident:
    """Record an incident as a draft, with its victims (a person, consents and
    an act each) and sources, all or nothing."""
    _documenter(actor, committee)
    rules.check_incident(data, today=_today())
    _check_length(data.private_description, DESCRIPTION_MAX, "private_description")
    actors = [_check_victim(v) for v in victims]
    for source in sources:
        _check_source(source)
    if _needs_key(data, victims, sources):
        _check_key(key, committee)
    with transaction.atomic():
        _lock_committee(committee)
        incident = Incident(
            committee=committee,
            public_summary=data.public_summary.strip(),
            start_date=data.start_date,
            start_precision=data.start_precision,
            end_date=data.end_date,
            end_precision=data.end_precision if data.end_date else "",
            country=data.country,
            admin1=data.admin1.strip(),
            admin2=data.admin2.strip(),
            admin3=data.admin3.strip(),
            place=data.place.strip(),
            latitude=data.latitude,
            longitude=data.longitude,
            geo_precision=data.geo_precision,
            event_type=data.event_type,
            sub_type=data.sub_type,
            violation_types=list(data.violation_types),
            fatalities_min=data.fatalities_min,
            fatalities_max=data.fatalities_max,
            injured=data.injured,
            detained=data.detained,
            disappeared=data.disappeared,
            tags=[t.strip() for t in data.tags],
            confidentiality=data.confidentiality,
            recorded_by=actor,
        )
        incident.private_description = _seal(
            key,
            committee.pk,
            data.private_description,
            kind="incident",
            uid=incident.uid,
            name="private_description",
        )
        incident.save()
        audit.record(
            actor=actor,
            action="incidents.incident.recorded",
            target=incident,
            data={
                "committee": committee.pk,
                "confidentiality": data.confidentiality,
                "event_type": data.event_type,
                "sub_type": data.sub_type,
                "violation_types": sorted(data.violation_types),
            },
        )
        for victim, victim_actors in zip(victims, actors, strict=True):
            _create_victim(
                actor=actor, incident=incident, key=key, data=victim, actors=victim_actors
            )
        for source in sources:
            _create_source(actor=actor, incident=incident, key=key, data=source)
    return incident


def _writable(actor: Member, incident: Incident) -> Incident:
    access.check_incident(Viewer.of(actor), incident, to="write")
    if incident.is_archived:
        raise Conflict(_("This incident is archived; it can no longer be changed."))
    return incident


def add_victim(
    *, actor: Member, incident: Incident, data: VictimData, key: RegisterKey | None = None
) -> Act:
    """Add a new person and their act to an incident."""
    _writable(actor, incident)
    actors = _check_victim(data)
    if data.names or data.contact:
        _check_key(key, incident.committee)
    with transaction.atomic():
        _lock_committee(incident.committee)
        act = _create_victim(actor=actor, incident=incident, key=key, data=data, actors=actors)
        _touch(incident)
    return act


def add_source(
    *, actor: Member, incident: Incident, data: SourceData, key: RegisterKey | None = None
) -> Source:
    _writable(actor, incident)
    _check_source(data)
    if data.notes:
        _check_key(key, incident.committee)
    with transaction.atomic():
        source = _create_source(actor=actor, incident=incident, key=key, data=data)
        _touch(incident)
    return source


def add_involvement(*, actor: Member, act: Act, actor_unit: Actor, degree: str) -> Involvement:
    _writable(actor, act.incident)
    rules.check_code(degree, codes.InvolvementDegree, "degree")
    with transaction.atomic():
        if Involvement.objects.filter(act=act, actor=actor_unit).exists():
            raise Conflict(_("This actor is already linked to the act."), field="actor")
        involvement = Involvement.objects.create(act=act, actor=actor_unit, degree=degree)
        audit.record(
            actor=actor,
            action="incidents.involvement.added",
            target=involvement,
            data={"act": act.pk, "actor": actor_unit.pk, "degree": degree},
        )
    return involvement


# --- verification and archive ------------------------------------------------------

_TRANSITIONS = {
    codes.VerificationState.DRAFT: (codes.VerificationState.UNDER_REVIEW,),
    codes.VerificationState.UNDER_REVIEW: (
        codes.VerificationState.VERIFIED,
        codes.VerificationState.NOT_CORROBORATED,
        codes.VerificationState.DRAFT,
    ),
    codes.VerificationState.NOT_CORROBORATED: (codes.VerificationState.UNDER_REVIEW,),
    codes.VerificationState.VERIFIED: (codes.VerificationState.UNDER_REVIEW,),
}


def review_incident(
    *,
    actor: Member,
    incident: Incident,
    to_state: str,
    violation_status: str = codes.ViolationStatus.UNKNOWN,
    comment: str = "",
) -> Review:
    """Move an incident along draft -> under review -> verified or not
    corroborated (or back to draft, or reopened for review). Any documenter
    may submit or reopen; verifying or not corroborating takes a documenter
    other than the one who recorded it."""
    _writable(actor, incident)
    rules.check_code(to_state, codes.VerificationState, "state")
    rules.check_code(violation_status, codes.ViolationStatus, "violation_status")
    _check_length(comment, COMMENT_MAX, "comment")
    concluding = to_state in (
        codes.VerificationState.VERIFIED,
        codes.VerificationState.NOT_CORROBORATED,
    )
    if concluding and incident.recorded_by_id == actor.pk:
        raise Forbidden(_("Another documenter must review the incident you recorded."))
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if to_state not in _TRANSITIONS[codes.VerificationState(locked.state)]:
            raise Conflict(
                _("An incident in state “%(state)s” cannot move to “%(to)s”.")
                % {
                    "state": locked.get_state_display(),
                    "to": codes.VerificationState(to_state).label,
                },
                field="state",
            )
        review = Review.objects.create(
            incident=locked,
            reviewer=actor,
            from_state=locked.state,
            to_state=to_state,
            violation_status=violation_status,
            comment=comment.strip(),
        )
        locked.state = to_state
        fields = ["state", "updated_at"]
        if concluding:
            locked.violation_status = violation_status
            fields.append("violation_status")
        locked.updated_at = timezone.now()
        locked.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="incidents.incident.reviewed",
            target=locked,
            data={
                "from": review.from_state,
                "to": to_state,
                "violation_status": violation_status,
            },
        )
    incident.refresh_from_db()
    return review


def archive_incident(*, actor: Member, incident: Incident, reason: str) -> Incident:
    """Archive, never delete: the record stays, out of every list and output."""
    _writable(actor, incident)
    rules.check_code(reason, codes.ArchiveReason, "reason")
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.is_archived:
            raise Conflict(_("This incident is already archived."))
        locked.archived_at = timezone.now()
        locked.archive_reason = reason
        locked.archived_by = actor
        locked.save(update_fields=["archived_at", "archive_reason", "archived_by"])
        audit.record(
            actor=actor,
            action="incidents.incident.archived",
            target=locked,
            data={"reason": reason},
        )
    incident.refresh_from_db()
    return incident


# --- consent -------------------------------------------------------------------------


def record_consent(*, actor: Member, person: Person, data: ConsentData) -> Consent:
    _documenter(actor, person.committee)
    data = _check_consent(data)
    with transaction.atomic():
        if Consent.objects.filter(
            person=person, scope=data.scope, withdrawn_at__isnull=True
        ).exists():
            raise Conflict(_("This consent is already recorded."), field="consent_scope")
        consent = Consent.objects.create(
            person=person,
            scope=data.scope,
            giver=data.giver,
            method=data.method,
            given_at=data.given_at,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="incidents.consent.recorded",
            target=consent,
            data={
                "person": person.pk,
                "scope": data.scope,
                "giver": data.giver,
                "method": data.method,
            },
        )
    return consent


def withdraw_consent(*, actor: Member, consent: Consent, method: str) -> Consent:
    """Withdraw a consent; what depends on it leaves every output at once:
    selectors read only active consents, and withdrawing the consent to be
    recorded erases the person's encrypted names and contact for good."""
    person = consent.person
    _documenter(actor, person.committee)
    rules.check_code(method, codes.ConsentMethod, "method")
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is not None:
            raise Conflict(_("This consent has already been withdrawn."))
        consent.withdrawn_at = timezone.now()
        consent.withdrawal_method = method
        consent.withdrawal_recorded_by = actor
        consent.save(update_fields=["withdrawn_at", "withdrawal_method", "withdrawal_recorded_by"])
        erased = False
        if consent.scope == codes.ConsentScope.RECORD:
            erased = _erase_identity(person)
        audit.record(
            actor=actor,
            action="incidents.consent.withdrawn",
            target=consent,
            data={
                "person": person.pk,
                "scope": consent.scope,
                "method": method,
                "identity_erased": erased,
            },
        )
    return consent


def _erase_identity(person: Person) -> bool:
    """Drop the ciphertexts of names and contact (kept for no one)."""
    updated = Person.objects.filter(pk=person.pk).update(
        names=b"", contact=b"", identity_erased_at=timezone.now()
    )
    return bool(updated)


# --- de-duplication ----------------------------------------------------------------


def merge_persons(*, actor: Member, kept: Person, merged: Person) -> PersonMerge:
    """``merged`` is the same person as ``kept``: its acts, sources and
    consents move to ``kept`` and it stays as a pointer (``merged_into``),
    with a history row listing what moved. Across committees the actor must
    document in both. Encrypted fields stay under the committee that wrote them."""
    viewer = Viewer.of(actor)
    for person in (kept, merged):
        if access.documenter_of(viewer, person.committee_id) is None:
            raise NotFound()
    if kept.pk == merged.pk:
        raise InvalidInput(_("A person cannot be merged into themselves."), field="merged")
    with transaction.atomic():
        kept = Person.objects.select_for_update().get(pk=kept.pk)
        merged = Person.objects.select_for_update().get(pk=merged.pk)
        if kept.merged_into_id is not None or merged.merged_into_id is not None:
            raise Conflict(_("One of these persons has already been merged."))
        moved = {
            "acts": list(Act.objects.filter(victim=merged).values_list("pk", flat=True)),
            "sources": list(Source.objects.filter(person=merged).values_list("pk", flat=True)),
            "consents": list(Consent.objects.filter(person=merged).values_list("pk", flat=True)),
        }
        Act.objects.filter(victim=merged).update(victim=kept)
        Source.objects.filter(person=merged).update(person=kept)
        kept_scopes = set(
            Consent.objects.filter(person=kept, withdrawn_at__isnull=True).values_list(
                "scope", flat=True
            )
        )
        # A consent both hold stays the kept person's; the duplicate's stays
        # with the duplicate as history, so no active scope is held twice.
        movable = Consent.objects.filter(person=merged).exclude(
            scope__in=kept_scopes, withdrawn_at__isnull=True
        )
        moved["consents"] = list(movable.values_list("pk", flat=True))
        movable.update(person=kept)
        if merged.deceased and not kept.deceased:
            kept.deceased = True
            kept.save(update_fields=["deceased"])
        merged.merged_into = kept
        merged.save(update_fields=["merged_into"])
        history = PersonMerge.objects.create(kept=kept, merged=merged, moved=moved, merged_by=actor)
        audit.record(
            actor=actor,
            action="incidents.person.merged",
            target=history,
            data={"kept": kept.pk, "merged": merged.pk, **moved},
        )
    return history
