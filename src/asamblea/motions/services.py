"""Writes to motions: drafting, seconding, discussion and amendments.

Each service checks permission first (``motions.access``), validates, owns
its transaction, locks the motion row for state transitions and appends to the
audit log. ``actor`` is a member or ``core.actors.SYSTEM``. The services that
apply the outcome of a vote (``mark_*``, ``accept_amendment``,
``reject_amendment``, ``conclude_motion``) accept the system and whoever may
put the motion to the vote (``to="decide"``); the others take members only.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.core.errors import Conflict, Forbidden, InvalidInput
from asamblea.federation import access as federation_access
from asamblea.federation.access import Actor, Viewer
from asamblea.federation.models import Node
from asamblea.motions import access, rules, selectors
from asamblea.motions.errors import (
    AlreadySeconded,
    MotionClosed,
    NotInDebate,
    ParagraphOutOfRange,
    SecondsFromOneCommittee,
)
from asamblea.motions.models import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    Amendment,
    AmendmentKind,
    AmendmentState,
    Comment,
    Motion,
    MotionState,
    MotionVersion,
    ObsoleteReason,
    Second,
)

OPEN_AMENDMENT_STATES = (AmendmentState.PROPOSED, AmendmentState.VOTING)
DISCUSSION_STATES = (MotionState.DRAFT, MotionState.DEBATE, MotionState.VOTING)

# --- validation helpers -------------------------------------------------------------


def _check(actor: Actor, motion: Motion, *, to: access.MotionAction, message: Any = None) -> Member:
    """Refuse ``actor`` unless ``motions.access`` lets them ``to`` the motion;
    the member acting (for ``to`` actions only members take)."""
    viewer = Viewer.of(actor)
    access.check_motion(viewer, motion, to=to, message=message)
    if viewer.member is None:
        raise Forbidden()
    return viewer.member


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise InvalidInput(_("A title is required."), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(
            _("The title is too long (at most %(max)d characters).") % {"max": TITLE_MAX},
            field="title",
        )
    return title


def _clean_body(body: str, *, field: str = "body") -> str:
    if len(body) > BODY_MAX:
        raise InvalidInput(
            _("The text is too long (at most %(max)d characters).") % {"max": BODY_MAX},
            field=field,
        )
    text = rules.normalise_text(body)
    if not text:
        raise InvalidInput(_("The text is required."), field=field)
    return text


def _locked(motion: Motion) -> Motion:
    """Re-read ``motion`` under a row lock; call inside a transaction."""
    return Motion.objects.select_for_update().select_related("node").get(pk=motion.pk)


def _check_decide(actor: Actor, motion: Motion) -> None:
    """Applying a vote's outcome: the system, or whoever may put the motion to
    the vote (``motions.access``, ``to="decide"``)."""
    access.check_motion(Viewer.of(actor), motion, to="decide")


def _touch(motion: Motion, *fields: str) -> None:
    motion.updated_at = timezone.now()
    motion.save(update_fields=[*fields, "updated_at"])


def _start_debate(*, actor: Actor, motion: Motion) -> None:
    motion.state = MotionState.DEBATE
    _touch(motion, "state")
    audit.record(actor=actor, action="motion.debate_started", target=motion)


# --- motions ------------------------------------------------------------------------


def submit_motion(*, actor: Actor, node: Node, title: str, body: str) -> Motion:
    """Draft a motion at ``node`` (the actor's committee or any node above it;
    operators anywhere; never ``SYSTEM``). With ``node.seconders_required == 0``
    it goes straight to debate."""
    viewer = Viewer.of(actor)
    federation_access.check_node(viewer, node)
    if not isinstance(actor, Member):
        raise Forbidden(_("Only members take part in a motion."))
    title = _clean_title(title)
    body = _clean_body(body)
    with transaction.atomic():
        motion = Motion.objects.create(node=node, author=actor, title=title, body=body, version=1)
        MotionVersion.objects.create(motion=motion, number=1, title=title, body=body)
        audit.record(
            actor=actor,
            action="motion.submitted",
            target=motion,
            data={"node": node.pk, "title": title},
        )
        if node.seconders_required == 0:
            _start_debate(actor=actor, motion=motion)
    return motion


def edit_draft(*, actor: Actor, motion: Motion, title: str, body: str) -> Motion:
    """Change a draft's text. Only its author, only before anyone seconded it:
    seconders agreed to a text, so it may not change under them. Version 1 is
    rewritten in place because nobody has relied on it yet."""
    _check(actor, motion, to="author", message=_("Only the author can edit a draft."))
    title = _clean_title(title)
    body = _clean_body(body)
    with transaction.atomic():
        motion = _locked(motion)
        if motion.state != MotionState.DRAFT:
            raise Conflict(_("Only a draft can be edited."))
        if motion.seconds.exists():
            raise Conflict(_("This draft has been seconded; it can no longer be edited."))
        motion.title, motion.body = title, body
        _touch(motion, "title", "body")
        MotionVersion.objects.filter(motion=motion, number=motion.version).update(
            title=title, body=body
        )
        audit.record(actor=actor, action="motion.edited", target=motion, data={"title": title})
    return motion


def second_motion(*, actor: Actor, motion: Motion) -> Second:
    """Second a draft (a member who sees it, not its author; never ``SYSTEM``).
    When the seconds reach ``node.seconders_required`` and come from at least
    ``node.seconding_committees`` different committees, the motion moves to
    debate. Once there are seconds enough, a second that adds no committee is
    refused (``SecondsFromOneCommittee``)."""
    member = _check(actor, motion, to="second")
    with transaction.atomic():
        motion = _locked(motion)
        if motion.is_closed:
            raise MotionClosed()
        if motion.state != MotionState.DRAFT:
            raise Conflict(_("This motion already has the seconds it needs."))
        if Second.objects.filter(motion=motion, member=member).exists():
            raise AlreadySeconded()
        node = motion.node
        before = Second.objects.filter(motion=motion).count()
        committees_before = (
            selectors.seconding_committees_of(motion=motion) if node.seconding_committees > 1 else 0
        )
        second = Second.objects.create(motion=motion, member=member)
        count = before + 1
        committees = (
            selectors.seconding_committees_of(motion=motion) if node.seconding_committees > 1 else 0
        )
        if (
            node.seconding_committees > 1
            and before >= node.seconders_required
            and committees <= committees_before
        ):
            # Rolls the second back with the transaction.
            raise SecondsFromOneCommittee()
        audit.record(actor=actor, action="motion.seconded", target=motion, data={"seconds": count})
        enough_committees = node.seconding_committees <= 1 or (
            committees >= node.seconding_committees
        )
        if count >= node.seconders_required and enough_committees:
            _start_debate(actor=SYSTEM, motion=motion)
    return second


def withdraw_motion(*, actor: Actor, motion: Motion) -> Motion:
    """The author takes the motion back, before it is put to the vote."""
    _check(actor, motion, to="author", message=_("Only the author can withdraw a motion."))
    with transaction.atomic():
        motion = _locked(motion)
        if motion.is_closed:
            raise MotionClosed()
        if motion.state == MotionState.VOTING:
            raise Conflict(_("A motion cannot be withdrawn once it is put to the vote."))
        motion.state = MotionState.WITHDRAWN
        _touch(motion, "state")
        audit.record(actor=actor, action="motion.withdrawn", target=motion)
        # Proposed amendments lapse with their motion, so that none is left
        # looking open on a closed motion.
        for amendment in motion.amendments.filter(state=AmendmentState.PROPOSED):
            amendment.state = AmendmentState.WITHDRAWN
            amendment.save(update_fields=["state"])
            audit.record(
                actor=actor,
                action="amendment.withdrawn",
                target=amendment,
                data={"reason": "motion_withdrawn"},
            )
    return motion


def mark_motion_voting(*, motion: Motion, actor: Actor) -> Motion:
    """Put a motion in debate to the vote. Every amendment must have been voted
    on first (none proposed or in a vote). ``to="decide"`` actors only."""
    _check_decide(actor, motion)
    with transaction.atomic():
        motion = _locked(motion)
        if motion.state != MotionState.DEBATE:
            raise Conflict(_("Only a motion in debate can be put to the vote."))
        if motion.amendments.filter(state__in=OPEN_AMENDMENT_STATES).exists():
            raise Conflict(_("Vote on the open amendments before the motion."))
        motion.state = MotionState.VOTING
        _touch(motion, "state")
        audit.record(actor=actor, action="motion.voting_started", target=motion)
    return motion


def return_motion_to_debate(*, motion: Motion, actor: Actor) -> Motion:
    """Its vote was cancelled: the motion goes back to debate, where it can be
    amended and put to the vote again. ``to="decide"`` actors only."""
    _check_decide(actor, motion)
    with transaction.atomic():
        motion = _locked(motion)
        if motion.state != MotionState.VOTING:
            raise Conflict(_("Only a motion being voted on can go back to debate."))
        motion.state = MotionState.DEBATE
        _touch(motion, "state")
        audit.record(actor=actor, action="motion.returned_to_debate", target=motion)
    return motion


def conclude_motion(*, motion: Motion, carried: bool, actor: Actor) -> Motion:
    """Record the result of the vote on a motion. ``to="decide"`` actors only."""
    _check_decide(actor, motion)
    with transaction.atomic():
        motion = _locked(motion)
        if motion.state != MotionState.VOTING:
            raise Conflict(_("Only a motion being voted on can be carried or rejected."))
        motion.state = MotionState.CARRIED if carried else MotionState.REJECTED
        _touch(motion, "state")
        audit.record(
            actor=actor,
            action="motion.carried" if carried else "motion.rejected",
            target=motion,
            data={"version": motion.version},
        )
    return motion


# --- discussion ---------------------------------------------------------------------


def add_comment(
    *, actor: Actor, motion: Motion, body: str, parent: Comment | None = None
) -> Comment:
    """Add a comment, or a reply to ``parent`` (any depth), while the motion is
    open (draft, debate or voting). Members only."""
    member = _check(actor, motion, to="comment")
    if len(body) > COMMENT_MAX:
        raise InvalidInput(
            _("The comment is too long (at most %(max)d characters).") % {"max": COMMENT_MAX},
            field="body",
        )
    body = rules.normalise_newlines(body).strip()
    if not body:
        raise InvalidInput(_("The comment is empty."), field="body")
    if parent is not None and parent.motion_id != motion.pk:
        raise InvalidInput(_("You can only reply to a comment on this motion."), field="parent")
    with transaction.atomic():
        motion = _locked(motion)
        if motion.state not in DISCUSSION_STATES:
            raise MotionClosed(_("The discussion of this motion is closed."))
        comment = Comment.objects.create(motion=motion, author=member, parent=parent, body=body)
        audit.record(
            actor=actor,
            action="comment.added",
            target=comment,
            data={"motion": motion.pk, "parent": parent.pk if parent else None},
        )
    return comment


# --- amendments ---------------------------------------------------------------------


def propose_amendment(
    *,
    actor: Actor,
    motion: Motion,
    kind: str,
    paragraph: int | None,
    text: str,
    rationale: str = "",
) -> Amendment:
    """Propose a change to the current text of a motion in debate.

    ``paragraph`` is a 0-based index into the current version's paragraphs (an
    insertion goes before it; the paragraph count appends); it is ignored for
    ``replace_text``. The text is ignored for ``delete_paragraph``. Members only.
    """
    member = _check(actor, motion, to="amend")
    if kind not in AmendmentKind.values:
        raise InvalidInput(_("Unknown kind of amendment."), field="kind")
    if len(text) > BODY_MAX:
        raise InvalidInput(
            _("The new text is too long (at most %(max)d characters).") % {"max": BODY_MAX},
            field="text",
        )
    if len(rationale) > COMMENT_MAX:
        raise InvalidInput(
            _("The rationale is too long (at most %(max)d characters).") % {"max": COMMENT_MAX},
            field="rationale",
        )
    if kind == AmendmentKind.DELETE_PARAGRAPH:
        text = ""
    elif not rules.normalise_text(text):
        raise InvalidInput(_("The new text is required."), field="text")
    if kind == AmendmentKind.REPLACE_TEXT:
        paragraph = None
    with transaction.atomic():
        motion = _locked(motion)
        if motion.is_closed:
            raise MotionClosed(_("This motion is closed; it can no longer be amended."))
        if motion.state != MotionState.DEBATE:
            raise NotInDebate()
        count = len(rules.split_paragraphs(motion.body))
        try:
            result = rules.apply_amendment(motion.body, kind, paragraph, text)
        except rules.AmendmentDoesNotApply as exc:
            if exc.reason == "paragraph_out_of_range":
                raise ParagraphOutOfRange(
                    _("That paragraph does not exist: the current text has %(count)d.")
                    % {"count": count},
                    field="paragraph",
                ) from exc
            raise InvalidInput(_("This amendment would leave the motion without text.")) from exc
        if result == motion.body:
            raise InvalidInput(_("This amendment changes nothing."), field="text")
        if len(result) > BODY_MAX:
            raise InvalidInput(_("The amended text would be too long."), field="text")
        # Under the motion's row lock (``_locked``): two proposals at once
        # cannot take the same number.
        last = motion.amendments.aggregate(last=Max("number"))["last"] or 0
        amendment = Amendment.objects.create(
            motion=motion,
            number=last + 1,
            author=member,
            kind=kind,
            paragraph=paragraph,
            text=rules.normalise_text(text),
            rationale=rationale.strip(),
            base_version=motion.version,
        )
        audit.record(
            actor=actor,
            action="amendment.proposed",
            target=amendment,
            data={
                "motion": motion.pk,
                "number": amendment.number,
                "kind": kind,
                "paragraph": paragraph,
                "base_version": motion.version,
            },
        )
    return amendment


def withdraw_amendment(*, actor: Actor, amendment: Amendment) -> Amendment:
    """Its author takes back an amendment that is not yet being voted on."""
    access.check_amendment(
        Viewer.of(actor),
        amendment,
        to="author",
        message=_("Only the author can withdraw an amendment."),
    )
    with transaction.atomic():
        _locked(amendment.motion)
        amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if amendment.state != AmendmentState.PROPOSED:
            raise Conflict(_("Only a proposed amendment can be withdrawn."))
        amendment.state = AmendmentState.WITHDRAWN
        amendment.save(update_fields=["state"])
        audit.record(actor=actor, action="amendment.withdrawn", target=amendment)
    return amendment


def mark_amendment_voting(*, amendment: Amendment, actor: Actor) -> Amendment:
    """An amendment is put to the vote; the motion must be in debate."""
    _check_decide(actor, amendment.motion)
    with transaction.atomic():
        motion = _locked(amendment.motion)
        amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if motion.state != MotionState.DEBATE:
            raise Conflict(_("Amendments are voted on while the motion is in debate."))
        if amendment.state != AmendmentState.PROPOSED:
            raise Conflict(_("Only a proposed amendment can be put to the vote."))
        amendment.state = AmendmentState.VOTING
        amendment.save(update_fields=["state"])
        audit.record(actor=actor, action="amendment.voting_started", target=amendment)
    return amendment


def _base_text(amendment: Amendment) -> str:
    version = MotionVersion.objects.filter(
        motion_id=amendment.motion_id, number=amendment.base_version
    ).first()
    # A missing base version cannot happen through the services; treat it as
    # "text changed" rather than guessing.
    return version.body if version is not None else ""


def _merge(motion: Motion, amendment: Amendment) -> tuple[str | None, str]:
    """The merged text, or None and the reason code why it no longer applies."""
    index = rules.rebase_paragraph(
        _base_text(amendment), motion.body, amendment.kind, amendment.paragraph
    )
    if index is None and amendment.kind != AmendmentKind.REPLACE_TEXT:
        return None, "paragraph_out_of_range"
    if amendment.kind == AmendmentKind.REPLACE_TEXT and not rules.amendment_applies(
        _base_text(amendment), motion.body, amendment.kind, None, amendment.text
    ):
        return None, "text_changed"
    try:
        merged = rules.apply_amendment(motion.body, amendment.kind, index, amendment.text)
    except rules.AmendmentDoesNotApply as exc:
        return None, exc.reason
    if len(merged) > BODY_MAX:
        return None, "too_long"
    return merged, ""


def _mark_obsolete(*, actor: Actor, amendment: Amendment, reason_code: str) -> None:
    if reason_code not in ObsoleteReason.values:
        reason_code = ObsoleteReason.TEXT_CHANGED
    amendment.state = AmendmentState.OBSOLETE
    # A code, shown in each reader's language (get_state_reason_display).
    amendment.state_reason = reason_code
    amendment.save(update_fields=["state", "state_reason"])
    audit.record(
        actor=actor, action="amendment.obsolete", target=amendment, data={"reason": reason_code}
    )


def accept_amendment(*, amendment: Amendment, actor: Actor) -> Amendment:
    """Merge an accepted amendment into the motion's current text.

    Creates a new ``MotionVersion`` linked to the amendment and bumps
    ``motion.version``. If the amendment no longer applies (an earlier accepted
    amendment changed the paragraph it targets) it is marked obsolete with a
    reason instead, and the text is left untouched; check ``amendment.state``.
    Other proposed amendments that no longer apply are marked obsolete too.
    """
    _check_decide(actor, amendment.motion)
    with transaction.atomic():
        motion = _locked(amendment.motion)
        amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if motion.state != MotionState.DEBATE:
            raise Conflict(_("Amendments are merged while the motion is in debate."))
        if amendment.state not in OPEN_AMENDMENT_STATES:
            raise Conflict(_("This amendment is no longer open."))
        merged, reason = _merge(motion, amendment)
        if merged is None:
            _mark_obsolete(actor=actor, amendment=amendment, reason_code=reason)
            return amendment
        motion.version += 1
        motion.body = merged
        _touch(motion, "version", "body")
        MotionVersion.objects.create(
            motion=motion,
            number=motion.version,
            title=motion.title,
            body=merged,
            amendment=amendment,
        )
        amendment.state = AmendmentState.ACCEPTED
        amendment.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="amendment.accepted",
            target=amendment,
            data={"motion": motion.pk, "version": motion.version},
        )
        for other in motion.amendments.filter(state=AmendmentState.PROPOSED).exclude(
            pk=amendment.pk
        ):
            other_merged, other_reason = _merge(motion, other)
            if other_merged is None:
                _mark_obsolete(actor=actor, amendment=other, reason_code=other_reason)
    return amendment


def return_amendment_to_proposed(*, amendment: Amendment, actor: Actor) -> Amendment:
    """Its vote was cancelled: the amendment is proposed again."""
    _check_decide(actor, amendment.motion)
    with transaction.atomic():
        _locked(amendment.motion)
        amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if amendment.state != AmendmentState.VOTING:
            raise Conflict(_("Only an amendment being voted on can be proposed again."))
        amendment.state = AmendmentState.PROPOSED
        amendment.save(update_fields=["state"])
        audit.record(actor=actor, action="amendment.returned_to_proposed", target=amendment)
    return amendment


def reject_amendment(*, amendment: Amendment, actor: Actor) -> Amendment:
    """Record that an open amendment was voted down."""
    _check_decide(actor, amendment.motion)
    with transaction.atomic():
        _locked(amendment.motion)
        amendment = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if amendment.state not in OPEN_AMENDMENT_STATES:
            raise Conflict(_("This amendment is no longer open."))
        amendment.state = AmendmentState.REJECTED
        amendment.save(update_fields=["state"])
        audit.record(actor=actor, action="amendment.rejected", target=amendment)
    return amendment
