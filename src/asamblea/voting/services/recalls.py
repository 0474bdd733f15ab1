"""Starting the recall of a delegate's mandate."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.errors import Conflict, Forbidden, InvalidInput
from asamblea.federation.access import Actor, Viewer
from asamblea.federation.models import Mandate
from asamblea.voting import access
from asamblea.voting.models import Method, Purpose, QuestionCode, Recall, RecallState
from asamblea.voting.services.electorate import open_locked
from asamblea.voting.services.polls import create_draft
from asamblea.voting.spec import PollSpec

REASON_MAX = 4_000


def start_recall(*, actor: Actor, mandate: Mandate, reason: str) -> Recall:
    """Any member of the mandate's committee may start a recall: a yes/no/abstain
    poll at that committee, opened at once; the mandate ends if it carries.
    Never ``SYSTEM`` (``voting.access.check_recall``)."""
    committee = mandate.committee
    access.check_recall(Viewer.of(actor), mandate)
    if not isinstance(actor, Member):
        raise Forbidden()
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give a reason for the recall."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            _("The reason has at most %(n)d characters.") % {"n": REASON_MAX}, field="reason"
        )
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().select_related("delegate").get(pk=mandate.pk)
        if not mandate.is_active:
            raise Conflict(_("This mandate has already ended."))
        if Recall.objects.filter(mandate=mandate, state=RecallState.VOTING).exists():
            raise Conflict(_("A recall of this mandate is already being voted."))
        coded = (
            QuestionCode.RECALL,
            {"delegate": mandate.delegate.pseudonym, "committee": committee.name},
        )
        spec = PollSpec(
            question="",
            description=reason,
            purpose=Purpose.RECALL,
            method=Method.YES_NO_ABSTAIN,
            secret=True,
        )
        poll = create_draft(created_by=actor, actor=actor, node=committee, spec=spec, coded=coded)
        open_locked(actor, poll)
        recall = Recall.objects.create(mandate=mandate, started_by=actor, reason=reason, poll=poll)
        audit.record(
            actor=actor,
            action="recall.started",
            target=recall,
            data={"mandate": mandate.pk, "poll": poll.pk},
        )
    return recall
