"""The tally of an encrypted poll (spec §7, §12; ADR 0005).

1. ``start_tally``, in the close's transaction: a ``Tally`` row, pending,
   bound to the board whose ceremony made the election's key; once the close
   commits, ``sum_tally`` runs.
2. ``sum_tally``: claims the pending tally (``summing``), adds up the counted
   ballots per committee through the task runner (``encrypted.summing``),
   groups them by the rule of §12 and stores the group sums the trustees are
   asked to decrypt (``group_sums_request``); the tally is ``decrypting``.
   The scheduler runs ``sum_pending_tallies`` too, so a tally whose close
   committed while no job could run is summed on the next pass.
3. ``answer_tally``: a trustee of that board answers with its partial
   decryptions (``Trustee.decrypt_sums``). Each answer is checked with
   ``check_partial_decryptions``; a failing proof is recorded as refused
   (the trustee is named on the board page) and the others go on. With t
   accepted answers the tally is combined (``combine_answers``), checked
   (``check_tally``), stored as tally.json, and the poll's results are
   stored and applied as a plain poll's are at its close.

Nothing is decrypted before t trustees answered: the server holds no key
share, only the trustees' public partial decryptions.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asamblea.accounts.models import Member
from asamblea.core import audit
from asamblea.core.actors import SYSTEM
from asamblea.federation.access import Viewer
from asamblea.trustees.errors import NotTrustee
from asamblea.trustees.models import Trustee
from asamblea.voting.encrypted.models import (
    AnswerState,
    Election,
    Tally,
    TallyAnswer,
    TallyState,
)
from asamblea.voting.encrypted.results import results_of_tally
from asamblea.voting.encrypted.selectors import seat_for, tally_of
from asamblea.voting.encrypted.services import engine_election
from asamblea.voting.encrypted.summing import board_sums, decode_sums, encode_sums
from asamblea.voting.errors import AlreadyAnswered, InvalidAnswer, NotDecrypting
from asamblea.voting.models import DelegateCast, Poll, PollResult
from asamblea.voting.results import Tally as CountedResults
from asamblea.voting.results import store_counted
from asamblea.voting.services.recording import record_results
from secret_ballot.committees import CommitteeTree
from secret_ballot.errors import DecodingError, NotEnoughTrustees, VerificationError
from secret_ballot.hash import Digest
from secret_ballot.tally import (
    check_tally,
    combine_answers,
    group_sums_request,
    tally_to_json,
)
from secret_ballot.trustee import TrusteePartials, check_partial_decryptions

log = logging.getLogger("asamblea.tally")

DECRYPTION_HOURS = 72
"""How long the trustees are given to answer (shown; the tally waits longer)."""


# --- starting and summing ---------------------------------------------------------


def start_tally(poll: Poll) -> Tally:
    """Create the pending tally of encrypted ``poll`` and sum it once the
    close commits. Precondition: inside the close's transaction."""
    election = Election.objects.get(poll=poll)
    tally = Tally.objects.create(
        election=election,
        ceremony_id=election.parameters["ceremony_id"],
        threshold=election.parameters["threshold"],
        progress={"ballots": election.next_index - 1, "summed": 0},
    )
    tally_id = tally.pk
    transaction.on_commit(lambda: _sum_quietly(tally_id))
    return tally


def _sum_quietly(tally_id: int) -> None:
    # After the close committed: a failure here must not undo the close, and
    # leaves the tally pending or failed for the scheduler and the board page.
    try:
        sum_tally(tally_id=tally_id)
    except Exception:
        log.exception("summing tally %s failed", tally_id)


