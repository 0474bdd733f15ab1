"""Polls, frozen electorates, ballots and results.

Secret (not end-to-end verifiable) ballots are secret from other members, not
from whoever runs the server: the ``Ballot`` row holds no voter reference and no
timestamp and has a random id; who has voted is kept apart in ``VoteLedger``.
While the poll is open a ballot is found again for a change of vote through
``slot`` = HMAC-SHA256(poll.ballot_key, member id); at the close the key is
wiped and every ballot is written again in a random order under fresh ids
(``services/secrecy.py``; ADR 0002 says what the server still keeps).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.federation.models import Mandate
from asamblea.motions.models import AmendmentKind
from asamblea.voting import rules

QUESTION_MAX = 300
OPTION_MAX = 200
# For the constraints (sorted, so that migrations are stable).
MULTI_WINNER = sorted(rules.MULTI_WINNER_METHODS)
K_CHOICES = sorted({rules.METHOD_APPROVAL, rules.METHOD_BLOCK_APPROVAL})
BLOCK_CAPABLE = sorted(rules.BLOCK_AGGREGATION_METHODS)
ENCRYPTABLE = sorted(rules.ENCRYPTABLE_METHODS)


class Method(models.TextChoices):
    """How voters answer and how the answers are counted.

    The first three and ``block-approval``/``consent`` are bit-mask ballots;
    the others keep their ballot in ``Ballot.data``. Values other than the
    first two are the counting library's method names.
    """

    YES_NO_ABSTAIN = "yes_no_abstain", _("Yes / no / abstain")
    SINGLE = "single", _("Single choice")
    APPROVAL = "approval", _("Approval (up to k)")
    BLOCK_APPROVAL = "block-approval", _("Block approval (several seats)")
    CONSENT = "consent", _("Consent (carried unless blocked)")
    SCORE = "score", _("Score (0 to a maximum)")
    MAJORITY_JUDGMENT = "majority-judgment", _("Majority judgment (grades)")
    BORDA = "borda", _("Ranking: Borda count")
    IRV = "irv", _("Ranking: instant runoff")
    COPELAND = "copeland", _("Ranking: Copeland")
    SCHULZE = "schulze", _("Ranking: Schulze")
    RANKED_PAIRS = "ranked-pairs", _("Ranking: ranked pairs")
    SCOTTISH_STV = "scottish-stv", _("Ranking: STV, Scottish rules (several seats)")
    MEEK_STV = "meek-stv", _("Ranking: STV, Meek's method (several seats)")


class Aggregation(models.TextChoices):
    POOLED = "pooled", _("Pooled: every ballot counts once")
    BY_COMMITTEE_MEMBERS = (
        "by_committee_members",
        _("By committee: each committee's result decides its block, weighted by members"),
    )
    BY_COMMITTEE_EQUAL = (
        "by_committee_equal",
        _("By committee: each committee's result decides one equal vote"),
    )
    DELEGATES = "delegates", _("Delegates: each committee's delegate casts its votes as mandated")


class MajorityBase(models.TextChoices):
    CAST = "cast", _("Votes cast")
    VALID = "valid", _("Valid votes (without abstentions)")
    ENTITLED = "entitled", _("Entitled electorate")


class Purpose(models.TextChoices):
    """What a poll decides; the outcome applied at the close depends on it."""

    QUESTION = "question", _("Question")
    MOTION = "motion", _("Motion")
    AMENDMENT = "amendment", _("Amendment")
    RECALL = "recall", _("Recall of a delegate")
    DELEGATE_ELECTION = "delegate_election", _("Election of a delegate")


class QuestionCode(models.TextChoices):
    """Questions the system writes: stored as a code with parameters and shown
    in each reader's language (blank: typed by whoever created the poll)."""

    TYPED = "", _("typed")
    MOTION = "motion", _("a motion's vote")
    AMENDMENT = "amendment", _("an amendment's vote")
    RECALL = "recall", _("a recall")
    DELEGATE_ELECTION = "delegate_election", _("a delegate election")


