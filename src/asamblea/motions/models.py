"""Motions, their versions, seconds, amendments and discussion."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
BODY_MAX = 20_000
COMMENT_MAX = 5_000


class MotionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DEBATE = "debate", _("Debate")
    VOTING = "voting", _("Voting")
    CARRIED = "carried", _("Carried")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CLOSED_MOTION_STATES = frozenset({MotionState.CARRIED, MotionState.REJECTED, MotionState.WITHDRAWN})


class Motion(models.Model):
    node = models.ForeignKey(
        "federation.Node",
        verbose_name=_("node"),
        on_delete=models.PROTECT,
        related_name="motions",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="motions",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    state = models.CharField(
        _("state"), max_length=16, choices=MotionState.choices, default=MotionState.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("forwarded from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forwards",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        indexes = [models.Index(fields=["node", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=MotionState.values), name="motions_motion_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="motions_motion_version_from_1"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_MOTION_STATES


class MotionVersion(models.Model):
    """Every text a motion has had; version 1 is the original draft."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    amendment = models.ForeignKey(
        "Amendment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["motion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "number"], name="unique_motion_version"),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="motions_motionversion_number_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.motion_id} v{self.number}"


class Second(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="seconds")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "member"], name="one_second_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} seconds {self.motion_id}"


class AmendmentKind(models.TextChoices):
    REPLACE_PARAGRAPH = "replace_paragraph", _("Replace a paragraph")
    INSERT_PARAGRAPH = "insert_paragraph", _("Insert a paragraph")
    DELETE_PARAGRAPH = "delete_paragraph", _("Delete a paragraph")
    REPLACE_TEXT = "replace_text", _("Replace the whole text")


class AmendmentState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    VOTING = "voting", _("Voting")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    OBSOLETE = "obsolete", _("No longer applies")


class ObsoleteReason(models.TextChoices):
    """Why an amendment no longer applies: stored as a code (the codes of
    ``rules.AmendmentDoesNotApply.reason``) and shown in each reader's language."""

    PARAGRAPH_OUT_OF_RANGE = (
        "paragraph_out_of_range",
        _("The paragraph it changes was changed by an accepted amendment."),
    )
    TEXT_CHANGED = (
        "text_changed",
        _("The text changed after it was proposed, so it no longer applies."),
    )
    EMPTY_RESULT = "empty_result", _("Applying it would leave the motion without text.")
    TOO_LONG = "too_long", _("Applying it would make the text longer than allowed.")


class Amendment(models.Model):
    """A proposed change to a motion's text.

    ``paragraph`` is the 0-based index of the paragraph (paragraphs are separated
    by blank lines) in the version ``base_version``; an insertion goes before it
    (``paragraph`` equal to the number of paragraphs appends).
    """

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="amendments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AmendmentKind.choices)
    paragraph = models.PositiveIntegerField(_("paragraph"), null=True, blank=True)
    text = models.TextField(_("new text"), blank=True, max_length=BODY_MAX)
    rationale = models.TextField(_("rationale"), blank=True, max_length=COMMENT_MAX)
    base_version = models.PositiveIntegerField(_("based on version"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AmendmentState.choices,
        default=AmendmentState.PROPOSED,
    )
    state_reason = models.CharField(
        _("why this state"),
        max_length=200,
        blank=True,
        choices=ObsoleteReason.choices,
        help_text=_("Why the amendment no longer applies, when that is its state."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Amendment 1, 2, 3... of its motion, in the order they were proposed (set
    # by ``services.propose_amendment`` under the motion's row lock). What
    # members call it; the database id means nothing to them.
    number = models.PositiveIntegerField(_("number"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AmendmentKind.values), name="motions_amendment_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=AmendmentState.values), name="motions_amendment_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(base_version__gte=1), name="motions_amendment_base_version_from_1"
            ),
            # Replacing the whole text changes no particular paragraph.
            models.CheckConstraint(
                condition=~Q(kind=AmendmentKind.REPLACE_TEXT) | Q(paragraph__isnull=True),
                name="motions_amendment_whole_text_has_no_paragraph",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="motions_amendment_number_from_1"
            ),
            models.UniqueConstraint(
                fields=["motion", "number"], name="motions_amendment_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.motion_id})"


class Comment(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.motion_id}"
