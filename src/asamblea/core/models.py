"""Audit trail: an append-only, hash-chained log of every state change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    """One state change. ``entry_hash`` = SHA-256(prev_hash || canonical JSON body).

    Rows are only ever appended by :func:`asamblea.core.audit.record`; the chain
    lets anyone holding a copy detect a rewritten or deleted entry.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"))
    # A plain id, not a foreign key: deleting a member must not rewrite history.
    actor_ref = models.PositiveBigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    data = models.JSONField(_("data"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """Singleton row locked (SELECT FOR UPDATE) while appending, so concurrent
    writers serialise on the chain instead of forking it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit head")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="core_audithead_singleton"),
        ]

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