# Parameters: motion {title}; amendment {number (within its motion), title, kind
# (an AmendmentKind)};
# recall {delegate, committee}; delegate_election {committee}.
QUESTION_TEMPLATES = {
    QuestionCode.MOTION: _("Adopt the motion “%(title)s”?"),
    QuestionCode.AMENDMENT: _("Accept amendment %(number)d to “%(title)s” (%(kind)s)?"),
    QuestionCode.RECALL: _("Recall %(delegate)s as delegate of %(committee)s?"),
    QuestionCode.DELEGATE_ELECTION: _("Who will be the delegate of %(committee)s?"),
}


def render_question(code: str, params: dict[str, Any]) -> str:
    """The coded question in the active language, at most QUESTION_MAX long."""
    values = dict(params)
    if code == QuestionCode.AMENDMENT:
        kind = values.get("kind", "")
        values["kind"] = AmendmentKind(kind).label if kind in AmendmentKind.values else kind
        # Polls opened before amendments were numbered within their motion
        # stored the database id under "id".
        if "number" not in values and "id" in values:
            values["number"] = values["id"]
    return str(QUESTION_TEMPLATES[QuestionCode(code)] % values)[:QUESTION_MAX]


class PollState(models.TextChoices):
    DRAFT = "draft", _("Not yet open")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class CancelReason(models.TextChoices):
    """Why the system cancelled a poll (blank: cancelled by a person)."""

    NONE = "", _("cancelled by hand")
    EMPTY_ELECTORATE = (
        "empty_electorate",
        _("nobody could vote when it was due to open: no members at or beneath its node"),
    )
    UNEQUAL_WEIGHTS = (
        "unequal_weights",
        _(
            "it is secret, and when it was due to open members of one committee had"
            " different vote weights"
        ),
    )
    NO_ELECTION_KEY = (
        "no_election_key",
        _("it is encrypted, and when it was due to open no trustee board's key served its node"),
    )
    NOT_ENCRYPTABLE = (
        "not_encryptable",
        _("it is encrypted, and its question or options could not be put on an encrypted ballot"),
    )


class Outcome(models.TextChoices):
    CARRIED = "carried", _("Carried")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("No quorum")
    DECIDED = "decided", _("Decided")
    TIE = "tie", _("Tie")


