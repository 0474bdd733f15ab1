"""Reads of motions, permission-aware (who may see what: ``motions.access``).

Functions taking a ``member`` return only what that member may see; those
taking a ``motion`` expect one already obtained through ``get_motion_for``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from asamblea.accounts.models import Member
from asamblea.core.errors import NotFound
from asamblea.federation import selectors as federation_selectors
from asamblea.federation.access import Viewer, as_viewer
from asamblea.federation.models import Membership, Node, NodeKind
from asamblea.motions import access, rules
from asamblea.motions.models import (
    Amendment,
    AmendmentKind,
    AmendmentState,
    Comment,
    Motion,
    MotionState,
    MotionVersion,
    Second,
)


def recent_motions_for(*, member: Member | Viewer, limit: int = 10) -> QuerySet[Motion]:
    return _visible(member).order_by("-updated_at", "-pk")[:limit]


def _visible(member: Member | Viewer) -> QuerySet[Motion]:
    """The motions at nodes the viewer sees (``motions.access``, ``to="read"``,
    as one query)."""
    motions = Motion.objects.select_related("node", "author")
    ids = as_viewer(member).visible_ids()
    if ids is None:
        return motions
    return motions.filter(node_id__in=ids)


def get_motion_for(*, member: Member | Viewer, motion_id: int) -> Motion:
    """The motion, or ``NotFound`` when it does not exist or ``member`` may not
    see its node (the two look the same)."""
    return access.access_motion(as_viewer(member), motion_id)


def list_motions_for(
    *,
    member: Member | Viewer,
    node: Node | None = None,
    state: str | None = None,
    text: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Motion]:
    """Visible motions, newest activity first, optionally at one node, in one
    state, containing every word of ``text`` in the title or text of any of
    their versions (case-insensitive, as the database compares), and drafted
    between ``since`` and ``until`` (dates in the site's time zone, both
    included)."""
    motions = _visible(member)
    if node is not None:
        motions = motions.filter(node=node)
    if state:
        motions = motions.filter(state=state)
    for word in text.split():
        in_versions = MotionVersion.objects.filter(motion_id=OuterRef("pk")).filter(
            Q(title__icontains=word) | Q(body__icontains=word)
        )
        motions = motions.filter(
            Q(title__icontains=word) | Q(body__icontains=word) | Exists(in_versions)
        )
    if since is not None:
        motions = motions.filter(created_at__date__gte=since)
    if until is not None:
        motions = motions.filter(created_at__date__lte=until)
    return motions.order_by("-updated_at", "-pk")


def get_amendment_for(*, member: Member | Viewer, amendment_id: int) -> Amendment:
    return access.access_amendment(as_viewer(member), amendment_id)


def nodes_for_drafting(*, member: Member | Viewer) -> QuerySet[Node]:
    """Nodes at which ``member`` may draft a motion: their committees and every
    node above them (operators: all)."""
    return federation_selectors.visible_nodes(member=member).order_by("path")


# --- seconds ------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondsSummary:
    count: int
    required: int
    has_seconded: bool
    can_second: bool
    # From how many committees the seconds come, and from how many they must
    # (1: any committee; then ``committees`` is not counted and stays 0).
    committees: int = 0
    committees_required: int = 1


def seconds_summary(*, motion: Motion, member: Member | Viewer) -> SecondsSummary:
    viewer = as_viewer(member)
    count = Second.objects.filter(motion=motion).count()
    has = viewer.member is not None and (
        Second.objects.filter(motion=motion, member=viewer.member).exists()
    )
    return SecondsSummary(
        count=count,
        required=motion.node.seconders_required,
        committees=(
            seconding_committees_of(motion=motion) if motion.node.seconding_committees > 1 else 0
        ),
        committees_required=motion.node.seconding_committees,
        has_seconded=has,
        can_second=(
            motion.state == MotionState.DRAFT
            and not has
            and access.may(viewer, motion, to="second")
        ),
    )


def seconding_committees_of(*, motion: Motion) -> int:
    """How many different committees the seconds of ``motion`` come from
    (``rules.committees_represented``): the active committees of each
    seconder beneath the motion's node."""
    seconders = list(Second.objects.filter(motion=motion).values_list("member_id", flat=True))
    if not seconders:
        return 0
    committees: dict[int, set[int]] = {member_id: set() for member_id in seconders}
    for member_id, committee_id in Membership.objects.filter(
        member_id__in=seconders,
        ended_at__isnull=True,
        node__kind=NodeKind.COMMITTEE,
        node__path__startswith=motion.node.path,
    ).values_list("member_id", "node_id"):
        committees[member_id].add(committee_id)
    return rules.committees_represented([committees[m] for m in seconders])


