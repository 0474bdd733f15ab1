"""Creating draft polls: validate their settings and options."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Forbidden, InvalidInput
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import Actor, Viewer
from asamblea.federation.models import Node
from asamblea.motions.models import Amendment, Motion
from asamblea.voting import access, outcomes, rules
from asamblea.voting.encrypted.manifest import check_encryptable
from asamblea.voting.models import (
    CODED_OPTION_LABELS,
    OPTION_MAX,
    QUESTION_MAX,
    Aggregation,
    MajorityBase,
    Method,
    Poll,
    PollOption,
    Purpose,
    QuestionCode,
    render_question,
)
from asamblea.voting.spec import PollSpec

DESCRIPTION_MAX = 10_000


def _source(label: Any) -> str:
    with translation.override(None):
        return str(label)


def _clean_options(method: str, options: Sequence[str] | None) -> list[tuple[str, str]]:
    """(code, label) per option, in position order."""
    # Coded options are stored with their English source label (stable for
    # exports and recounts) and displayed translated (PollOption.display_label).
    if method == Method.YES_NO_ABSTAIN:
        codes: Sequence[str] = ("yes", "no", "abstain")
        return [(code, _source(CODED_OPTION_LABELS[code])) for code in codes]
    if method == Method.CONSENT:
        return [(code, _source(CODED_OPTION_LABELS[code])) for code in rules.CONSENT_CODES]
    labels = [label.strip() for label in options or [] if label.strip()]
    if any(not label.isprintable() for label in labels):
        # Exports name candidates one per line; a line break would split one.
        raise InvalidInput(_("An option is one line of text."), field="options")
    if len(labels) < 2:
        raise InvalidInput(_("Give at least two options."), field="options")
    if len(labels) > rules.MAX_OPTIONS:
        raise InvalidInput(
            _("A poll has at most %(n)d options.") % {"n": rules.MAX_OPTIONS}, field="options"
        )
    if any(len(label) > OPTION_MAX for label in labels):
        raise InvalidInput(
            _("Each option has at most %(n)d characters.") % {"n": OPTION_MAX}, field="options"
        )
    if len({label.casefold() for label in labels}) != len(labels):
        raise InvalidInput(_("Two options are the same."), field="options")
    return [("", label) for label in labels]


def _election_options(committee: Node) -> list[tuple[str, str]]:
    if not committee.is_committee:
        raise InvalidInput(_("Delegates are elected by a committee."), field="node")
    candidates = [
        (f"{outcomes.ELECTION_CODE_PREFIX}{m.member_id}", m.member.pseudonym)
        for m in federation_selectors.members_of(node=committee)
    ]
    if not candidates:
        raise InvalidInput(_("This committee has no members to elect."), field="node")
    if len(candidates) > rules.MAX_OPTIONS:
        raise InvalidInput(
            _("An election in this form has at most %(n)d candidates.") % {"n": rules.MAX_OPTIONS},
            field="node",
        )
    return candidates


def create_draft(
    *,
    created_by: Member,
    actor: Actor,
    node: Node,
    spec: PollSpec,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
    coded: tuple[str, dict[str, Any]] | None = None,
) -> Poll:
    """Validate and write a draft poll. Callers have checked permission.

    ``coded`` is a question the system writes, (a ``QuestionCode``, its
    parameters): stored so and shown in each reader's language; the
    ``question`` column then holds its English text and ``spec.question`` is
    ignored. A delegate election without a typed question gets one."""
    if coded is None and spec.purpose == Purpose.DELEGATE_ELECTION and not spec.question.strip():
        coded = (QuestionCode.DELEGATE_ELECTION, {"committee": node.name})
    if coded is not None:
        with translation.override(None):
            question = render_question(*coded)
    else:
        question = spec.question.strip()
    description = spec.description
    purpose = spec.purpose
    method = spec.method
    aggregation = spec.aggregation
    seats, max_score, max_choices = spec.seats, spec.max_score, spec.max_choices
    opens_at, closes_at = spec.opens_at, spec.closes_at
    if not question:
        raise InvalidInput(_("A question is required."), field="question")
    if len(question) > QUESTION_MAX:
        raise InvalidInput(
            _("The question has at most %(n)d characters.") % {"n": QUESTION_MAX},
            field="question",
        )
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(
            _("The description has at most %(n)d characters.") % {"n": DESCRIPTION_MAX},
            field="description",
        )
    if purpose not in Purpose.values:
        raise InvalidInput(_("Unknown purpose."), field="purpose")
    method = rules.METHOD_ALIASES.get(method, method)
    if method not in Method.values:
        raise InvalidInput(_("Unknown voting method."), field="method")
    if aggregation not in Aggregation.values:
        raise InvalidInput(_("Unknown way of adding up committees."), field="aggregation")
    if aggregation != Aggregation.POOLED and method not in rules.BLOCK_AGGREGATION_METHODS:
        raise InvalidInput(
            _(
                "Committees cast a block only in yes / no / abstain, single choice and"
                " approval polls; count this method's ballots pooled."
            ),
            field="aggregation",
        )
    if spec.majority_base not in MajorityBase.values:
        raise InvalidInput(_("Unknown majority base."), field="majority_base")
    rules.validate_fraction(
        numerator=spec.majority_num, denominator=spec.majority_den, field="majority"
    )
    rules.validate_fraction(numerator=spec.quorum_num, denominator=spec.quorum_den, field="quorum")
    if purpose == Purpose.DELEGATE_ELECTION:
        method = Method.SINGLE
        choices = _election_options(node)
    else:
        choices = _clean_options(method, spec.options)
    if method in rules.MULTI_WINNER_METHODS:
        if not 1 <= seats < len(choices):
            raise InvalidInput(
                _("Give the number of seats: at least 1 and fewer than the options."),
                field="seats",
            )
    else:
        seats = 1
    if method == Method.SCORE:
        if not 1 <= max_score <= rules.MAX_SCORE_LIMIT:
            raise InvalidInput(
                _("Give the highest score, between 1 and %(n)d.") % {"n": rules.MAX_SCORE_LIMIT},
                field="max_score",
            )
    else:
        max_score = 0
    if method == Method.APPROVAL:
        if not 1 <= max_choices <= len(choices):
            raise InvalidInput(
                _("k must lie between 1 and the number of options."), field="max_choices"
            )
    elif method == Method.BLOCK_APPROVAL:
        max_choices = seats  # block voting: approve at most one option per seat
    else:
        max_choices = 1
    secret = spec.secret or spec.encrypted
    if spec.encrypted:
        check_encryptable(method, max_score, len(choices))
    now = timezone.now()
    if closes_at is not None and closes_at <= now:
        raise InvalidInput(_("The closing time must be in the future."), field="closes_at")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise InvalidInput(_("The poll must close after it opens."), field="closes_at")
    with transaction.atomic():
        poll = Poll.objects.create(
            node=node,
            motion=motion,
            amendment=amendment,
            purpose=purpose,
            question=question,
            question_code=coded[0] if coded is not None else QuestionCode.TYPED,
            question_params=coded[1] if coded is not None else {},
            description=description,
            method=method,
            max_choices=max_choices,
            seats=seats,
            max_score=max_score,
            secret=secret,
            encrypted=spec.encrypted,
            aggregation=aggregation,
            opens_at=opens_at,
            closes_at=closes_at,
            majority_num=spec.majority_num,
            majority_den=spec.majority_den,
            majority_base=spec.majority_base,
            majority_strict=spec.majority_strict,
            quorum_num=spec.quorum_num,
            quorum_den=spec.quorum_den,
            seed=secrets.token_hex(16),
            created_by=created_by,
        )
        PollOption.objects.bulk_create(
            PollOption(poll=poll, position=position, code=code, label=label)
            for position, (code, label) in enumerate(choices)
        )
        audit.record(
            actor=actor,
            action="poll.created",
            target=poll,
            data={
                "node": node.pk,
                "method": method,
                "purpose": purpose,
                "secret": secret,
                "encrypted": spec.encrypted,
                "aggregation": aggregation,
                "options": len(choices),
                "seats": seats,
                "max_score": max_score,
            },
        )
    return poll


def create_poll(
    *,
    actor: Actor,
    node: Node,
    spec: PollSpec,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
) -> Poll:
    """Create a draft poll at ``node``.

    Secretaries create polls at their committee, operators anywhere; never
    ``SYSTEM`` (``voting.access.check_create``). Polls on a
    motion or amendment are normally made by :func:`open_motion_vote`; here only
    operators may attach one by hand. ``purpose="delegate_election"`` makes a
    single-choice poll whose options are the committee's members.

    ``spec.method`` is a :class:`Method` value (the library names ``policy`` and
    ``plurality`` are accepted for yes/no/abstain and single choice).
    ``spec.seats`` is required for multi-winner methods (fewer than the options),
    ``spec.max_score`` for score polls (1 to 100); both are ignored otherwise.
    Methods other than yes/no/abstain, single and approval are counted pooled.
    """
    viewer = Viewer.of(actor)
    access.check_create(viewer, node)
    if not isinstance(actor, Member):  # check_create refuses the system
        raise Forbidden()
    if (motion is not None or amendment is not None) and not viewer.is_operator:
        raise Forbidden(_("Motions are put to the vote from the motion's page."))
    if spec.purpose in (Purpose.RECALL, Purpose.MOTION, Purpose.AMENDMENT) and (
        motion is None and amendment is None
    ):
        raise InvalidInput(_("This kind of poll is started elsewhere."), field="purpose")
    return create_draft(
        created_by=actor, actor=actor, node=node, spec=spec, motion=motion, amendment=amendment
    )