def sum_tally(*, tally_id: int, jobs: int | None = None) -> Tally | None:
    """Sum pending tally ``tally_id`` and ask the trustees to decrypt.

    Returns the tally, or ``None`` when another process claimed it first.
    Runs outside any transaction: claiming, summing and storing are separate
    steps, so the sums job holds no lock while it works."""
    with transaction.atomic():
        tally = (
            Tally.objects.select_for_update().filter(pk=tally_id, state=TallyState.PENDING).first()
        )
        if tally is None:
            return None
        tally.state = TallyState.SUMMING
        tally.save(update_fields=["state"])
    election = Election.objects.select_related("poll").get(pk=tally.election_id)
    engine = engine_election(election)
    tree = CommitteeTree.from_json(election.committees)
    option_count = sum(len(c.options) for c in engine.manifest.contests)
    try:
        found = board_sums(election, tree, option_count, jobs=jobs)
        request = group_sums_request(engine, tree, found.committee_sums, found.counted)
    except (DecodingError, ValueError) as exc:
        with transaction.atomic():
            Tally.objects.filter(pk=tally.pk).update(
                state=TallyState.FAILED, failure=str(exc)[:200]
            )
            audit.record(
                actor=SYSTEM,
                action="tally.failed",
                target=election.poll,
                data={"reason": str(exc)[:200]},
            )
        raise
    now = timezone.now()
    with transaction.atomic():
        tally = Tally.objects.select_for_update().get(pk=tally.pk)
        tally.committee_sums = encode_sums(found.committee_sums)
        tally.counted = {str(p): n for p, n in found.counted.items()}
        tally.ballots_cast = found.ballots_cast
        tally.final_tracker = election.head
        tally.request = request
        tally.state = TallyState.DECRYPTING
        tally.summed_at = now
        tally.deadline = now + timedelta(hours=DECRYPTION_HOURS)
        counted = sum(found.counted.values())
        tally.progress = {
            "ballots": found.ballots_cast,
            "summed": found.ballots_cast,
            "counted": counted,
            "groups": len(request["groups"]),
            "committees": len(found.counted),
            "answered": 0,
        }
        tally.save()
        audit.record(
            actor=SYSTEM,
            action="tally.summed",
            target=election.poll,
            data={
                "ballots_cast": found.ballots_cast,
                "ballots_counted": counted,
                "groups": len(request["groups"]),
            },
        )
    return tally


def sum_pending_tallies(*, jobs: int | None = None) -> int:
    """Sum every pending tally (the scheduler's pass). Returns how many."""
    done = 0
    for tally_id in Tally.objects.filter(state=TallyState.PENDING).values_list("pk", flat=True):
        if sum_tally(tally_id=tally_id, jobs=jobs) is not None:
            done += 1
    return done


# --- the trustees' answers ---------------------------------------------------------


def _partials(engine: Any, tally: Tally, answer: TallyAnswer) -> TrusteePartials:
    # Stored answers are checked again: a row changed in the database since
    # it was accepted is not combined.
    return check_partial_decryptions(engine, tally.request, answer.answer, sender=answer.trustee)


