"""Polls and results in plain words: the rule in one sentence, the time left,
and a headline per result.

Every sentence is built here from the poll's fields and a result's stored
numbers, through gettext with parameters (ngettext where a number decides
the form), so that templates and the minutes' PDF show the same words and
none of this logic sits in a template. Reads nothing from the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from asamblea.voting.models import Aggregation, MajorityBase, Method, Outcome, Poll, PollResult

# Fractions said in words; others are written as "3/5".
_FRACTION_WORDS = {
    (1, 2): gettext_lazy("half"),
    (1, 3): gettext_lazy("a third"),
    (2, 3): gettext_lazy("two thirds"),
    (1, 4): gettext_lazy("a quarter"),
    (3, 4): gettext_lazy("three quarters"),
    (1, 1): gettext_lazy("all"),
}


def fraction_words(num: int, den: int) -> str:
    """``1/2`` as "half", ``2/3`` as "two thirds", else "3/5"."""
    word = _FRACTION_WORDS.get((num, den))
    return str(word) if word is not None else f"{num}/{den}"


def share_words(num: int, den: int) -> str:
    """A quorum share: "30%" when it is a whole percentage, else "1/3"."""
    if (100 * num) % den == 0:
        return f"{100 * num // den}%"
    return f"{num}/{den}"


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percentage (0 for an empty whole)."""
    return round(100 * part / whole) if whole else 0


# --- the rule ----------------------------------------------------------------


def _majority_clause(poll: Poll, entitled: int | None) -> str:
    fraction = fraction_words(poll.majority_num, poll.majority_den)
    values: dict[str, Any] = {"fraction": fraction}
    if poll.majority_base == MajorityBase.ENTITLED:
        if entitled is None:
            if poll.majority_strict:
                return _("Carried if more than %(fraction)s of the members who may vote say yes")
            return _("Carried if at least %(fraction)s of the members who may vote say yes")
        values["count"] = entitled
        if poll.majority_strict:
            return (
                ngettext(
                    "Carried if more than %(fraction)s of the "
                    "%(count)d member who may vote says yes",
                    "Carried if more than %(fraction)s of the "
                    "%(count)d members who may vote say yes",
                    entitled,
                )
                % values
            )
        return (
            ngettext(
                "Carried if at least %(fraction)s of the %(count)d member who may vote says yes",
                "Carried if at least %(fraction)s of the %(count)d members who may vote say yes",
                entitled,
            )
            % values
        )
    if poll.majority_base == MajorityBase.CAST:
        if poll.majority_strict:
            return (
                _(
                    "Carried if more than %(fraction)s of the "
                    "votes cast (abstentions included) say yes"
                )
                % values
            )
        return (
            _("Carried if at least %(fraction)s of the votes cast (abstentions included) say yes")
            % values
        )
    if poll.majority_strict:
        return _("Carried if more than %(fraction)s of the valid votes say yes") % values
    return _("Carried if at least %(fraction)s of the valid votes say yes") % values


def _quorum_clause(poll: Poll, entitled: int | None) -> str:
    share = share_words(poll.quorum_num, poll.quorum_den)
    if entitled is None:
        return _("with at least %(share)s of the members who may vote taking part") % {
            "share": share
        }
    return ngettext(
        "with at least %(share)s of the %(count)d member who may vote taking part",
        "with at least %(share)s of the %(count)d members who may vote taking part",
        entitled,
    ) % {"share": share, "count": entitled}


def _method_sentence(poll: Poll) -> str:
    method = poll.method
    if method == Method.CONSENT:
        return _("Carried unless someone blocks it")
    if method == Method.SINGLE:
        return _("Each voter chooses one option; the option chosen most wins")
    if method == Method.APPROVAL:
        return ngettext(
            "Each voter may choose up to %(k)d option; the option chosen most wins",
            "Each voter may choose up to %(k)d options; the option chosen most wins",
            poll.max_choices,
        ) % {"k": poll.max_choices}
    if method == Method.BLOCK_APPROVAL:
        return ngettext(
            "Each voter may choose up to %(k)d option; the %(seats)d chosen most win",
            "Each voter may choose up to %(k)d options; the %(seats)d chosen most win",
            poll.max_choices,
        ) % {"k": poll.max_choices, "seats": poll.seats}
    if method == Method.SCORE:
        return _("Each voter scores every option from 0 to %(max)d; the highest total wins") % {
            "max": poll.max_score
        }
    if method == Method.MAJORITY_JUDGMENT:
        return _("Each voter grades every option; the best median grade wins")
    if poll.seats > 1:
        return ngettext(
            "Each voter ranks the options; %(seats)d seat is filled by %(method)s",
            "Each voter ranks the options; %(seats)d seats are filled by %(method)s",
            poll.seats,
        ) % {"seats": poll.seats, "method": poll.get_method_display()}
    return _("Each voter ranks the options; the winner is found by %(method)s") % {
        "method": poll.get_method_display()
    }


