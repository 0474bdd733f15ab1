"""The check every poll service makes first, and the poll row read under its
lock.

Who may do what with a poll is decided in ``voting.access`` (creating one at a
node: ``check_create``; opening, closing, cancelling: ``check_poll``); a
service names its actor, a member or ``core.actors.SYSTEM``, and the system is
checked like anyone else.
"""

from __future__ import annotations

from asamblea.federation.access import Actor, Viewer
from asamblea.voting import access
from asamblea.voting.models import Poll


def check_poll(actor: Actor, poll: Poll, to: access.PollAction) -> None:
    """Refuse ``actor`` unless ``voting.access`` lets them ``to`` the poll."""
    access.check_poll(Viewer.of(actor), poll, to=to)


def locked_poll(poll: Poll) -> Poll:
    """The poll read again under an exclusive lock of its row only (not of its
    node: a vote's foreign key checks take a share lock on the node)."""
    return Poll.objects.select_for_update(of=("self",)).select_related("node").get(pk=poll.pk)