# --- versions -----------------------------------------------------------------------


def versions(*, motion: Motion) -> QuerySet[MotionVersion]:
    return (
        MotionVersion.objects.filter(motion=motion).select_related("amendment").order_by("number")
    )


@dataclass(frozen=True)
class VersionDiff:
    old: MotionVersion
    new: MotionVersion
    title_ops: list[tuple[rules.DiffOp, str]]
    body_ops: list[tuple[rules.DiffOp, str]]


def version_diff(*, motion: Motion, from_number: int, to_number: int) -> VersionDiff:
    """Word diff between two versions of ``motion``; ``NotFound`` if either is
    missing."""
    found = {
        v.number: v for v in versions(motion=motion).filter(number__in=[from_number, to_number])
    }
    if from_number not in found or to_number not in found:
        raise NotFound()
    old, new = found[from_number], found[to_number]
    return VersionDiff(
        old=old,
        new=new,
        title_ops=rules.diff_words(old.title, new.title),
        body_ops=rules.diff_words(old.body, new.body),
    )


def version_history(
    *, motion: Motion
) -> list[tuple[MotionVersion, list[tuple[rules.DiffOp, str]]]]:
    """Each version with the diff from the one before (empty for version 1)."""
    history = []
    previous: MotionVersion | None = None
    for version in versions(motion=motion):
        ops = rules.diff_words(previous.body, version.body) if previous else []
        history.append((version, ops))
        previous = version
    return history


# --- discussion ---------------------------------------------------------------------


@dataclass
class CommentNode:
    comment: Comment
    replies: list[CommentNode] = field(default_factory=list)


def comments_tree(*, motion: Motion) -> list[CommentNode]:
    """The discussion as a forest, oldest first, read in one query."""
    nodes: dict[int, CommentNode] = {}
    roots: list[CommentNode] = []
    for comment in (
        Comment.objects.filter(motion=motion).select_related("author").order_by("created_at", "pk")
    ):
        nodes[comment.pk] = CommentNode(comment)
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id) if node.comment.parent_id else None
        (parent.replies if parent is not None else roots).append(node)
    return roots


def comments_of(*, motion: Motion) -> QuerySet[Comment]:
    """The discussion as a flat list, oldest first (each row names its parent)."""
    return (
        Comment.objects.filter(motion=motion).select_related("author").order_by("created_at", "pk")
    )


# --- amendments ---------------------------------------------------------------------


def open_amendments(*, motion: Motion) -> QuerySet[Amendment]:
    return (
        Amendment.objects.filter(
            motion=motion, state__in=[AmendmentState.PROPOSED, AmendmentState.VOTING]
        )
        .select_related("author")
        .order_by("created_at", "pk")
    )


def amendments_of(*, motion: Motion) -> QuerySet[Amendment]:
    return (
        Amendment.objects.filter(motion=motion)
        .select_related("author")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class AmendmentPreview:
    amendment: Amendment
    applies: bool
    paragraph_number: int | None
    ops: list[tuple[rules.DiffOp, str]]
    version_number: int | None = None


def amendment_preview(*, motion: Motion, amendment: Amendment, base_text: str) -> AmendmentPreview:
    """How ``amendment`` would change the current text: the diff of just the part
    it touches, and the 1-based paragraph it lands on now."""
    index = rules.rebase_paragraph(base_text, motion.body, amendment.kind, amendment.paragraph)
    applies = rules.amendment_applies(
        base_text, motion.body, amendment.kind, amendment.paragraph, amendment.text
    )
    if not applies:
        return AmendmentPreview(amendment, False, None, [])
    old, new = rules.affected_fragments(motion.body, amendment.kind, index, amendment.text)
    number = None if amendment.kind == AmendmentKind.REPLACE_TEXT or index is None else index + 1
    return AmendmentPreview(amendment, True, number, rules.diff_words(old, new))


def amendment_previews(*, motion: Motion) -> list[AmendmentPreview]:
    """Every amendment of ``motion``; open ones carry their diff against the
    current text."""
    bodies = dict(versions(motion=motion).values_list("number", "body"))
    merged_into = dict(
        versions(motion=motion)
        .filter(amendment__isnull=False)
        .values_list("amendment_id", "number")
    )
    previews = []
    for amendment in amendments_of(motion=motion):
        if amendment.state in (AmendmentState.PROPOSED, AmendmentState.VOTING):
            base = bodies.get(amendment.base_version, "")
            previews.append(amendment_preview(motion=motion, amendment=amendment, base_text=base))
        else:
            number = amendment.paragraph + 1 if amendment.paragraph is not None else None
            previews.append(
                AmendmentPreview(amendment, False, number, [], merged_into.get(amendment.pk))
            )
    return previews