def rule_sentence(poll: Poll, *, entitled: int | None = None) -> str:
    """The poll's decision rule in one sentence, e.g. "Carried if more than
    half of the valid votes say yes, with at least 30% of the 360 members who
    may vote taking part." ``entitled`` is the frozen electorate's size (None
    before the poll opens)."""
    if poll.method == Method.YES_NO_ABSTAIN:
        main = _majority_clause(poll, entitled)
    else:
        main = _method_sentence(poll)
    if poll.quorum_num:
        return _("%(rule)s, %(quorum)s.") % {"rule": main, "quorum": _quorum_clause(poll, entitled)}
    return _("%(rule)s.") % {"rule": main}


def aggregation_sentence(poll: Poll) -> str:
    """How committees add up, or "" for a pooled poll (every ballot counts once)."""
    if poll.aggregation == Aggregation.POOLED:
        return ""
    if poll.aggregation == Aggregation.BY_COMMITTEE_EQUAL:
        return _("Each committee's own result counts as one vote above it.")
    if poll.aggregation == Aggregation.DELEGATES:
        return _(
            "Each committee's delegate casts the committee's votes above it, as its own"
            " result decided."
        )
    return _("Each committee's own result casts all its members' votes above it.")


def electorate_sentence(poll: Poll, *, entitled: int | None, committees: int | None) -> str:
    """Who may vote: the frozen electorate once open, the rule before."""
    if entitled is None or committees is None:
        return _("The members of every committee at or beneath %(node)s when the poll opens.") % {
            "node": poll.node.name
        }
    members = ngettext("%(count)d member", "%(count)d members", entitled) % {"count": entitled}
    groups = ngettext("%(count)d committee", "%(count)d committees", committees) % {
        "count": committees
    }
    return _("%(members)s of %(committees)s at or beneath %(node)s.") % {
        "members": members,
        "committees": groups,
        "node": poll.node.name,
    }


# --- time left -----------------------------------------------------------------


