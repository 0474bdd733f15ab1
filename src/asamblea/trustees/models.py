"""Standing trustee boards: n trustees of a node who hold, t of them together,
the key that every secret poll at the node and beneath it is encrypted with.

A board is formed (size, threshold, trustees appointed, each trustee's
communication key registered and their key file kept), runs its key ceremony
(three rounds of public messages relayed by the server), and ends active with
its joint key or failed with the reasons per trustee. A renewed board retires
its predecessor when it becomes active. No trustee secret is ever stored: the
messages hold public values and shares encrypted to their recipient.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.federation.models import Node

MAX_TRUSTEES = 25
MAX_ROUND_HOURS = 24 * 30


class BoardState(models.TextChoices):
    FORMING = "forming", _("Forming")
    CEREMONY = "ceremony", _("Key ceremony under way")
    ACTIVE = "active", _("Active")
    FAILED = "failed", _("Failed")
    RETIRED = "retired", _("Retired")


class Round(models.TextChoices):
    ANNOUNCE = "announce", _("Announce")
    REVEAL = "reveal", _("Reveal")
    RESPOND = "respond", _("Respond")


class TrusteeBoard(models.Model):
    node = models.ForeignKey(
        Node, verbose_name=_("node"), on_delete=models.PROTECT, related_name="trustee_boards"
    )
    size = models.PositiveSmallIntegerField(_("trustees"))
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    state = models.CharField(
        _("state"), max_length=16, choices=BoardState.choices, default=BoardState.FORMING
    )
    ceremony_id = models.CharField(_("ceremony id"), max_length=64, unique=True)
    round = models.CharField(_("round"), max_length=16, choices=Round.choices, blank=True)
    round_hours = models.PositiveSmallIntegerField(
        _("hours per round"),
        default=72,
        help_text=_("How long the trustees have for each round of the key ceremony."),
    )
    round_deadline = models.DateTimeField(_("round deadline"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("ceremony started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ceremony ended"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    # The public outcome of the ceremony.
    parameters = models.JSONField(_("ceremony parameters"), null=True, blank=True)
    ceremony_hash = models.CharField(_("ceremony hash"), max_length=64, blank=True)
    joint_key = models.CharField(_("joint key"), max_length=66, blank=True)
    verification_keys = models.JSONField(_("verification keys"), default=list, blank=True)
    qualified = models.JSONField(_("qualified trustees"), default=list, blank=True)
    failure = models.CharField(_("why it failed"), max_length=32, blank=True)
    faults = models.JSONField(
        _("faults per trustee"), default=dict, blank=True, help_text=_("Codes by trustee index.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("trustee board")
        verbose_name_plural = _("trustee boards")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=BoardState.values), name="trustees_board_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(round__in=[*Round.values, ""]), name="trustees_board_round_valid"
            ),
            models.CheckConstraint(
                condition=Q(size__gte=1, size__lte=MAX_TRUSTEES),
                name="trustees_board_size_range",
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=1, threshold__lte=F("size")),
                name="trustees_board_threshold_range",
            ),
            models.CheckConstraint(
                condition=Q(round_hours__gte=1, round_hours__lte=MAX_ROUND_HOURS),
                name="trustees_board_round_hours_range",
            ),
            # A round runs only during the ceremony, and always has a deadline.
            models.CheckConstraint(
                condition=Q(state=BoardState.CEREMONY, round__in=Round.values)
                & Q(round_deadline__isnull=False)
                | ~Q(state=BoardState.CEREMONY) & Q(round=""),
                name="trustees_board_round_in_ceremony",
            ),
            models.CheckConstraint(
                condition=~Q(state=BoardState.ACTIVE) | ~Q(joint_key=""),
                name="trustees_board_active_has_key",
            ),
            # One active board per node, and one being formed or in ceremony.
            models.UniqueConstraint(
                fields=["node"],
                condition=Q(state=BoardState.ACTIVE),
                name="trustees_one_active_board_per_node",
            ),
            models.UniqueConstraint(
                fields=["node"],
                condition=Q(state__in=[BoardState.FORMING, BoardState.CEREMONY]),
                name="trustees_one_forming_board_per_node",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ceremony_id} ({self.node_id})"

    @property
    def is_forming(self) -> bool:
        return self.state == BoardState.FORMING

    @property
    def in_ceremony(self) -> bool:
        return self.state == BoardState.CEREMONY


class Trustee(models.Model):
    board = models.ForeignKey(
        TrusteeBoard, verbose_name=_("board"), on_delete=models.CASCADE, related_name="trustees"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="trustee_seats",
    )
    index = models.PositiveSmallIntegerField(_("index"))
    communication_key = models.CharField(_("communication key"), max_length=66, blank=True)
    key_registered_at = models.DateTimeField(_("key registered"), null=True, blank=True)
    key_file_kept_at = models.DateTimeField(_("key file kept"), null=True, blank=True)
    appointed_at = models.DateTimeField(_("appointed"), default=timezone.now)

    class Meta:
        ordering = ["board", "index"]
        verbose_name = _("trustee")
        verbose_name_plural = _("trustees")
        constraints = [
            models.UniqueConstraint(fields=["board", "index"], name="trustees_one_seat_per_index"),
            models.UniqueConstraint(
                fields=["board", "member"], name="trustees_one_seat_per_member"
            ),
            models.UniqueConstraint(
                fields=["board", "communication_key"],
                condition=~Q(communication_key=""),
                name="trustees_distinct_communication_keys",
            ),
            models.CheckConstraint(
                condition=Q(index__gte=1, index__lte=MAX_TRUSTEES), name="trustees_index_range"
            ),
            # A key file is kept only once there is a key to keep.
            models.CheckConstraint(
                condition=Q(key_file_kept_at__isnull=True) | ~Q(communication_key=""),
                name="trustees_key_file_after_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board_id}#{self.index}"

    @property
    def is_ready(self) -> bool:
        return bool(self.communication_key) and self.key_file_kept_at is not None


class CeremonyMessage(models.Model):
    """One trustee's message of one round, as published. Never changed."""

    board = models.ForeignKey(
        TrusteeBoard, verbose_name=_("board"), on_delete=models.CASCADE, related_name="messages"
    )
    trustee = models.ForeignKey(
        Trustee, verbose_name=_("trustee"), on_delete=models.CASCADE, related_name="messages"
    )
    round = models.CharField(_("round"), max_length=16, choices=Round.choices)
    payload = models.JSONField(_("message"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["board", "received_at", "pk"]
        verbose_name = _("ceremony message")
        verbose_name_plural = _("ceremony messages")
        constraints = [
            models.UniqueConstraint(
                fields=["trustee", "round"], name="trustees_one_message_per_round"
            ),
            models.CheckConstraint(
                condition=Q(round__in=Round.values), name="trustees_message_round_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trustee} {self.round}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Published messages are the transcript: they are written once.
        if not self._state.adding:
            raise ValueError("ceremony messages are never changed")
        super().save(*args, **kwargs)