class Poll(models.Model):
    node = models.ForeignKey(
        "federation.Node",
        verbose_name=_("node"),
        on_delete=models.PROTECT,
        related_name="polls",
    )
    motion = models.ForeignKey(
        "motions.Motion",
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
    )
    amendment = models.ForeignKey(
        "motions.Amendment",
        verbose_name=_("amendment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="polls",
    )
    purpose = models.CharField(
        _("purpose"), max_length=24, choices=Purpose.choices, default=Purpose.QUESTION
    )
    # For a coded question, its English text (stable for exports and
    # recounts); pages and the API show display_question.
    question = models.CharField(_("question"), max_length=QUESTION_MAX)
    question_code = models.CharField(
        _("question written by the system"),
        max_length=24,
        choices=QuestionCode.choices,
        default=QuestionCode.TYPED,
        blank=True,
    )
    question_params = models.JSONField(default=dict, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=10_000)
    method = models.CharField(
        _("method"), max_length=32, choices=Method.choices, default=Method.YES_NO_ABSTAIN
    )
    max_choices = models.PositiveSmallIntegerField(_("at most k choices"), default=1)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=0)
    secret = models.BooleanField(_("secret ballot"), default=False)
    # Ballots encrypted under a trustee board's key (voting.encrypted); implies secret.
    encrypted = models.BooleanField(_("encrypted ballot"), default=False)
    aggregation = models.CharField(
        _("aggregation"),
        max_length=32,
        choices=Aggregation.choices,
        default=Aggregation.POOLED,
    )
    state = models.CharField(
        _("state"), max_length=16, choices=PollState.choices, default=PollState.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("reason for cancelling"),
        max_length=24,
        choices=CancelReason.choices,
        default=CancelReason.NONE,
        blank=True,
    )
    # Decision policy (OpenSlides-style bases, LiquidFeedback-style fractions).
    majority_num = models.PositiveSmallIntegerField(_("majority numerator"), default=1)
    majority_den = models.PositiveSmallIntegerField(_("majority denominator"), default=2)
    majority_base = models.CharField(
        _("majority of"),
        max_length=16,
        choices=MajorityBase.choices,
        default=MajorityBase.VALID,
    )
    majority_strict = models.BooleanField(_("strictly more than the fraction"), default=True)
    quorum_num = models.PositiveSmallIntegerField(_("quorum numerator"), default=0)
    quorum_den = models.PositiveSmallIntegerField(_("quorum denominator"), default=1)
    seed = models.CharField(_("lot seed"), max_length=64, blank=True)
    ballot_key = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        indexes = [models.Index(fields=["state", "closes_at"])]
        # What the services check, held by the database too, so that an
        # operator writing rows by hand cannot store a poll no count can read.
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="voting_poll_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=Method.values), name="voting_poll_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(aggregation__in=Aggregation.values),
                name="voting_poll_aggregation_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=PollState.values), name="voting_poll_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(majority_base__in=MajorityBase.values),
                name="voting_poll_majority_base_valid",
            ),
            models.CheckConstraint(
                condition=Q(majority_den__gte=1, majority_num__lte=F("majority_den")),
                name="voting_poll_majority_fraction",
            ),
            models.CheckConstraint(
                condition=Q(quorum_den__gte=1, quorum_num__lte=F("quorum_den")),
                name="voting_poll_quorum_fraction",
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1) & (Q(method__in=MULTI_WINNER) | Q(seats=1)),
                name="voting_poll_seats_range",
            ),
            models.CheckConstraint(
                condition=Q(max_choices__gte=1) & (Q(method__in=K_CHOICES) | Q(max_choices=1)),
                name="voting_poll_max_choices_range",
            ),
            models.CheckConstraint(
                condition=Q(method="score", max_score__gte=1, max_score__lte=rules.MAX_SCORE_LIMIT)
                | (~Q(method="score") & Q(max_score=0)),
                name="voting_poll_max_score_range",
            ),
            models.CheckConstraint(
                condition=Q(aggregation="pooled") | Q(method__in=BLOCK_CAPABLE),
                name="voting_poll_blocks_need_one_winner",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="delegate_election") | Q(method="single"),
                name="voting_poll_election_is_single_choice",
            ),
            models.CheckConstraint(
                condition=Q(encrypted=False) | Q(secret=True, method__in=ENCRYPTABLE),
                name="voting_poll_encrypted_is_secret_and_encryptable",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="voting_poll_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=("open", "closed")) | Q(opened_at__isnull=False),
                name="voting_poll_opened_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False),
                name="voting_poll_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.display_question

    @property
    def display_question(self) -> str:
        """The question in the active language when the system wrote it, else
        as typed."""
        if self.question_code in QUESTION_TEMPLATES:
            try:
                return render_question(self.question_code, self.question_params)
            except (KeyError, TypeError, ValueError):
                return self.question  # parameters edited out of shape: the stored text
        return self.question

    @property
    def voting_time_over(self) -> bool:
        """Open, but past its closing time: votes are refused from then on,
        before the scheduler's next pass closes it."""
        return (
            self.state == PollState.OPEN
            and self.closes_at is not None
            and self.closes_at <= timezone.now()
        )


# Options the system creates carry a code; they are shown in each reader's
# language instead of the language of whoever created the poll.
CODED_OPTION_LABELS = {
    "yes": _("Yes"),
    "no": _("No"),
    "abstain": _("Abstain"),
    "consent": _("I consent"),
    "stand_aside": _("I stand aside"),
    "block": _("I block"),
}


class PollOption(models.Model):
    """An option; ``position`` is also its bit in ``Ballot.mask``."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=16, blank=True)
    label = models.CharField(_("option"), max_length=OPTION_MAX)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="unique_option_position"),
            # The services compare labels with casefold(); Lower() is the
            # database's nearest fold (ASCII only on SQLite).
            models.UniqueConstraint(
                "poll", Lower("label"), name="voting_polloption_label_unique_ci"
            ),
            models.UniqueConstraint(
                fields=["poll", "code"],
                condition=~Q(code=""),
                name="voting_polloption_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(position__lt=rules.MAX_OPTIONS),
                name="voting_polloption_position_fits_mask",
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language for coded options, else as typed."""
        coded = CODED_OPTION_LABELS.get(self.code)
        return str(coded) if coded is not None else self.label


class ElectorateEntry(models.Model):
    """The electorate frozen when the poll opens: who may vote, from which
    committee, with which weight. Results are computed from this snapshot."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="electorate")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="one_entry_per_voter"),
            models.CheckConstraint(
                condition=Q(weight__gte=1), name="voting_electorateentry_weight_positive"
            ),
        ]
        indexes = [models.Index(fields=["poll", "committee"])]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.poll_id}"


class VoteLedger(models.Model):
    """Who has voted in a poll (never what). No timestamp, on purpose, and a
    random key: an insertion-ordered id would give the order of the votes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ledger")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "member"], name="one_ledger_row_per_voter")
        ]
        indexes = [models.Index(fields=["poll", "committee"])]

    def __str__(self) -> str:
        return f"{self.member_id} voted in {self.poll_id}"


