"""Calls to action and conditional pledges.

A node issues a ``Call`` (a strike day, a march, a vigil...) with thresholds
per level of the tree (``Threshold``). When pledging opens, the members in
the call's scope are frozen (``Elector``): only they may answer. Each answer
is a yes ("I take part if the threshold is reached") or a no.

Counted mode stores answers like the server-secret ballots of polls
(``voting.models``, ADR 0002): a ``Pledge`` row holds no member and no time
and has a random id; who has answered is kept apart in ``PledgeLedger``.
Until the decision, an answer is found again (to withdraw it) through
``slot`` = HMAC-SHA256(call.pledge_key, member id); the decision wipes the
key and writes every pledge again in a random order under fresh ids
(``secrecy.py``). Reconfirmations after activation are counters per
committee, never rows per member (``Reconfirmation``).

Sealed mode (ADR 0008) is designed, not built: a call in that mode is refused.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from asamblea.federation.models import NodeKind

TITLE_MAX = 200
TEXT_MAX = 8000
INFO_MAX = 4000
LANGUAGE_CODES = ("es", "qu", "ay", "en")


class CallKind(models.TextChoices):
    STRIKE = "strike", _("Strike")
    MARCH = "march", _("March")
    VIGIL = "vigil", _("Vigil")
    ASSEMBLY_MEETING = "assembly_meeting", _("Assembly meeting")
    SOLIDARITY = "solidarity", _("Solidarity kitchen or collection")
    OTHER = "other", _("Other")


class CallState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLEDGING = "pledging", _("Pledging")
    ACTIVATED = "activated", _("Activated")
    NOT_ACTIVATED = "not_activated", _("Not activated")
    HELD = "held", _("Held")
    REPORTED = "reported", _("Reported")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Secrecy(models.TextChoices):
    COUNTED = "counted", _("Counted (live counts, secret from members)")
    SEALED = "sealed", _("Sealed (encrypted for the trustees)")


class ActivationRule(models.TextChoices):
    AT_DEADLINE = "at_deadline", _("At the pledging deadline")
    WHEN_REACHED = "when_reached", _("As soon as every scope has reached its threshold")


class ThresholdKind(models.TextChoices):
    COUNT = "count", _("Number of pledges")
    SHARE = "share", _("Percentage of the members")


class Call(models.Model):
    node = models.ForeignKey(
        "federation.Node", verbose_name=_("node"), on_delete=models.PROTECT, related_name="calls"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    motion = models.ForeignKey(
        "motions.Motion",
        verbose_name=_("carried motion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
    )
    # Language code -> text; each language optional, at least one title.
    titles = models.JSONField(_("titles"), default=dict)
    texts = models.JSONField(_("texts"), default=dict)
    kind = models.CharField(_("kind"), max_length=24, choices=CallKind.choices)
    secrecy = models.CharField(
        _("secrecy"), max_length=16, choices=Secrecy.choices, default=Secrecy.COUNTED
    )
    rule = models.CharField(
        _("activation"),
        max_length=16,
        choices=ActivationRule.choices,
        default=ActivationRule.AT_DEADLINE,
    )
    state = models.CharField(
        _("state"), max_length=16, choices=CallState.choices, default=CallState.DRAFT
    )
    deadline = models.DateTimeField(_("pledging deadline"))
    starts_at = models.DateTimeField(_("action starts"))
    ends_at = models.DateTimeField(_("action ends"))
    # Meeting points, times, human-rights observers and legal aid, shown to
    # activated scopes.
    practical_info = models.TextField(_("practical information"), blank=True, max_length=INFO_MAX)
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Slot key of counted pledges while they may change; wiped at the decision.
    pledge_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Per node id: the decision, as computed by ``rules.evaluate`` at the
    # deadline (or earlier under ``WHEN_REACHED``); empty before.
    decision = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("call to action")
        verbose_name_plural = _("calls to action")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CallKind.values), name="pledges_call_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=CallState.values), name="pledges_call_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(secrecy__in=Secrecy.values), name="pledges_call_secrecy_valid"
            ),
            models.CheckConstraint(
                condition=Q(rule__in=ActivationRule.values), name="pledges_call_rule_valid"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__gte=F("deadline")) & Q(ends_at__gte=F("starts_at")),
                name="pledges_call_times_in_order",
            ),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return self.display_title

    def _in_language(self, values: dict[str, str]) -> str:
        language = (get_language() or "es").split("-")[0]
        if values.get(language):
            return values[language]
        for code in LANGUAGE_CODES:
            if values.get(code):
                return values[code]
        return ""

    @property
    def display_title(self) -> str:
        """The title in the reader's language, else the first one written."""
        return self._in_language(self.titles)

    @property
    def display_text(self) -> str:
        return self._in_language(self.texts)


class CallScope(models.Model):
    """A node chosen beneath the call's node. Without any, the scope is the
    node's whole subtree."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="scopes")
    node = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "node"], name="pledges_one_scope_per_node")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} in call {self.call_id}"


class Threshold(models.Model):
    """What each scope of one level needs: a number of pledges, or a
    percentage of its members frozen when pledging opens."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="thresholds")
    level = models.CharField(_("level"), max_length=16, choices=NodeKind.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=ThresholdKind.choices)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        ordering = ["call", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "level"], name="pledges_one_threshold_per_level"
            ),
            models.CheckConstraint(
                condition=Q(level__in=NodeKind.values), name="pledges_threshold_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ThresholdKind.values), name="pledges_threshold_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1) & (Q(kind=ThresholdKind.COUNT) | Q(value__lte=100)),
                name="pledges_threshold_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.kind} {self.value}"


class Elector(models.Model):
    """The members frozen when pledging opens, with their committee."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="electors")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call", "member"], name="pledges_one_elector_per_member"
            )
        ]
        indexes = [models.Index(fields=["call", "committee"])]

    def __str__(self) -> str:
        return f"{self.member_id} in call {self.call_id}"


class PledgeLedger(models.Model):
    """Who has answered (yes or no, never which). A random key and no time,
    on purpose: an insertion-ordered id would give the order of the answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="ledger")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    reconfirmed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "member"], name="pledges_one_answer_per_member")
        ]
        indexes = [models.Index(fields=["call", "committee"])]

    def __str__(self) -> str:
        return f"{self.member_id} answered call {self.call_id}"


class Pledge(models.Model):
    """One member's answer in counted mode, without the member."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="pledges")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    slot = models.CharField(max_length=64)
    pledged = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "slot"], name="pledges_one_pledge_per_slot")
        ]
        indexes = [models.Index(fields=["call", "committee"])]

    def __str__(self) -> str:
        return f"pledge {self.id}"


class Reconfirmation(models.Model):
    """ "Still in?" answers after activation, as counters per committee: a
    row per answer would stand beside the ledger's ``reconfirmed`` flags."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reconfirmations")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    still_in = models.PositiveIntegerField(default=0)
    dropped_out = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call", "committee"], name="pledges_one_reconfirmation_row"
            )
        ]

    def __str__(self) -> str:
        return f"reconfirmations of {self.committee_id} in call {self.call_id}"


class TurnoutReport(models.Model):
    """How many took part, reported by a committee after the action."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reports")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    turnout = models.PositiveIntegerField(_("turnout"))
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["call", "committee"], name="pledges_one_report")
        ]

    def __str__(self) -> str:
        return f"turnout of {self.committee_id} in call {self.call_id}"
