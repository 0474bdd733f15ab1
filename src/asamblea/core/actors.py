"""Who acts: a member, or the system itself.

``SYSTEM`` stands for the server acting on its own account: the scheduler
opening and closing polls at their times, a closed poll applying its outcome,
management commands building the tree. It only labels audit entries
(``actor_label`` "system", no actor id); it never switches a check off. Each
service says which actors it accepts, and refuses ``SYSTEM`` like anyone else
where the system has no business (creating a poll, seconding a motion).
"""

from __future__ import annotations

from typing import Final, final


@final
class SystemActor:
    """The type of :data:`SYSTEM`; there is one instance."""

    __slots__ = ()
    pk: Final = None
    pseudonym: Final = "system"
    is_staff: Final = False

    def __repr__(self) -> str:
        return "SYSTEM"

    def __reduce__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

SYSTEM_LABEL: Final = "system"
