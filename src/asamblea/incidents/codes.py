"""Every code list of the incident register, in one place, with translated labels.

The register stores codes, never translated text, so that a record reads the
same in every language and maps onto the standards it follows:

- event types and sub-types: ACLED's codebook (``ACLED_EVENT_TYPES``,
  ``ACLED_SUB_TYPES``); the English label of each is ACLED's own spelling,
  kept in ``ACLED_LABELS`` for the ACLED-shaped export;
- violation and act types: HURIDOCS's types of acts, reduced to the ones the
  register documents (``ViolationType``);
- source reliability: the six levels of the Admiralty scale (A-F).

Adding a code to a ``TextChoices`` takes a migration (the models' check
constraints list the values).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Confidentiality(models.TextChoices):
    """Who may read a record beyond the public projection (see ``access``)."""

    PUBLIC = "public", _("Public")
    ASSEMBLY = "assembly", _("Assembly")
    COMMITTEE = "committee", _("Committee")
    RESTRICTED = "restricted", _("Restricted")
    SEALED = "sealed", _("Sealed")


CONFIDENTIALITY_ORDER = {
    Confidentiality.PUBLIC: 0,
    Confidentiality.ASSEMBLY: 1,
    Confidentiality.COMMITTEE: 2,
    Confidentiality.RESTRICTED: 3,
    Confidentiality.SEALED: 4,
}


class VerificationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    VERIFIED = "verified", _("Verified")
    NOT_CORROBORATED = "not_corroborated", _("Not corroborated")


class ViolationStatus(models.TextChoices):
    """How sure the reviewers are that the violation happened."""

    CONFIRMED = "confirmed", _("Confirmed")
    LIKELY = "likely", _("Likely")
    POSSIBLE = "possible", _("Possible")
    UNLIKELY = "unlikely", _("Unlikely")
    UNKNOWN = "unknown", _("Unknown")


class ArchiveReason(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate of another record")
    ERROR = "error", _("Recorded in error")
    OUT_OF_SCOPE = "out_of_scope", _("Outside the register's scope")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    OTHER = "other", _("Other reason")


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    ESTIMATED = "estimated", _("Estimated date")
    DAY_UNKNOWN = "day_unknown", _("Month known, day unknown")
    MONTH_UNKNOWN = "month_unknown", _("Year known, month and day unknown")


class GeoPrecision(models.TextChoices):
    """The smallest area the place is known to within."""

    EXACT = "exact", _("Exact point")
    PLACE = "place", _("Town or village")
    ADMIN3 = "admin3", _("District")
    ADMIN2 = "admin2", _("Province")
    ADMIN1 = "admin1", _("Region")
    COUNTRY = "country", _("Country only")


class ViolationType(models.TextChoices):
    """HURIDOCS types of acts that the register documents."""

    KILLING = "killing", _("Killing")
    INJURY = "injury", _("Injury")
    ARBITRARY_ARREST = "arbitrary_arrest", _("Arbitrary arrest")
    DETENTION = "detention", _("Detention")
    ENFORCED_DISAPPEARANCE = "enforced_disappearance", _("Enforced disappearance")
    TORTURE = "torture", _("Torture and ill-treatment")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    RAID = "raid", _("Raid")
    PROPERTY_DESTRUCTION = "property_destruction", _("Destruction of property")
    THREAT = "threat", _("Threat")


class ActMethod(models.TextChoices):
    """How an act was carried out, as a victim or witness would describe it."""

    LIVE_AMMUNITION = "live_ammunition", _("Live ammunition")
    PELLETS = "pellets", _("Pellets")
    TEAR_GAS = "tear_gas", _("Tear gas")
    IMPACT_PROJECTILE = "impact_projectile", _("Impact projectile")
    BEATING = "beating", _("Beating")
    VEHICLE = "vehicle", _("Vehicle")
    ASPHYXIATION = "asphyxiation", _("Asphyxiation")
    DETENTION_CONDITIONS = "detention_conditions", _("Conditions of detention")
    VERBAL = "verbal", _("Verbal or written")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class EndStatus(models.TextChoices):
    """The victim's status at the end of the act."""

    DEAD = "dead", _("Dead")
    INJURED = "injured", _("Injured")
    MISSING = "missing", _("Missing")
    HELD = "held", _("Held")
    RELEASED = "released", _("Released")
    UNHARMED = "unharmed", _("Unharmed")
    UNKNOWN = "unknown", _("Unknown")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", pgettext_lazy("sex", "Other")
    UNKNOWN = "unknown", _("Unknown")


