"""The incident register: who did what to whom (HURIDOCS events), with
uncertainty recorded (date and place precision, min-max counts, source
reliability, violation status) and each person's consent by scope.

Names, contacts and free-text descriptions that could identify someone are
``BinaryField`` ciphertexts under the committee's register key
(``incidents.crypto``); a row holds no readable name. Nothing here is deleted
by the services: incidents are archived with a reason, duplicated persons are
merged with a history row, consent is withdrawn, documenters are ended.

Actors are institutions and units, never individual officers or officials.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.federation.models import Node
from asamblea.incidents.codes import (
    AcledEventType,
    AcledSubType,
    ActMethod,
    ActorKind,
    AgeBand,
    ArchiveReason,
    Confidentiality,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    CustodyAction,
    DatePrecision,
    EndStatus,
    EvidenceKind,
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

SUMMARY_MAX = 1000
DESCRIPTION_MAX = 20_000
NAME_MAX = 300
CONTACT_MAX = 500
NOTES_MAX = 4000
PLACE_MAX = 120
TAG_MAX = 40
TAGS_MAX = 20
COMMENT_MAX = 4000
ACTOR_NAME_MAX = 200
COUNT_MAX = 100_000


def _within(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Register(models.Model):
    """A committee's register: proof of its data key (``key_check``, a
    constant encrypted under it), so that an opened key is known to be the
    register's own. The key itself is stored only sealed per documenter."""

    committee = models.OneToOneField(
        Node, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="register"
    )
    key_check = models.BinaryField(editable=False)
    # Counts the rotations of the data key; names the evidence files sealed
    # under the current key (``incidents.evidence.file_path``).
    key_generation = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")

    def __str__(self) -> str:
        return f"register of {self.committee_id}"