def _span(seconds: int) -> str:
    minutes = max(1, seconds // 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def countdown(poll: Poll, *, now: datetime | None = None) -> str:
    """ "closes in 3 hours", "opens in 2 days", "voting has ended", or "" when
    the poll has no time to count towards."""
    now = now or timezone.now()
    if poll.state == "open" and poll.closes_at is not None:
        left = int((poll.closes_at - now).total_seconds())
        if left <= 0:
            return _("voting has ended")
        return _("closes in %(span)s") % {"span": _span(left)}
    if poll.state == "draft" and poll.opens_at is not None:
        left = int((poll.opens_at - now).total_seconds())
        if left > 0:
            return _("opens in %(span)s") % {"span": _span(left)}
    return ""


# --- results ----------------------------------------------------------------


def _names(labels: Sequence[str]) -> str:
    return ", ".join(labels)


def lot_sentence(detail: Mapping[str, Any], seed: str) -> str:
    """ "" unless a draw by lot decided something at this level; then what it
    decided and the seed, so that anyone can repeat it."""
    explanation = detail.get("explanation")
    lots = explanation.get("lots") if isinstance(explanation, Mapping) else None
    if not lots:
        return ""
    among = sorted({name for lot in lots for name in lot.get("candidates", ())})
    return _(
        "A draw by lot broke a tie between %(names)s (seed %(seed)s, repeatable by anyone)."
    ) % {"names": _names(among), "seed": seed}


def _base_phrase(detail: Mapping[str, Any], blocks: bool) -> str:
    n = int(detail.get("base_votes", 0))
    if blocks:
        return ngettext("%(n)d committee vote", "%(n)d committee votes", n) % {"n": n}
    base = detail.get("base")
    if base == MajorityBase.ENTITLED:
        return ngettext("%(n)d member who may vote", "%(n)d members who may vote", n) % {"n": n}
    if base == MajorityBase.CAST:
        return ngettext("%(n)d vote cast", "%(n)d votes cast", n) % {"n": n}
    return ngettext("%(n)d valid vote", "%(n)d valid votes", n) % {"n": n}


def _policy_headline(result: PollResult, turnout: int) -> str:
    detail = result.detail
    num, den = (int(x) for x in str(detail.get("majority", "1/2")).split("/"))
    values = {
        "yes": detail.get("yes", 0),
        "base": _base_phrase(detail, bool(detail.get("blocks"))),
        "fraction": fraction_words(num, den),
        "turnout": turnout,
    }
    strict = bool(detail.get("strict", True))
    if result.outcome == Outcome.CARRIED:
        if strict:
            return (
                _(
                    "Carried: %(yes)s of %(base)s said yes, more than the %(fraction)s required;"
                    " %(turnout)s%% took part."
                )
                % values
            )
        return (
            _(
                "Carried: %(yes)s of %(base)s said yes, at least the %(fraction)s required;"
                " %(turnout)s%% took part."
            )
            % values
        )
    if strict:
        return (
            _(
                "Rejected: %(yes)s of %(base)s said yes, not more than the %(fraction)s required;"
                " %(turnout)s%% took part."
            )
            % values
        )
    return (
        _(
            "Rejected: %(yes)s of %(base)s said yes, less than the %(fraction)s required;"
            " %(turnout)s%% took part."
        )
        % values
    )


def headline(poll: Poll, result: PollResult, labels: Mapping[int, str]) -> str:
    """One sentence that says what was decided at this level and how.

    A level where nobody voted says so, whatever the arithmetic (with no
    quorum set an empty count is formally "rejected", which would mislead).
    Precondition: ``result.detail`` is expanded (``results.expand_details``).
    """
    turnout = percent(result.voted, result.entitled)
    detail = result.detail
    if result.voted == 0 and not detail.get("blocks"):
        return ngettext(
            "Did not vote: none of its %(count)d member voted.",
            "Did not vote: none of its %(count)d members voted.",
            result.entitled,
        ) % {"count": result.entitled}
    if detail.get("blocks") and int(detail.get("participants", 0)) == 0:
        return _("Did not vote: no committee beneath it decided anything.")
    if result.outcome == Outcome.NO_QUORUM:
        return ngettext(
            "No quorum: %(voted)d of %(count)d member voted (%(turnout)d%%),"
            " at least %(share)s had to.",
            "No quorum: %(voted)d of %(count)d members voted (%(turnout)d%%),"
            " at least %(share)s had to.",
            result.entitled,
        ) % {
            "voted": result.voted,
            "count": result.entitled,
            "turnout": turnout,
            "share": share_words(poll.quorum_num, poll.quorum_den),
        }
    if "base" in detail:
        text = _policy_headline(result, turnout)
    elif result.outcome == Outcome.TIE:
        text = _("No decision: there was no valid vote to count.")
    elif poll.method == Method.CONSENT:
        if result.outcome == Outcome.CARRIED:
            text = _("Carried by consent: nobody blocked; %(turnout)d%% took part.") % {
                "turnout": turnout
            }
        else:
            text = _(
                "Not carried: it was blocked or nobody consented; %(turnout)d%% took part."
            ) % {"turnout": turnout}
    else:
        winners = [labels.get(int(p), str(p)) for p in detail.get("winners", [])]
        text = ngettext(
            "Won by %(names)s; %(turnout)d%% took part.",
            "Elected, in order: %(names)s; %(turnout)d%% took part.",
            len(winners),
        ) % {"names": _names(winners), "turnout": turnout}
    lot = lot_sentence(detail, poll.seed)
    return f"{text} {lot}" if lot else text


def did_not_vote(result: PollResult) -> bool:
    """Nobody at this level voted (or, above committees that cast blocks, no
    committee decided anything)."""
    if result.detail.get("blocks"):
        return int(result.detail.get("participants", 0)) == 0
    return result.voted == 0