class AgeBand(models.TextChoices):
    CHILD = "0-11", _("0 to 11")
    ADOLESCENT = "12-17", _("12 to 17")
    YOUNG = "18-29", _("18 to 29")
    ADULT = "30-44", _("30 to 44")
    MIDDLE = "45-59", _("45 to 59")
    OLDER = "60+", _("60 or more")
    UNKNOWN = "unknown", _("Unknown")


class OccupationSector(models.TextChoices):
    STUDENT = "student", _("Student")
    FARMING = "farming", _("Farming and herding")
    MINING = "mining", _("Mining")
    TRADE = "trade", _("Trade and markets")
    TRANSPORT = "transport", _("Transport")
    CONSTRUCTION = "construction", _("Construction")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    PRESS = "press", _("Press")
    PUBLIC_SECTOR = "public_sector", _("Public sector")
    COMMUNITY_LEADER = "community_leader", _("Community leadership")
    RIGHTS_DEFENDER = "rights_defender", _("Human-rights defence")
    HOME = "home", _("Work at home")
    UNEMPLOYED = "unemployed", _("Unemployed")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class ActorKind(models.TextChoices):
    """Institutions and units only: the register never names an individual
    officer or official (the project's scope)."""

    POLICE = "police", _("Police institution or unit")
    MILITARY = "military", _("Armed forces institution or unit")
    GOVERNMENT = "government", _("Government body")
    JUDICIARY = "judiciary", _("Prosecution or judiciary")
    PRISON = "prison", _("Prison administration")
    PRIVATE_SECURITY = "private_security", _("Private security company")
    UNIDENTIFIED_STATE = "unidentified_state", _("Unidentified state forces")
    OTHER = "other", _("Other institution")


class InvolvementDegree(models.TextChoices):
    DIRECT = "direct", _("Carried it out")
    ORDERED = "ordered", _("Ordered it")
    COMPLICIT = "complicit", _("Complicit")
    FAILED_TO_PREVENT = "failed_to_prevent", _("Failed to prevent it")
    UNKNOWN = "unknown", _("Unknown")


class SourceType(models.TextChoices):
    VICTIM = "victim", _("The victim")
    RELATIVE = "relative", _("A relative")
    WITNESS = "witness", _("A witness")
    COMMITTEE = "committee", _("A committee member")
    HEALTH = "health", _("Health personnel")
    MEDIA = "media", _("Press report")
    NGO = "ngo", _("Human-rights organisation")
    OFFICIAL = "official", _("Official document")
    SOCIAL_MEDIA = "social_media", _("Social media")
    OTHER = "other", _("Other")


class SourceConnection(models.TextChoices):
    """How the source knows what they report."""

    SUFFERED = "suffered", _("Suffered it")
    SAW = "saw", _("Saw it")
    HEARD = "heard", _("Heard it from others")
    DOCUMENTS = "documents", _("From documents")
    UNKNOWN = "unknown", _("Unknown")


class Reliability(models.TextChoices):
    """The Admiralty scale's six levels of source reliability."""

    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


class ConsentScope(models.TextChoices):
    RECORD = "record", _("Record in the register")
    SHARE_ASSEMBLY = "share_assembly", _("Share with the assembly")
    PUBLISH_IDENTITY = "publish_identity", _("Publish identity")
    SHARE_OUTSIDE = "share_outside", _("Share with an outside organisation or court")


class ConsentGiver(models.TextChoices):
    PERSON = "person", _("The person")
    RELATIVE = "relative", _("A relative")
    GUARDIAN = "guardian", _("A guardian")


class ConsentMethod(models.TextChoices):
    ORAL = "oral", _("Orally")
    WRITTEN = "written", _("In writing")
    RECORDED = "recorded", _("Recorded audio or video")
    MESSAGE = "message", _("By message")