def answer_tally(*, member: Member, poll_id: int, answer: Any) -> TallyAnswer:
    """Accept trustee ``member``'s answer to the tally of ``poll_id``.

    Refused, writing nothing: not a trustee of the serving board
    (``NotTrustee``), not decrypting (``NotDecrypting``), answered already
    (``AlreadyAnswered``), an answer for another trustee or one that does not
    decode (``InvalidAnswer``). An answer whose proof fails is recorded as
    refused (and audited) before ``InvalidAnswer`` is raised, so the board
    page names the trustee. With t accepted answers the tally is finished in
    the same transaction."""
    viewer = Viewer.of(member)
    poll, tally = tally_of(viewer=viewer, poll_id=poll_id)
    if tally is None:
        raise NotDecrypting()
    seat = seat_for(member, tally)
    if seat is None:
        raise NotTrustee()
    refused: InvalidAnswer | None = None
    with transaction.atomic():
        tally = Tally.objects.select_for_update().get(pk=tally.pk)
        if tally.state != TallyState.DECRYPTING:
            raise NotDecrypting()
        row = TallyAnswer.objects.filter(tally=tally, trustee=seat.index).first()
        if row is not None and row.state == AnswerState.ACCEPTED:
            raise AlreadyAnswered()
        if not isinstance(answer, dict) or answer.get("trustee") != seat.index:
            raise InvalidAnswer(
                _("This answer is not trustee %(index)s's, the seat you hold. Nothing was saved.")
                % {"index": seat.index},
                field="answer.trustee",
            )
        engine = engine_election(tally.election)
        try:
            check_partial_decryptions(engine, tally.request, answer, sender=seat.index)
        except DecodingError as exc:
            raise InvalidAnswer(
                _("The answer is not well formed at %(field)s: %(problem)s. Nothing was saved.")
                % {"field": exc.field or "answer", "problem": exc.message},
                field="answer",
            ) from None
        except VerificationError as exc:
            reason = f"{exc.field}: {exc.message}" if exc.field else exc.message
            refused = InvalidAnswer(
                _(
                    "A partial decryption of trustee %(index)s fails its proof (%(reason)s):"
                    " the answer is refused, and recorded as refused."
                )
                % {"index": seat.index, "reason": reason},
                field="answer",
            )
            row = _save_answer(tally, seat, member, row, AnswerState.REFUSED, reason[:300], None)
            audit.record(
                actor=member,
                action="tally.answer_refused",
                target=poll,
                data={"trustee": seat.index, "reason": reason[:300]},
            )
        if refused is None:
            row = _save_answer(tally, seat, member, row, AnswerState.ACCEPTED, "", answer)
            audit.record(
                actor=member,
                action="tally.answer_accepted",
                target=poll,
                data={"trustee": seat.index},
            )
            accepted = list(
                TallyAnswer.objects.filter(tally=tally, state=AnswerState.ACCEPTED).order_by(
                    "trustee"
                )
            )
            tally.progress = {**tally.progress, "answered": len(accepted)}
            tally.save(update_fields=["progress"])
            if len(accepted) >= tally.threshold:
                _finish(tally, poll, accepted[: tally.threshold], actor=member)
    if refused is not None or row is None:
        raise refused or NotDecrypting()
    return row


def _save_answer(
    tally: Tally,
    seat: Trustee,
    member: Member,
    row: TallyAnswer | None,
    state: str,
    reason: str,
    answer: Any,
) -> TallyAnswer:
    if row is None:
        row = TallyAnswer(tally=tally, trustee=seat.index)
    row.member = member
    row.state = state
    row.reason = reason
    row.answer = answer
    row.received_at = timezone.now()
    row.save()
    return row


def _finish(tally: Tally, poll: Poll, answers: list[TallyAnswer], *, actor: Any) -> None:
    """Combine t accepted answers, check the tally against the sums, store it
    and the poll's results. Precondition: the tally row is locked."""
    election = tally.election
    engine = engine_election(election)
    tree = CommitteeTree.from_json(election.committees)
    sums = decode_sums(tally.committee_sums or {})
    counted = {int(p): n for p, n in (tally.counted or {}).items()}
    try:
        combined = combine_answers(
            engine,
            tree,
            sums,
            counted,
            [_partials(engine, tally, a) for a in answers],
            ballots_cast=tally.ballots_cast,
            final_tracker=Digest(bytes.fromhex(tally.final_tracker)),
        )
    except (NotEnoughTrustees, DecodingError, VerificationError, ValueError) as exc:
        _fail(tally, poll, f"combining the answers failed: {exc}")
        return
    errors = check_tally(engine, tree, combined, sums, counted)
    if errors:
        _fail(tally, poll, f"the combined tally does not check: {errors[0]}")
        return
    result = tally_to_json(combined)
    tally.result = result
    tally.state = TallyState.DONE
    tally.done_at = timezone.now()
    tally.save(update_fields=["result", "state", "done_at"])
    results = results_of_tally(poll, result)
    PollResult.objects.filter(poll=poll).delete()
    DelegateCast.objects.filter(poll=poll).delete()
    store_counted(CountedResults(results=results, casts=[]), poll)
    audit.record(
        actor=actor,
        action="tally.decrypted",
        target=poll,
        data={"trustees": list(combined.trustees), "groups": len(combined.groups)},
    )
    record_results(actor, poll, results, extra={"encrypted": True})


def _fail(tally: Tally, poll: Poll, reason: str) -> None:
    tally.state = TallyState.FAILED
    tally.failure = reason[:200]
    tally.save(update_fields=["state", "failure"])
    audit.record(actor=SYSTEM, action="tally.failed", target=poll, data={"reason": reason[:200]})