class Ballot(models.Model):
    """One voter's current ballot. For secret polls ``voter`` and ``cast_at`` stay
    empty and ``slot`` is an HMAC wiped at the close (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    slot = models.CharField(max_length=64)
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cast_at = models.DateTimeField(null=True, blank=True)
    mask = models.BigIntegerField(default=0)
    data = models.JSONField(null=True, blank=True)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "slot"], name="one_ballot_per_slot"),
            models.CheckConstraint(
                condition=Q(mask__gte=0), name="voting_ballot_mask_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["poll", "committee"])]

    def __str__(self) -> str:
        return f"ballot {self.id}"


class DelegateCast(models.Model):
    """Under delegate aggregation: what a committee's delegate cast at the parent
    level, as the committee's own result mandated."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="delegate_casts")
    committee = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    counts = models.JSONField(default=dict)
    weight = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "committee"], name="one_cast_per_committee")
        ]

    def __str__(self) -> str:
        return f"delegate cast {self.committee_id} in {self.poll_id}"


class PollResult(models.Model):
    """A poll's result at one level of the tree (committee, zone, region, assembly),
    computed at the close from the frozen snapshot."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="results")
    node = models.ForeignKey("federation.Node", on_delete=models.PROTECT, related_name="+")
    counts = models.JSONField(default=dict)
    entitled = models.PositiveIntegerField(default=0)
    voted = models.PositiveIntegerField(default=0)
    quorum_met = models.BooleanField(default=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "node"], name="one_result_per_level"),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="voting_pollresult_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(voted__lte=F("entitled")), name="voting_pollresult_voted_le_entitled"
            ),
        ]

    def __str__(self) -> str:
        return f"result of {self.poll_id} at {self.node_id}"


class RecallState(models.TextChoices):
    VOTING = "voting", _("Voting")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class Recall(models.Model):
    """A committee vote on ending a delegate's mandate, started by any member."""

    mandate = models.ForeignKey(
        Mandate, verbose_name=_("mandate"), on_delete=models.CASCADE, related_name="recalls"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), max_length=4000)
    poll = models.OneToOneField(
        Poll, verbose_name=_("poll"), on_delete=models.PROTECT, related_name="recall"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=RecallState.choices, default=RecallState.VOTING
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)

    class Meta:
        # Moved from the federation app; the table keeps its name, rows and
        # constraint.
        db_table = "federation_recall"
        ordering = ["-started_at"]
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=RecallState.values), name="federation_recall_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"recall of mandate {self.mandate_id}"


# The encrypted polls' tables belong to this app; their module keeps them apart.
from asamblea.voting.encrypted.models import AuditedLine as AuditedLine  # noqa: E402
from asamblea.voting.encrypted.models import BoardLine as BoardLine  # noqa: E402
from asamblea.voting.encrypted.models import Election as Election  # noqa: E402
from asamblea.voting.encrypted.models import (  # noqa: E402
    ElectionCredential as ElectionCredential,
)
from asamblea.voting.encrypted.models import SeenCiphertext as SeenCiphertext  # noqa: E402
from asamblea.voting.encrypted.models import Tally as Tally  # noqa: E402
from asamblea.voting.encrypted.models import TallyAnswer as TallyAnswer  # noqa: E402
from asamblea.voting.encrypted.models import VotingKey as VotingKey  # noqa: E402