# --- ACLED --------------------------------------------------------------------------


class AcledEventType(models.TextChoices):
    BATTLES = "battles", _("Battles")
    EXPLOSIONS = "explosions", _("Explosions/Remote violence")
    VIOLENCE_AGAINST_CIVILIANS = "violence_against_civilians", _("Violence against civilians")
    PROTESTS = "protests", _("Protests")
    RIOTS = "riots", _("Riots")
    STRATEGIC_DEVELOPMENTS = "strategic_developments", _("Strategic developments")


class AcledSubType(models.TextChoices):
    ARMED_CLASH = "armed_clash", _("Armed clash")
    GOVERNMENT_REGAINS_TERRITORY = (
        "government_regains_territory",
        _("Government regains territory"),
    )
    NON_STATE_OVERTAKES_TERRITORY = (
        "non_state_overtakes_territory",
        _("Non-state actor overtakes territory"),
    )
    CHEMICAL_WEAPON = "chemical_weapon", _("Chemical weapon")
    AIR_DRONE_STRIKE = "air_drone_strike", _("Air/drone strike")
    SUICIDE_BOMB = "suicide_bomb", _("Suicide bomb")
    SHELLING = "shelling", _("Shelling/artillery/missile attack")
    REMOTE_EXPLOSIVE = "remote_explosive", _("Remote explosive/landmine/IED")
    GRENADE = "grenade", _("Grenade")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    ATTACK = "attack", _("Attack")
    ABDUCTION = "abduction", _("Abduction/forced disappearance")
    PEACEFUL_PROTEST = "peaceful_protest", _("Peaceful protest")
    PROTEST_WITH_INTERVENTION = "protest_with_intervention", _("Protest with intervention")
    EXCESSIVE_FORCE = "excessive_force", _("Excessive force against protesters")
    VIOLENT_DEMONSTRATION = "violent_demonstration", _("Violent demonstration")
    MOB_VIOLENCE = "mob_violence", _("Mob violence")
    AGREEMENT = "agreement", _("Agreement")
    ARRESTS = "arrests", _("Arrests")
    CHANGE_TO_GROUP = "change_to_group", _("Change to group/activity")
    DISRUPTED_WEAPONS_USE = "disrupted_weapons_use", _("Disrupted weapons use")
    HEADQUARTERS_ESTABLISHED = "headquarters_established", _("Headquarters or base established")
    LOOTING = "looting", _("Looting/property destruction")
    NON_VIOLENT_TRANSFER = "non_violent_transfer", _("Non-violent transfer of territory")
    OTHER = "other", _("Other")


ACLED_SUB_TYPES: dict[str, tuple[str, ...]] = {
    AcledEventType.BATTLES: (
        AcledSubType.ARMED_CLASH,
        AcledSubType.GOVERNMENT_REGAINS_TERRITORY,
        AcledSubType.NON_STATE_OVERTAKES_TERRITORY,
    ),
    AcledEventType.EXPLOSIONS: (
        AcledSubType.CHEMICAL_WEAPON,
        AcledSubType.AIR_DRONE_STRIKE,
        AcledSubType.SUICIDE_BOMB,
        AcledSubType.SHELLING,
        AcledSubType.REMOTE_EXPLOSIVE,
        AcledSubType.GRENADE,
    ),
    AcledEventType.VIOLENCE_AGAINST_CIVILIANS: (
        AcledSubType.SEXUAL_VIOLENCE,
        AcledSubType.ATTACK,
        AcledSubType.ABDUCTION,
    ),
    AcledEventType.PROTESTS: (
        AcledSubType.PEACEFUL_PROTEST,
        AcledSubType.PROTEST_WITH_INTERVENTION,
        AcledSubType.EXCESSIVE_FORCE,
    ),
    AcledEventType.RIOTS: (AcledSubType.VIOLENT_DEMONSTRATION, AcledSubType.MOB_VIOLENCE),
    AcledEventType.STRATEGIC_DEVELOPMENTS: (
        AcledSubType.AGREEMENT,
        AcledSubType.ARRESTS,
        AcledSubType.CHANGE_TO_GROUP,
        AcledSubType.DISRUPTED_WEAPONS_USE,
        AcledSubType.HEADQUARTERS_ESTABLISHED,
        AcledSubType.LOOTING,
        AcledSubType.NON_VIOLENT_TRANSFER,
        AcledSubType.OTHER,
    ),
}
"""Each ACLED event type's sub-types; a sub-type belongs to exactly one type."""

