"""Tables of encrypted polls (registered with the voting app through
``voting.models``).

Nothing here holds a choice in the clear: a board line is the ballot as the
engine publishes it (ciphertexts, proofs, signature), an audited line is what
the voter chose to reveal and is never counted. Secrets the server must hold
(server-held credentials, the board's signing key) are sealed
(``sealing``), never stored in the clear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

HEX_POINT = 66  # a compressed secp256k1 point in hex
HEX_DIGEST = 64


class VotingKey(models.Model):
    """A member's long-lived public voting key V (spec §5.5), generated on
    the member's device. At most one active key per member; replacing it
    revokes the old one, which stays for the credentials already derived."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voting_keys"
    )
    public_key = models.CharField(_("voting key"), max_length=HEX_POINT)
    registered_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(revoked_at__isnull=True),
                name="voting_votingkey_one_active_per_member",
            ),
            models.UniqueConstraint(fields=["public_key"], name="voting_votingkey_unique_key"),
        ]

    def __str__(self) -> str:
        return f"voting key of {self.member_id}"


class CredentialKind(models.TextChoices):
    DEVICE = "device", _("on the member's device")
    SERVER = "server", _("held by the server (assisted)")


class Election(models.Model):
    """The election of one encrypted poll, fixed when it opens: the public
    documents of the record and the board's state (head, next index)."""

    poll = models.OneToOneField("voting.Poll", on_delete=models.CASCADE, related_name="election")
    election_id = models.CharField(max_length=64)
    manifest = models.JSONField()
    parameters = models.JSONField()
    ceremony = models.JSONField()
    committees = models.JSONField(default=dict, help_text="committees.json: the node tree")
    keys = models.JSONField(help_text="election.json: h_E, K, VK_i, QUAL, h_C, N, B")
    election_hash = models.CharField(max_length=HEX_DIGEST)
    board_secret_sealed = models.TextField()
    head = models.CharField(max_length=HEX_DIGEST)
    next_index = models.PositiveIntegerField(default=1)
    audited_count = models.PositiveIntegerField(default=0)
    device_credentials = models.PositiveIntegerField(default=0)
    server_credentials = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election_id"], name="voting_election_unique_id"),
            models.CheckConstraint(
                condition=Q(next_index__gte=1), name="voting_election_index_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.election_id


class ElectionCredential(models.Model):
    """One entry of the credential list, in list order (``position``).

    ``member`` is known to the server anyway (it derives a device credential
    from the member's V); it is what lets the server find the caller's own
    credential. ``secret_sealed`` is set for server-held credentials only."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="credentials")
    position = models.PositiveIntegerField()
    credential = models.CharField(max_length=HEX_POINT)
    kind = models.CharField(max_length=8, choices=CredentialKind.choices)
    committee_code = models.CharField(max_length=64)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    secret_sealed = models.TextField(blank=True)

    class Meta:
        ordering = ["election", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "position"], name="voting_credential_unique_position"
            ),
            models.UniqueConstraint(
                fields=["election", "credential"], name="voting_credential_unique_point"
            ),
            models.UniqueConstraint(
                fields=["election", "member"], name="voting_credential_one_per_member"
            ),
            models.CheckConstraint(
                condition=Q(kind="device", secret_sealed="")
                | (Q(kind="server") & ~Q(secret_sealed="")),
                name="voting_credential_secret_iff_server",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id}#{self.position}"


class BoardLine(models.Model):
    """A cast ballot: line ``index`` of ballots.jsonl (spec §8.4), as published."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="lines")
    index = models.PositiveIntegerField()
    previous_tracker = models.CharField(max_length=HEX_DIGEST)
    tracker = models.CharField(max_length=HEX_DIGEST)
    line = models.JSONField()

    class Meta:
        ordering = ["election", "index"]
        constraints = [
            models.UniqueConstraint(fields=["election", "index"], name="voting_boardline_index"),
        ]
        indexes = [models.Index(fields=["election", "tracker"])]

    def __str__(self) -> str:
        return f"{self.election_id} line {self.index}"


class AuditedLine(models.Model):
    """An audited ballot (spec §8.5), unlinked from its voter, in audit order."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="audited")
    position = models.PositiveIntegerField()
    tracker = models.CharField(max_length=HEX_DIGEST)
    line = models.JSONField()

    class Meta:
        ordering = ["election", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "position"], name="voting_auditedline_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.election_id} audit {self.position}"


class SeenCiphertext(models.Model):
    """Every α cast or audited in an election: none may appear twice (spec §5.6).

    The unique constraint makes a replay fail even when two arrive at once."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    alpha = models.CharField(max_length=HEX_POINT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "alpha"], name="voting_seen_alpha_unique")
        ]

    def __str__(self) -> str:
        return self.alpha


class TallyState(models.TextChoices):
    PENDING = "pending", _("waiting for the sums")
    SUMMING = "summing", _("adding up the ballots")
    DECRYPTING = "decrypting", _("waiting for the trustees")
    DONE = "done", _("decrypted and published")
    FAILED = "failed", pgettext_lazy("tally state", "failed")


class Tally(models.Model):
    """The tally of one closed encrypted poll (spec §7, §12).

    Created ``pending`` at the close; the sums job adds every counted ballot's
    ciphertexts per committee and stores the group sums the trustees are
    asked to decrypt (``request``, exactly ``group_sums_request``); with t
    accepted answers the result (``tally.json``) is combined, checked and
    stored. Everything here is public: sums and partial decryptions."""

    election = models.OneToOneField(Election, on_delete=models.CASCADE, related_name="tally")
    state = models.CharField(max_length=16, choices=TallyState.choices, default=TallyState.PENDING)
    ceremony_id = models.CharField(max_length=64, help_text="of the board asked to decrypt")
    threshold = models.PositiveSmallIntegerField()
    committee_sums = models.JSONField(
        null=True, blank=True, help_text="per committee position: [[alpha, beta] per option]"
    )
    counted = models.JSONField(null=True, blank=True, help_text="counted ballots per committee")
    ballots_cast = models.PositiveIntegerField(default=0)
    final_tracker = models.CharField(max_length=HEX_DIGEST, blank=True)
    request = models.JSONField(null=True, blank=True, help_text="the group sums to decrypt")
    progress = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="tally.json once decrypted")
    failure = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    summed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=TallyState.values), name="voting_tally_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="decrypting") | Q(request__isnull=False),
                name="voting_tally_decrypting_has_request",
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(result__isnull=False),
                name="voting_tally_done_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"tally of {self.election_id}"


class AnswerState(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")


class TallyAnswer(models.Model):
    """A trustee's answer to the tally's request: its partial decryptions
    with their proofs (accepted) or why it was refused. One row per trustee:
    a refused answer may be followed by an accepted one; an accepted answer
    is final."""

    tally = models.ForeignKey(Tally, on_delete=models.CASCADE, related_name="answers")
    trustee = models.PositiveSmallIntegerField()
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=AnswerState.choices)
    reason = models.CharField(max_length=300, blank=True)
    answer = models.JSONField(null=True, blank=True, help_text="as Trustee.decrypt_sums gave it")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tally", "trustee"]
        constraints = [
            models.UniqueConstraint(fields=["tally", "trustee"], name="voting_tally_one_answer"),
            models.CheckConstraint(
                condition=Q(state="accepted", answer__isnull=False)
                | Q(state="refused", answer__isnull=True),
                name="voting_tallyanswer_answer_iff_accepted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tally_id} trustee {self.trustee}: {self.state}"
