"""Services of the register: keys, recording, review, consent, merging."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from asamblea.core.audit import verify_chain
from asamblea.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from asamblea.core.models import AuditEntry
from asamblea.federation.access import Viewer
from asamblea.incidents import selectors, services
from asamblea.incidents.codes import (
    ActorKind,
    ArchiveReason,
    ConsentMethod,
    ConsentScope,
    InvolvementDegree,
    VerificationState,
    ViolationStatus,
)
from asamblea.incidents.errors import (
    ConsentRequired,
    NotDocumenter,
    RegisterLocked,
    WrongPassphrase,
)
from asamblea.incidents.models import Consent, Documenter, Person, PersonMerge, Register
from tests.incidents.conftest import (
    DESCRIPTION,
    PASSPHRASE,
    SECOND_PASSPHRASE,
    VICTIM_CONTACT,
    VICTIM_NAME,
    future,
    incident_data,
    record,
    snapshot,
    source,
    victim,
)

# --- documenters and keys ------------------------------------------------------------


def test_only_secretaries_name_documenters(fed):
    for actor in (fed.member, fed.operator):
        with pytest.raises(Forbidden):
            services.name_documenter(actor=actor, committee=fed.committee_a1, member=fed.member)
    with pytest.raises(NotFound):
        services.name_documenter(actor=fed.outsider, committee=fed.committee_a1, member=fed.member)
    assert not Documenter.objects.exists()


def test_a_documenter_must_be_a_member_of_the_committee(fed):
    with pytest.raises(InvalidInput, match="Only members of the committee"):
        services.name_documenter(
            actor=fed.secretary, committee=fed.committee_a1, member=fed.outsider
        )
    assert not Documenter.objects.exists()


def test_the_first_passphrase_creates_the_register(fed, reg):
    register = Register.objects.get(committee=fed.committee_a1)
    assert reg.first.has_key
    assert reg.second.has_key
    key = services.unlock_register(
        actor=fed.other_member, committee=fed.committee_a1, passphrase=SECOND_PASSPHRASE
    )
    assert key == reg.key
    assert register.created_by == fed.member


def test_a_wrong_passphrase_opens_nothing(fed, reg):
    with pytest.raises(WrongPassphrase) as caught:
        services.unlock_register(
            actor=fed.member, committee=fed.committee_a1, passphrase=PASSPHRASE + "x"
        )
    assert caught.value.status == 422
    assert str(caught.value.message) == "That register passphrase is not right."


def test_a_new_documenter_waits_for_the_key(fed, reg):
    from tests.factories import join, make_member

    newcomer = make_member("nueva")
    join(newcomer, fed.committee_a1)
    documenter = services.name_documenter(
        actor=fed.secretary, committee=fed.committee_a1, member=newcomer
    )
    services.set_register_passphrase(
        actor=newcomer, committee=fed.committee_a1, passphrase="otra frase larga"
    )
    with pytest.raises(Conflict, match="must first give you its key"):
        services.unlock_register(
            actor=newcomer, committee=fed.committee_a1, passphrase="otra frase larga"
        )
    documenter.refresh_from_db()
    with pytest.raises(RegisterLocked):
        services.give_register_key(actor=fed.member, key=None, documenter=documenter)
    with pytest.raises(RegisterLocked):
        services.give_register_key(actor=fed.member, key=reg.neighbour_key, documenter=documenter)
    services.give_register_key(actor=fed.member, key=reg.key, documenter=documenter)
    assert (
        services.unlock_register(
            actor=newcomer, committee=fed.committee_a1, passphrase="otra frase larga"
        )
        == reg.key
    )


def test_a_short_passphrase_is_refused(fed):
    services.name_documenter(actor=fed.secretary, committee=fed.committee_a1, member=fed.member)
    before = snapshot()
    with pytest.raises(InvalidInput, match="at least 12 characters"):
        services.set_register_passphrase(
            actor=fed.member, committee=fed.committee_a1, passphrase="corta"
        )
    assert snapshot() == before
    assert not Register.objects.exists()


def test_an_ended_documenter_can_no_longer_unlock(fed, reg):
    services.end_documenter(actor=fed.secretary, documenter=reg.second)
    reg.second.refresh_from_db()
    assert reg.second.wrapped_private_key == b""
    assert reg.second.sealed_data_key == b""
    with pytest.raises(NotDocumenter):
        services.unlock_register(
            actor=fed.other_member, committee=fed.committee_a1, passphrase=SECOND_PASSPHRASE
        )


# --- recording -----------------------------------------------------------------------


def test_record_an_incident_with_a_victim_and_a_source(fed, reg):
    incident = record(fed, reg)
    assert incident.state == VerificationState.DRAFT
    view = selectors.incident_view(viewer=Viewer.of(fed.member), incident=incident, key=reg.key)
    assert view.private_description == DESCRIPTION
    (act,) = view.acts
    assert act.victim.names == VICTIM_NAME
    assert act.victim.contact == VICTIM_CONTACT
    assert act.victim.code == "P-00001"
    assert view.sources[0].notes == "La testigo vive frente a la plaza"
    # Without the key, the same documenter reads no names.
    locked = selectors.incident_view(viewer=Viewer.of(fed.member), incident=incident)
    assert locked.private_description is None
    assert locked.acts[0].victim.names is None
    assert verify_chain().ok


def test_audit_entries_hold_no_names(fed, reg):
    record(fed, reg)
    for entry in AuditEntry.objects.filter(action__startswith="incidents."):
        text = repr(entry.data) + entry.object_id + entry.actor_label
        for secret in (VICTIM_NAME, VICTIM_CONTACT, DESCRIPTION, "testigo"):
            assert secret not in text
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "incidents.incident.recorded",
        "incidents.act.recorded",
        "incidents.source.recorded",
        "incidents.register.unlocked",
    } <= actions


def test_names_without_the_key_are_refused(fed, reg):
    before = snapshot()
    with pytest.raises(RegisterLocked) as caught:
        services.record_incident(
            actor=fed.member,
            committee=fed.committee_a1,
            data=incident_data(private_description=""),
            victims=[victim()],
        )
    assert caught.value.status == 403
    assert snapshot() == before


def test_the_key_of_another_committee_is_refused(fed, reg):
    before = snapshot()
    with pytest.raises(RegisterLocked):
        services.record_incident(
            actor=fed.member,
            committee=fed.committee_a1,
            data=incident_data(),
            key=reg.neighbour_key,
        )
    assert snapshot() == before


def test_an_incident_without_sensitive_text_needs_no_key(fed, reg):
    incident = services.record_incident(
        actor=fed.member,
        committee=fed.committee_a1,
        data=incident_data(private_description=""),
        victims=[victim(names="", contact="", consents=())],
    )
    assert incident.acts.count() == 1


def test_names_need_consent_to_be_recorded(fed, reg):
    before = snapshot()
    with pytest.raises(ConsentRequired) as caught:
        services.record_incident(
            actor=fed.member,
            committee=fed.committee_a1,
            data=incident_data(),
            key=reg.key,
            victims=[victim(consents=())],
        )
    assert caught.value.status == 422
    assert "consent to be recorded" in str(caught.value.message)
    assert snapshot() == before


BAD_INPUT = [
    (
        "dates out of order",
        {"end_date_offset": -1},
        "end_date",
        "The end date is before the start date.",
    ),
    (
        "start in the future",
        {"start_date": "future"},
        "start_date",
        "The start date is in the future.",
    ),
    ("end in the future", {"end_date": "future"}, "end_date", "The end date is in the future."),
    (
        "coordinates outside the country",
        {"latitude": 40.4, "longitude": -3.7},
        "latitude",
        "These coordinates are outside the country PE.",
    ),
    (
        "coordinates of another country",
        {"country": "BO", "admin1": "La Paz"},
        "latitude",
        "These coordinates are outside the country BO.",
    ),
    ("negative count", {"injured": -1}, "injured", "A count cannot be below zero."),
    (
        "minimum above maximum",
        {"fatalities_min": 3, "fatalities_max": 2},
        "fatalities_min",
        "The minimum number of fatalities is above the maximum.",
    ),
    (
        "unknown event type",
        {"event_type": "war"},
        "event_type",
        "“war” is not a known code for event_type.",
    ),
    (
        "sub-type of another type",
        {"sub_type": "armed_clash"},
        "sub_type",
        "This sub-type does not belong to the event type.",
    ),
    (
        "unknown violation type",
        {"violation_types": ("killing", "massacre")},
        "violation_types",
        "“massacre” is not a known code for violation_types.",
    ),
    (
        "unknown country",
        {"country": "XX"},
        "country",
        "“XX” is not a country code the register knows.",
    ),
    (
        "unknown level",
        {"confidentiality": "secret"},
        "confidentiality",
        "“secret” is not a known code for confidentiality.",
    ),
]


@pytest.mark.parametrize(
    ("case", "overrides", "field", "message"), BAD_INPUT, ids=[b[0] for b in BAD_INPUT]
)
def test_bad_incident_input_is_refused_and_nothing_is_written(
    fed, reg, case, overrides, field, message
):
    overrides = dict(overrides)
    base = incident_data()
    if overrides.pop("end_date_offset", None):
        from datetime import timedelta

        overrides["end_date"] = base.start_date - timedelta(days=1)
        overrides["end_precision"] = "exact"
    for name in ("start_date", "end_date"):
        if overrides.get(name) == "future":
            overrides[name] = future()
            if name == "end_date":
                overrides["end_precision"] = "exact"
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        services.record_incident(
            actor=fed.member,
            committee=fed.committee_a1,
            data=replace(base, **overrides),
            key=reg.key,
            victims=[victim()],
            sources=[source()],
        )
    assert caught.value.status == 422
    assert caught.value.field == field
    assert str(caught.value.message) == message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"act_type": "beheading"}, "act_type"),
        ({"end_status": "gone"}, "end_status"),
        ({"sex": "x"}, "sex"),
        ({"started_on": "future"}, "started_on"),
    ],
)
def test_bad_victim_input_is_refused(fed, reg, overrides, field):
    if overrides.get("started_on") == "future":
        overrides = {"started_on": future()}
    before = snapshot()
    record_with_victim = victim(**overrides)
    with pytest.raises(InvalidInput) as caught:
        services.record_incident(
            actor=fed.member,
            committee=fed.committee_a1,
            data=incident_data(),
            key=reg.key,
            victims=[record_with_victim],
        )
    assert caught.value.field == field
    assert snapshot() == before


def test_bad_source_reliability_is_refused(fed, reg):
    before = snapshot()
    with pytest.raises(InvalidInput, match="“G” is not a known code for reliability"):
        services.record_incident(
            actor=fed.member,
            committee=fed.committee_a1,
            data=incident_data(),
            key=reg.key,
            sources=[source(reliability="G")],
        )
    assert snapshot() == before


def test_a_documenter_of_another_committee_cannot_record_here(fed, reg):
    """committee_a2's documenter does not see committee_a1: not found; a member
    of committee_a1 who is no documenter sees it: forbidden, with why."""
    before = snapshot()
    with pytest.raises(NotFound):
        services.record_incident(
            actor=fed.neighbour,
            committee=fed.committee_a1,
            data=incident_data(private_description=""),
        )
    with pytest.raises(NotDocumenter) as caught:
        services.record_incident(
            actor=fed.secretary,
            committee=fed.committee_a1,
            data=incident_data(private_description=""),
        )
    assert caught.value.status == 403
    assert "Only the documenters" in str(caught.value.message)
    assert snapshot() == before


def test_a_documenter_of_another_committee_cannot_review_here(fed, reg):
    incident = record(fed, reg)
    before = snapshot()
    with pytest.raises(NotFound):
        services.review_incident(
            actor=fed.neighbour, incident=incident, to_state=VerificationState.UNDER_REVIEW
        )
    assert snapshot() == before


# --- review and archive --------------------------------------------------------------


def test_verification_workflow(fed, reg):
    incident = record(fed, reg)
    services.review_incident(
        actor=fed.member, incident=incident, to_state=VerificationState.UNDER_REVIEW
    )
    with pytest.raises(Forbidden, match="Another documenter"):
        services.review_incident(
            actor=fed.member, incident=incident, to_state=VerificationState.VERIFIED
        )
    review = services.review_incident(
        actor=fed.other_member,
        incident=incident,
        to_state=VerificationState.VERIFIED,
        violation_status=ViolationStatus.CONFIRMED,
        comment="Dos fuentes independientes.",
    )
    incident.refresh_from_db()
    assert incident.state == VerificationState.VERIFIED
    assert incident.violation_status == ViolationStatus.CONFIRMED
    assert review.from_state == VerificationState.UNDER_REVIEW


def test_a_draft_cannot_be_verified_directly(fed, reg):
    incident = record(fed, reg)
    before = snapshot()
    with pytest.raises(Conflict, match="cannot move"):
        services.review_incident(
            actor=fed.other_member, incident=incident, to_state=VerificationState.VERIFIED
        )
    assert snapshot() == before


def test_archive_keeps_the_record_and_freezes_it(fed, reg):
    incident = record(fed, reg)
    services.archive_incident(actor=fed.member, incident=incident, reason=ArchiveReason.DUPLICATE)
    incident.refresh_from_db()
    assert incident.is_archived
    assert not selectors.list_incidents_for(viewer=Viewer.of(fed.member)).exists()
    assert (
        selectors.list_incidents_for(viewer=Viewer.of(fed.member), include_archived=True).count()
        == 1
    )
    with pytest.raises(Conflict, match="archived"):
        services.add_source(actor=fed.member, incident=incident, data=source(notes=""))
    with pytest.raises(InvalidInput):
        services.archive_incident(actor=fed.member, incident=record(fed, reg), reason="bored")


# --- actors --------------------------------------------------------------------------


def test_actors_are_institutions_with_known_kinds(fed, reg):
    police = services.create_actor(actor=fed.member, name="Policía Nacional", kind=ActorKind.POLICE)
    unit = services.create_actor(
        actor=fed.member, name="DINOES", kind=ActorKind.POLICE, parent=police
    )
    with pytest.raises(Conflict):
        services.create_actor(actor=fed.member, name="policía  nacional", kind=ActorKind.POLICE)
    with pytest.raises(InvalidInput, match="known code for kind"):
        services.create_actor(actor=fed.member, name="X", kind="officer")
    with pytest.raises(NotDocumenter):
        services.create_actor(actor=fed.secretary, name="Ejército", kind=ActorKind.MILITARY)
    incident = services.record_incident(
        actor=fed.member,
        committee=fed.committee_a1,
        data=incident_data(),
        key=reg.key,
        victims=[
            victim(
                involvements=(
                    services.InvolvementData(actor_id=unit.pk, degree=InvolvementDegree.DIRECT),
                )
            )
        ],
    )
    view = selectors.incident_view(viewer=Viewer.of(fed.member), incident=incident)
    assert view.acts[0].involvements == ((unit.pk, "DINOES", "direct"),)


# --- consent -------------------------------------------------------------------------


def test_withdrawing_consent_to_share_hides_the_victim_at_once(fed, reg):
    incident = record(fed, reg)
    for step in ("under_review", "verified"):
        actor = fed.member if step == "under_review" else fed.other_member
        services.review_incident(actor=actor, incident=incident, to_state=step)
    incident.confidentiality = "assembly"
    incident.save(update_fields=["confidentiality"])
    reader = Viewer.of(fed.outsider)
    assert selectors.incident_view(viewer=reader, incident=incident).acts[0].victim is not None
    share = Consent.objects.get(scope=ConsentScope.SHARE_ASSEMBLY)
    services.withdraw_consent(actor=fed.member, consent=share, method=ConsentMethod.ORAL)
    view = selectors.incident_view(viewer=reader, incident=incident)
    assert view.acts[0].victim is None


def test_withdrawing_consent_to_be_recorded_erases_the_names(fed, reg):
    record(fed, reg)
    person = Person.objects.get()
    assert person.names
    services.withdraw_consent(
        actor=fed.member,
        consent=Consent.objects.get(scope=ConsentScope.RECORD),
        method=ConsentMethod.WRITTEN,
    )
    person.refresh_from_db()
    assert bytes(person.names) == b""
    assert bytes(person.contact) == b""
    assert person.identity_erased_at is not None
    with pytest.raises(Conflict):
        services.withdraw_consent(
            actor=fed.member,
            consent=Consent.objects.get(scope=ConsentScope.RECORD),
            method=ConsentMethod.WRITTEN,
        )


# --- de-duplication ------------------------------------------------------------------


def test_merge_moves_acts_and_keeps_history(fed, reg):
    first = record(fed, reg)
    second = record(fed, reg)
    kept, merged = Person.objects.order_by("pk")
    history = services.merge_persons(actor=fed.member, kept=kept, merged=merged)
    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert set(kept.acts.values_list("incident", flat=True)) == {first.pk, second.pk}
    assert PersonMerge.objects.get() == history
    assert history.moved["acts"] == [second.acts.get().pk]
    # Both held the same scopes: the duplicate's stay with it, none held twice.
    assert kept.consents.filter(withdrawn_at__isnull=True).count() == 2
    with pytest.raises(Conflict):
        services.merge_persons(actor=fed.member, kept=kept, merged=merged)


def test_merge_across_committees_needs_a_documenter_of_both(fed, reg):
    record(fed, reg)
    services.record_incident(
        actor=fed.neighbour,
        committee=fed.committee_a2,
        data=incident_data(),
        key=reg.neighbour_key,
        victims=[victim()],
    )
    a1_person, a2_person = Person.objects.order_by("pk")
    with pytest.raises(NotFound):
        services.merge_persons(actor=fed.member, kept=a1_person, merged=a2_person)
    assert not PersonMerge.objects.exists()


# --- more of the record ------------------------------------------------------------


def test_add_a_victim_an_involvement_and_a_consent_later(fed, reg):
    incident = record(fed, reg)
    act = services.add_victim(
        actor=fed.other_member,
        incident=incident,
        data=victim(names="", contact="", consents=()),
    )
    assert act.victim.code == "P-00002"
    unit = services.create_actor(actor=fed.member, name="Comisaría X", kind=ActorKind.POLICE)
    services.add_involvement(
        actor=fed.member, act=act, actor_unit=unit, degree=InvolvementDegree.ORDERED
    )
    with pytest.raises(Conflict):
        services.add_involvement(
            actor=fed.member, act=act, actor_unit=unit, degree=InvolvementDegree.DIRECT
        )
    from tests.incidents.conftest import consent

    services.record_consent(actor=fed.member, person=act.victim, data=consent())
    with pytest.raises(Conflict, match="already recorded"):
        services.record_consent(actor=fed.member, person=act.victim, data=consent())
    with pytest.raises(NotFound):
        services.record_consent(
            actor=fed.neighbour, person=act.victim, data=consent("share_outside")
        )
    before = snapshot()
    with pytest.raises(InvalidInput, match="in the future"):
        services.record_consent(
            actor=fed.member,
            person=act.victim,
            data=replace(consent("share_outside"), given_at=timezone.now() + timedelta(days=1)),
        )
    assert snapshot() == before
