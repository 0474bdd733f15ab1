"""The federation tree (assembly -> region -> zone -> committee), memberships,
roles and delegate mandates (a recall, the vote that can end a mandate, is
``voting.Recall``).

The tree uses a materialised path (``path`` = the zero-padded ids of every
ancestor and the node itself, each followed by "/") so that ancestor and subtree
queries are plain string comparisons that work on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PATH_SEGMENT_WIDTH = 10
SECONDERS_MAX = 100  # as ``federation.rules.SECONDERS_MAX``


class NodeKind(models.TextChoices):
    ASSEMBLY = "assembly", _("Assembly")
    REGION = "region", _("Region")
    ZONE = "zone", _("Zone")
    COMMITTEE = "committee", _("Committee")


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary")
    DELEGATE = "delegate", _("Delegate")


class Node(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=NodeKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    seconders_required = models.PositiveSmallIntegerField(
        _("seconders required"),
        default=2,
        help_text=_("How many members must second a motion before it goes to debate."),
    )
    seconding_committees = models.PositiveSmallIntegerField(
        _("committees among the seconders"),
        default=1,
        help_text=_("From how many different committees the seconds of a motion here must come."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NodeKind.values), name="federation_node_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(seconders_required__lte=SECONDERS_MAX),
                name="federation_node_seconders_range",
            ),
            models.CheckConstraint(
                condition=Q(seconding_committees__lte=SECONDERS_MAX),
                name="federation_node_seconding_committees_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def segment(pk: int) -> str:
        return f"{pk:0{PATH_SEGMENT_WIDTH}d}/"

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (not this node)."""
        return [int(p) for p in self.path.split("/") if p][:-1]

    def lineage_ids(self) -> list[int]:
        """Ids from the root down to this node."""
        return [int(p) for p in self.path.split("/") if p]

    @property
    def is_committee(self) -> bool:
        return self.kind == NodeKind.COMMITTEE


class Membership(models.Model):
    """A member's place in a committee. Vote weight lives here."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    node = models.ForeignKey(
        Node, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    weight = models.PositiveSmallIntegerField(_("vote weight"), default=1)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "node"],
                condition=Q(ended_at__isnull=True),
                name="one_active_membership_per_node",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="federation_membership_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1), name="federation_membership_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("joined_at")),
                name="federation_membership_ends_after_joining",
            ),
        ]
        indexes = [models.Index(fields=["node", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.node_id} ({self.role})"


class MandateSource(models.TextChoices):
    APPOINTED = "appointed", _("Appointed")
    ELECTED = "elected", _("Elected")


class MandateEnd(models.TextChoices):
    RECALLED = "recalled", _("Recalled")
    RESIGNED = "resigned", _("Resigned")
    REPLACED = "replaced", _("Replaced")
    LEFT = "left", _("Left the committee")


class Mandate(models.Model):
    """A delegate's mandate to represent a committee at its parent node.

    Mandates are never deleted: ended ones are the history.
    """

    committee = models.ForeignKey(
        Node, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="mandates"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delegate"),
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    source = models.CharField(_("how"), max_length=16, choices=MandateSource.choices)
    instructions = models.TextField(_("instructions"), blank=True, max_length=4000)
    poll = models.ForeignKey(
        "voting.Poll",
        verbose_name=_("election poll"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_reason = models.CharField(
        _("end reason"), max_length=16, choices=MandateEnd.choices, blank=True
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "delegate"],
                condition=Q(ended_at__isnull=True),
                name="one_active_mandate_per_delegate",
            ),
            models.CheckConstraint(
                condition=Q(source__in=MandateSource.values),
                name="federation_mandate_source_valid",
            ),
            # An ended mandate says why; an active one has no end reason.
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_reason="")
                | Q(ended_at__isnull=False, ended_reason__in=MandateEnd.values),
                name="federation_mandate_end_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="federation_mandate_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate_id} for {self.committee_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
