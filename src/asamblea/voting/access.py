"""Who may do what with a poll: the voting app's one home for it.

Every rule starts from the node's visibility (``federation.access``): a poll at
a node the viewer cannot see does not exist for them (``NotFound``). Then, per
action (``to=``):

==========  ==============================================================
``read``    whoever sees the poll's node (the system too): its page, the
            results at the levels they see, the export
``vote``    a member who sees it (the frozen electorate is checked when the
            ballot is cast); never the system
``manage``  open, close or cancel by hand, and see the buttons for it: the
            node's managers (``federation.access.may_manage``)
``open``    ``manage``, and the system (the scheduler at the set time)
``close``   ``manage``, and the system
``cancel``  ``manage``, and the system
==========  ==============================================================

Creating a poll at a node (:func:`check_create`) is for the node's managers;
the system never creates one (the polls that follow from a closed poll are
part of closing it). Putting a motion to the vote is ``motions.access``'s
``to="vote"``; starting a recall is for the members of the mandate's
committee (:func:`check_recall`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation import access as federation_access
from asamblea.federation.access import MAX_ID, Viewer
from asamblea.federation.models import Mandate, Node
from asamblea.voting.models import Poll

PollAction = Literal["read", "vote", "manage", "open", "close", "cancel"]

_SYSTEM_MAY: frozenset[str] = frozenset({"read", "open", "close", "cancel"})


def may(viewer: Viewer, poll: Poll, *, to: PollAction) -> bool:
    """Whether ``viewer`` may ``to`` the poll (see the module's table)."""
    try:
        check_poll(viewer, poll, to=to)
    except (NotFound, Forbidden):
        return False
    return True


def check_poll(viewer: Viewer, poll: Poll, *, to: PollAction = "read") -> None:
    """Refuse ``viewer`` for ``poll``: ``NotFound`` if its node is invisible,
    ``Forbidden`` if visible but not this action."""
    if not federation_access.may_see(viewer, poll.node):
        raise NotFound()
    if to == "read":
        return
    if viewer.is_system:
        if to not in _SYSTEM_MAY:
            raise Forbidden()
        return
    if to == "vote":
        if viewer.member is None:
            raise Forbidden()
        return
    if to in ("manage", "open", "close", "cancel"):
        if not federation_access.may_manage(viewer, poll.node):
            raise Forbidden()
        return
    raise ValueError(f"unknown poll action {to!r}")


def access_poll(viewer: Viewer, poll_id: int, *, to: PollAction = "read") -> Poll:
    """The poll ``poll_id`` (with its node) if ``viewer`` may ``to`` it;
    ``NotFound`` when unknown or invisible, ``Forbidden`` when visible but not
    this action."""
    if not 0 < poll_id <= MAX_ID:
        raise NotFound()
    poll = Poll.objects.select_related("node").filter(pk=poll_id).first()
    if poll is None:
        raise NotFound()
    check_poll(viewer, poll, to=to)
    return poll


def access_poll_for_vote(viewer: Viewer, poll_id: int) -> Poll:
    """The poll a ballot is cast in, if ``viewer`` may vote in it.

    This is the rule that the vote's hand-written query
    (``voting.services`` ``_poll_for_vote``) restates in SQL for speed; a
    differential test holds the two together."""
    return access_poll(viewer, poll_id, to="vote")


def check_create(viewer: Viewer, node: Node) -> None:
    """Creating a poll at ``node``: its managers; never the system."""
    if viewer.is_system:
        raise Forbidden()
    federation_access.check_node(viewer, node)
    if not federation_access.may_manage(viewer, node):
        raise Forbidden()


def may_create(viewer: Viewer, node: Node) -> bool:
    try:
        check_create(viewer, node)
    except (NotFound, Forbidden):
        return False
    return True


def check_recall(viewer: Viewer, mandate: Mandate) -> None:
    """Starting a recall of ``mandate``: a member of its committee."""
    committee = mandate.committee
    if not federation_access.may_see(viewer, committee):
        raise NotFound()
    if viewer.is_system or not viewer.belongs_to(committee.pk):
        raise Forbidden(_("Only members of the committee can start a recall."))


def access_poll_for_tally(
    viewer: Viewer, poll_id: int, *, holds_seat: Callable[[Poll], bool]
) -> Poll:
    """The encrypted poll ``poll_id`` whose tally ``viewer`` may read: whoever
    sees the poll, and the trustees of the board serving it (``holds_seat``),
    who decrypt it even when its node is not visible to them. ``NotFound``
    otherwise, as for an unknown poll."""
    if not 0 < poll_id <= MAX_ID:
        raise NotFound()
    poll = Poll.objects.select_related("node").filter(pk=poll_id, encrypted=True).first()
    if poll is None:
        raise NotFound()
    if federation_access.may_see(viewer, poll.node) or holds_seat(poll):
        return poll
    raise NotFound()