class Documenter(models.Model):
    """A member whom a committee's secretaries named to record incidents.

    Key material: ``public_key`` and ``wrapped_private_key`` exist once the
    documenter chose a register passphrase; ``sealed_data_key`` once the
    register key was given to them (by themselves as the first documenter,
    or by another documenter with the register unlocked)."""

    committee = models.ForeignKey(
        Node, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="documenters"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="documenter_roles",
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    named_at = models.DateTimeField(_("named"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    kdf_salt = models.BinaryField(default=b"", editable=False)
    kdf_n = models.PositiveIntegerField(default=0, editable=False)
    kdf_r = models.PositiveSmallIntegerField(default=0, editable=False)
    kdf_p = models.PositiveSmallIntegerField(default=0, editable=False)
    public_key = models.BinaryField(default=b"", editable=False)
    wrapped_private_key = models.BinaryField(default=b"", editable=False)
    sealed_data_key = models.BinaryField(default=b"", editable=False)
    key_given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key given by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    key_given_at = models.DateTimeField(_("key given"), null=True, blank=True)

    class Meta:
        verbose_name = _("documenter")
        verbose_name_plural = _("documenters")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "member"],
                condition=Q(ended_at__isnull=True),
                name="incidents_one_active_documenter_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("named_at")),
                name="incidents_documenter_ends_after_naming",
            ),
        ]

    def __str__(self) -> str:
        return f"documenter {self.member_id}@{self.committee_id}"

    @property
    def has_passphrase(self) -> bool:
        return bool(self.public_key)

    @property
    def has_key(self) -> bool:
        return bool(self.sealed_data_key)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Actor(models.Model):
    """An institution or one of its units (a police division, an army
    battalion), never a person."""

    name = models.CharField(_("name"), max_length=ACTOR_NAME_MAX)
    kind = models.CharField(_("kind"), max_length=24, choices=ActorKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="incidents_actor_name_unique_ci"),
            _within("kind", ActorKind, "incidents_actor_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    committee = models.ForeignKey(
        Node, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="incidents"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    public_summary = models.TextField(_("public summary"), max_length=SUMMARY_MAX)
    # Ciphertext under the register key (see crypto.py); b"" when empty.
    private_description = models.BinaryField(default=b"", editable=False)

    start_date = models.DateField(_("start"))
    start_precision = models.CharField(
        _("start precision"), max_length=16, choices=DatePrecision.choices
    )
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(
        _("end precision"), max_length=16, choices=DatePrecision.choices, blank=True
    )

    country = models.CharField(_("country"), max_length=2)
    admin1 = models.CharField(_("region"), max_length=PLACE_MAX, blank=True)
    admin2 = models.CharField(_("province"), max_length=PLACE_MAX, blank=True)
    admin3 = models.CharField(_("district"), max_length=PLACE_MAX, blank=True)
    place = models.CharField(_("place"), max_length=PLACE_MAX, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    geo_precision = models.CharField(
        _("place precision"), max_length=16, choices=GeoPrecision.choices
    )

    event_type = models.CharField(_("event type"), max_length=32, choices=AcledEventType.choices)
    sub_type = models.CharField(_("sub-type"), max_length=40, choices=AcledSubType.choices)
    violation_types = models.JSONField(_("violation types"), default=list)

    fatalities_min = models.PositiveIntegerField(_("fatalities (at least)"), default=0)
    fatalities_max = models.PositiveIntegerField(_("fatalities (at most)"), default=0)
    injured = models.PositiveIntegerField(_("injured"), default=0)
    detained = models.PositiveIntegerField(_("detained"), default=0)
    disappeared = models.PositiveIntegerField(_("disappeared"), default=0)
    tags = models.JSONField(_("tags"), default=list)

    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=16,
        choices=Confidentiality.choices,
        default=Confidentiality.COMMITTEE,
    )
    state = models.CharField(
        _("verification"),
        max_length=20,
        choices=VerificationState.choices,
        default=VerificationState.DRAFT,
    )
    violation_status = models.CharField(
        _("violation status"),
        max_length=16,
        choices=ViolationStatus.choices,
        default=ViolationStatus.UNKNOWN,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archive_reason = models.CharField(
        _("archive reason"), max_length=24, choices=ArchiveReason.choices, blank=True
    )
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [
            models.Index(fields=["committee", "state"]),
            models.Index(fields=["confidentiality", "state"]),
        ]
        constraints = [
            _within("start_precision", DatePrecision, "incidents_incident_start_precision_valid"),
            models.CheckConstraint(
                condition=Q(end_precision="") | Q(end_precision__in=DatePrecision.values),
                name="incidents_incident_end_precision_valid",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True, end_precision="")
                | Q(end_date__isnull=False, end_precision__in=DatePrecision.values),
                name="incidents_incident_end_has_precision",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="incidents_incident_dates_in_order",
            ),
            _within("geo_precision", GeoPrecision, "incidents_incident_geo_precision_valid"),
            _within("event_type", AcledEventType, "incidents_incident_event_type_valid"),
            _within("sub_type", AcledSubType, "incidents_incident_sub_type_valid"),
            _within("confidentiality", Confidentiality, "incidents_incident_level_valid"),
            _within("state", VerificationState, "incidents_incident_state_valid"),
            _within("violation_status", ViolationStatus, "incidents_incident_status_valid"),
            models.CheckConstraint(
                condition=Q(fatalities_max__gte=F("fatalities_min")),
                name="incidents_incident_fatalities_in_order",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="incidents_incident_coordinates_valid",
            ),
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True, archive_reason="")
                | Q(archived_at__isnull=False, archive_reason__in=ArchiveReason.values),
                name="incidents_incident_archive_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"incident {self.pk}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Person(models.Model):
    """A victim, witness or source, known by a code; names and contact are
    ciphertexts (b"" when not given or erased)."""

    committee = models.ForeignKey(
        Node, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="+"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("code"), max_length=24)
    names = models.BinaryField(default=b"", editable=False)
    contact = models.BinaryField(default=b"", editable=False)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    age_band = models.CharField(
        _("age"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    occupation = models.CharField(
        _("occupation sector"),
        max_length=20,
        choices=OccupationSector.choices,
        default=OccupationSector.UNKNOWN,
    )
    deceased = models.BooleanField(_("deceased"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    identity_erased_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(fields=["committee", "code"], name="incidents_person_code"),
            _within("sex", Sex, "incidents_person_sex_valid"),
            _within("age_band", AgeBand, "incidents_person_age_valid"),
            _within("occupation", OccupationSector, "incidents_person_occupation_valid"),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="incidents_person_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class PersonMerge(models.Model):
    """History of a de-duplication: ``merged`` was found to be ``kept``; its
    acts, sources and consents moved (their ids in ``moved``)."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    merged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("person merge")
        verbose_name_plural = _("person merges")

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.kept_id}"


class Act(models.Model):
    """What was done to one victim in an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="acts")
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="acts")
    act_type = models.CharField(_("act"), max_length=24, choices=ViolationType.choices)
    method = models.CharField(
        _("method"), max_length=24, choices=ActMethod.choices, default=ActMethod.UNKNOWN
    )
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_status = models.CharField(
        _("status at the end"), max_length=12, choices=EndStatus.choices, default=EndStatus.UNKNOWN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("act")
        verbose_name_plural = _("acts")
        constraints = [
            _within("act_type", ViolationType, "incidents_act_type_valid"),
            _within("method", ActMethod, "incidents_act_method_valid"),
            _within("end_status", EndStatus, "incidents_act_end_status_valid"),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(ended_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="incidents_act_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"act {self.pk}"


class Involvement(models.Model):
    act = models.ForeignKey(Act, on_delete=models.PROTECT, related_name="involvements")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="involvements")
    degree = models.CharField(_("degree"), max_length=20, choices=InvolvementDegree.choices)

    class Meta:
        verbose_name = _("involvement")
        verbose_name_plural = _("involvements")
        constraints = [
            models.UniqueConstraint(fields=["act", "actor"], name="incidents_involvement_once"),
            _within("degree", InvolvementDegree, "incidents_involvement_degree_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} in act {self.act_id}"


class Source(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="sources")
    source_type = models.CharField(_("type"), max_length=16, choices=SourceType.choices)
    connection = models.CharField(
        _("connection to the information"), max_length=12, choices=SourceConnection.choices
    )
    reliability = models.CharField(_("reliability"), max_length=1, choices=Reliability.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    notes = models.BinaryField(default=b"", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            _within("source_type", SourceType, "incidents_source_type_valid"),
            _within("connection", SourceConnection, "incidents_source_connection_valid"),
            _within("reliability", Reliability, "incidents_source_reliability_valid"),
        ]

    def __str__(self) -> str:
        return f"source {self.pk}"


class Consent(models.Model):
    """A person's consent for one scope: who gave it, how and when; withdrawn
    consent stays as history (``withdrawn_at``)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(_("scope"), max_length=20, choices=ConsentScope.choices)
    giver = models.CharField(_("given by"), max_length=12, choices=ConsentGiver.choices)
    method = models.CharField(_("how"), max_length=12, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_method = models.CharField(
        _("withdrawn how"), max_length=12, choices=ConsentMethod.choices, blank=True
    )
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scope"],
                condition=Q(withdrawn_at__isnull=True),
                name="incidents_one_active_consent_per_scope",
            ),
            _within("scope", ConsentScope, "incidents_consent_scope_valid"),
            _within("giver", ConsentGiver, "incidents_consent_giver_valid"),
            _within("method", ConsentMethod, "incidents_consent_method_valid"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawal_method="")
                | Q(withdrawn_at__isnull=False, withdrawal_method__in=ConsentMethod.values),
                name="incidents_consent_withdrawal_has_method",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} of {self.person_id}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class Review(models.Model):
    """One step of the verification workflow."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_state = models.CharField(max_length=20, choices=VerificationState.choices)
    to_state = models.CharField(max_length=20, choices=VerificationState.choices)
    violation_status = models.CharField(
        max_length=16, choices=ViolationStatus.choices, default=ViolationStatus.UNKNOWN
    )
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            _within("from_state", VerificationState, "incidents_review_from_valid"),
            _within("to_state", VerificationState, "incidents_review_to_valid"),
            _within("violation_status", ViolationStatus, "incidents_review_status_valid"),
        ]

    def __str__(self) -> str:
        return f"review {self.pk}"


class Evidence(models.Model):
    """A photo, video, audio or document attached to an incident.

    The original is stored write-once, encrypted under the committee's
    register key (``incidents.evidence``), in the file named by ``uid``
    under ``ASAMBLEA_EVIDENCE_DIR``; ``sha256`` is the hash of its plaintext,
    computed as it arrived. Photos also get a working copy with their
    metadata removed, encrypted the same way. The name the file had on the
    uploader's device is not kept (it may name someone); only its type is.
    Nothing here is updated after creation: every later action is a
    :class:`CustodyEntry`."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices)
    media_type = models.CharField(_("type"), max_length=40)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    derivative_media_type = models.CharField(max_length=40, blank=True)
    derivative_size = models.PositiveBigIntegerField(default=0)
    derivative_sha256 = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person shown or speaking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        constraints = [
            _within("kind", EvidenceKind, "incidents_evidence_kind_valid"),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="incidents_evidence_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"evidence {self.pk}"

    @property
    def has_working_copy(self) -> bool:
        return bool(self.derivative_sha256)


class CustodyEntry(models.Model):
    """One link of an evidence item's custody chain (``incidents.custody``):
    ``entry_hash = sha256(prev_hash || canonical body)``, starting from the
    genesis hash; ``seq`` counts from 1 per item."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=CustodyAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150)
    at = models.DateTimeField()
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["evidence", "seq"]
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody entries")
        constraints = [
            models.UniqueConstraint(fields=["evidence", "seq"], name="incidents_custody_seq"),
            _within("action", CustodyAction, "incidents_custody_action_valid"),
        ]

    def __str__(self) -> str:
        return f"custody {self.evidence_id}#{self.seq}"


class EvidenceTimestamp(models.Model):
    """An RFC 3161 time-stamp token over an evidence item's SHA-256, from
    the authority at ``tsa_url`` (``incidents.timestamps``)."""

    evidence = models.OneToOneField(Evidence, on_delete=models.PROTECT, related_name="timestamp")
    tsa_url = models.CharField(max_length=500)
    token = models.BinaryField(editable=False)
    gen_time = models.DateTimeField()
    serial_number = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("time-stamp")
        verbose_name_plural = _("time-stamps")

    def __str__(self) -> str:
        return f"time-stamp of {self.evidence_id}"
