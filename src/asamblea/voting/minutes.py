"""The minutes ("acta") of a closed poll: every fact a printed record of the
decision needs, gathered once for the page and the PDF, so that both say the
same thing.

The minutes name the audit log entry written when the poll closed (the
result recorded, its sequence number and hash): anyone holding a later head
can check with ``manage.py verify_audit --expect SEQ:HASH`` that it is still
in the log unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Conflict
from asamblea.core.models import AuditEntry
from asamblea.federation.access import Viewer
from asamblea.voting import plain, rollup, selectors
from asamblea.voting.models import Poll, PollState


@dataclass(frozen=True)
class Minutes:
    poll: Poll
    subject: selectors.Subject
    rule: str
    aggregation_note: str
    electorate: str
    opened_at: datetime | None
    closed_at: datetime | None
    tree: rollup.Rollup
    close_entry: AuditEntry | None

    @property
    def headline(self) -> str:
        return self.tree.roots[0].headline if self.tree.roots else ""

    @property
    def close_token(self) -> str:
        """``SEQ:HASH`` of the entry the close wrote, as ``verify_audit`` takes it."""
        entry = self.close_entry
        return f"{entry.seq}:{entry.entry_hash}" if entry is not None else ""


def minutes_for(*, member: Member | Viewer, poll: Poll) -> Minutes:
    """The minutes of ``poll`` as ``member`` may read them (the levels they
    see). ``Conflict`` before the close. Precondition: ``poll`` came from
    ``selectors.get_poll_for`` for this member."""
    if poll.state != PollState.CLOSED:
        raise Conflict(_("Minutes are written once the poll has closed."))
    labels = {o.position: o.display_label for o in poll.options.all()}
    results = selectors.results_tree(member=member, poll=poll)
    electorate = selectors.electorate_of(poll=poll)
    return Minutes(
        poll=poll,
        subject=selectors.subject_of(member=member, poll=poll),
        rule=plain.rule_sentence(poll, entitled=electorate.entitled),
        aggregation_note=plain.aggregation_sentence(poll),
        electorate=plain.electorate_sentence(
            poll, entitled=electorate.entitled, committees=electorate.committees
        ),
        opened_at=poll.opened_at,
        closed_at=poll.closed_at,
        tree=rollup.build(poll, results, labels),
        close_entry=audit.last_entry_for(action="result.recorded", target=poll),
    )
