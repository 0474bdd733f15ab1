"""Who may do what with a call to action: the pledges' one home for it.

=============  ==========================================================
action         who
=============  ==========================================================
read           whoever sees the call's node (``federation.access``)
manage         the node's managers: a committee's secretaries, operators
               (issue, open pledging, withdraw the call)
pledge         a member frozen in the call's electorate (checked by the
               service against ``Elector``; operators are not members)
report         the managers of a committee in an activated scope
=============  ==========================================================

Each function returns the call or raises ``NotFound`` (unknown and invisible
look the same) or ``Forbidden``.
"""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext_lazy as _

from asamblea.core.errors import Forbidden, NotFound
from asamblea.federation.access import MAX_ID, Viewer, may_manage, may_see
from asamblea.federation.models import Node
from asamblea.pledges.models import Call

CallAction = Literal["read", "manage"]

ISSUERS_ONLY = _("Only the node's secretaries and operators may issue and manage its calls.")


def may_issue(viewer: Viewer, node: Node) -> bool:
    """A node's secretaries (committees) and operators issue calls."""
    return may_see(viewer, node) and may_manage(viewer, node)


def check_issue(viewer: Viewer, node: Node) -> None:
    if not may_see(viewer, node):
        raise NotFound()
    if not may_manage(viewer, node):
        raise Forbidden(ISSUERS_ONLY)


def may(viewer: Viewer, call: Call, *, to: CallAction = "read") -> bool:
    try:
        check_call(viewer, call, to=to)
    except (NotFound, Forbidden):
        return False
    return True


def check_call(viewer: Viewer, call: Call, *, to: CallAction = "read") -> None:
    if not may_see(viewer, call.node):
        raise NotFound()
    if to == "manage" and not may_manage(viewer, call.node):
        raise Forbidden(ISSUERS_ONLY)


def access_call(viewer: Viewer, call_id: int, *, to: CallAction = "read") -> Call:
    """The call ``call_id`` if ``viewer`` may ``to`` it."""
    if not 0 < call_id <= MAX_ID:
        raise NotFound()
    call = Call.objects.select_related("node", "motion").filter(pk=call_id).first()
    if call is None:
        raise NotFound()
    check_call(viewer, call, to=to)
    return call


def check_report(viewer: Viewer, call: Call, committee: Node) -> None:
    """Turnout is reported by the committee's own managers."""
    check_call(viewer, call)
    if not may_see(viewer, committee):
        raise NotFound()
    if not may_manage(viewer, committee):
        raise Forbidden(_("Only the committee's secretaries and operators report its turnout."))