ACLED_LABELS: dict[str, str] = {
    # ACLED's own spelling, untranslated, for the ACLED-shaped export.
    "battles": "Battles",
    "explosions": "Explosions/Remote violence",
    "violence_against_civilians": "Violence against civilians",
    "protests": "Protests",
    "riots": "Riots",
    "strategic_developments": "Strategic developments",
    "armed_clash": "Armed clash",
    "government_regains_territory": "Government regains territory",
    "non_state_overtakes_territory": "Non-state actor overtakes territory",
    "chemical_weapon": "Chemical weapon",
    "air_drone_strike": "Air/drone strike",
    "suicide_bomb": "Suicide bomb",
    "shelling": "Shelling/artillery/missile attack",
    "remote_explosive": "Remote explosive/landmine/IED",
    "grenade": "Grenade",
    "sexual_violence": "Sexual violence",
    "attack": "Attack",
    "abduction": "Abduction/forced disappearance",
    "peaceful_protest": "Peaceful protest",
    "protest_with_intervention": "Protest with intervention",
    "excessive_force": "Excessive force against protesters",
    "violent_demonstration": "Violent demonstration",
    "mob_violence": "Mob violence",
    "agreement": "Agreement",
    "arrests": "Arrests",
    "change_to_group": "Change to group/activity",
    "disrupted_weapons_use": "Disrupted weapons use",
    "headquarters_established": "Headquarters or base established",
    "looting": "Looting/property destruction",
    "non_violent_transfer": "Non-violent transfer of territory",
    "other": "Other",
}


def sub_type_belongs(event_type: str, sub_type: str) -> bool:
    return sub_type in ACLED_SUB_TYPES.get(event_type, ())


# --- countries ----------------------------------------------------------------------

COUNTRY_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    # ISO 3166-1 alpha-2 -> (south, north, west, east) in degrees, a box
    # around the country and its islands: enough to catch a swapped sign or a
    # point in the wrong country, not a border test.
    "AR": (-55.1, -21.7, -73.6, -53.6),
    "BO": (-22.95, -9.6, -69.7, -57.4),
    "BR": (-33.8, 5.3, -74.0, -28.8),
    "CL": (-56.0, -17.4, -109.5, -66.4),
    "CO": (-4.3, 13.6, -81.8, -66.8),
    "CR": (5.4, 11.3, -87.2, -82.5),
    "EC": (-5.1, 1.7, -92.1, -75.1),
    "ES": (27.6, 43.8, -18.2, 4.4),
    "GT": (13.7, 17.9, -92.3, -88.2),
    "HN": (12.9, 17.5, -89.4, -83.1),
    "MX": (14.5, 32.8, -118.5, -86.7),
    "NI": (10.7, 15.1, -87.7, -82.6),
    "PA": (7.1, 9.7, -83.1, -77.1),
    "PE": (-18.4, -0.03, -81.4, -68.6),
    "PY": (-27.7, -19.2, -62.7, -54.2),
    "SV": (13.1, 14.5, -90.2, -87.6),
    "UY": (-35.0, -30.0, -58.5, -53.0),
    "VE": (0.6, 15.8, -73.4, -59.8),
}


def inside_country(country: str, latitude: float, longitude: float) -> bool:
    south, north, west, east = COUNTRY_BOUNDS[country]
    return south <= latitude <= north and west <= longitude <= east


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")
    DOCUMENT = "document", _("Document")


class CustodyAction(models.TextChoices):
    ADDED = "added", _("Added")
    SEALED = "sealed", _("Original sealed")
    VIEWED = "viewed", _("Working copy viewed")
    DOWNLOADED = "downloaded", _("Original downloaded")
    EXPORTED = "exported", _("Exported in an evidence package")
    TIMESTAMPED = "timestamped", _("Time-stamped")
    RESEALED = "resealed", _("Sealed again under a new register key")
