"""Turn a stored explanation (``Result.to_dict()``, machine codes) into tables
with translated labels for the results page.

Every table is the same shape, so one template renders them all: a title, a
header row and body rows whose first cell names the row. Candidate names are
the option labels already; only the library's codes (actions, purposes,
grades, statuses) are translated here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from asamblea.voting import rules

Cell = str | int | Promise

GRADE_LABELS: dict[str, Promise] = {
    "reject": _("Reject"),
    "poor": _("Poor"),
    "fair": _("Fair"),
    "good": _("Good"),
    "very_good": _("Very good"),
    "excellent": _("Excellent"),
}
CONSENT_LABELS: dict[str, Promise] = {
    "consent": _("Consent"),
    "stand_aside": _("Stand aside"),
    "block": _("Block"),
}
OUTCOME_LABELS: dict[str, Promise] = {
    "carried": _("Carried"),
    "blocked": _("Blocked"),
    "rejected": _("Rejected: nobody consented"),
}
PURPOSE_LABELS: dict[str, Promise] = {
    "elect": _("to elect"),
    "exclude": _("to exclude"),
    "surplus": _("to order surpluses"),
    "tie_breaking_ranking": _("to rank candidates for breaking ties"),
}
TIE_BREAK_LABELS: dict[str, Promise] = {
    "earlier_round": _("tie broken by an earlier round"),
    "earlier_stage": _("tie broken by an earlier stage"),
    "lot": _("tie broken by lot"),
}
PAIR_STATUS: dict[str, Promise] = {"locked": _("Locked"), "skipped": _("Skipped (cycle)")}
DASH = "–"


@dataclass(frozen=True)
class Table:
    title: Cell
    head: list[Cell]
    rows: list[list[Cell]] = field(default_factory=list)
    note: Cell = ""


def grade_label(code: str) -> Cell:
    return GRADE_LABELS.get(code, code)


def _tie_break(value: Any) -> str:
    return f" ({TIE_BREAK_LABELS.get(value, value)})" if value else ""


def _irv(data: Mapping[str, Any]) -> list[Table]:
    rounds = data["rounds"]
    names = list(rounds[0]["tallies"]) if rounds else []
    head: list[Cell] = [_("Option")]
    head += [_("Round %(n)d") % {"n": r["number"]} for r in rounds]
    rows: list[list[Cell]] = [[n, *[r["tallies"].get(n, DASH) for r in rounds]] for n in names]
    rows.append([_("Exhausted ballots"), *[r["exhausted"] for r in rounds]])
    rows.append([_("Transfers"), *[_transfers(r["transfers"], r["exhausted_now"]) for r in rounds]])
    rows.append(
        [
            _("Result of the round"),
            *[
                f"{_action(r['action'])}: {r['candidate']}{_tie_break(r['tie_break'])}"
                for r in rounds
            ],
        ]
    )
    return [Table(_("Round by round"), head, rows)]


def _transfers(moved: Mapping[str, Any], exhausted: Any) -> str:
    parts = [f"{name} +{votes}" for name, votes in moved.items()]
    if exhausted and exhausted not in ("0", "0.00000", 0):
        label = _("exhausted")
        parts.append(f"{label} +{exhausted}")
    return ", ".join(parts) or DASH


ACTION_LABELS: dict[str, Promise] = {
    "elected": _("Elected"),
    "excluded": _("Excluded"),
    "exclusion": _("Exclusion of"),
    "surplus": _("Surplus of"),
    "first_preferences": _("First preferences"),
    "last_vacancies": _("Last vacancies filled"),
}


def _action(code: str) -> Cell:
    return ACTION_LABELS.get(code, code)


def _stv(data: Mapping[str, Any]) -> list[Table]:
    stages = data["stages"]
    names = list(stages[0]["tallies"]) if stages else []
    head: list[Cell] = [_("Option")]
    head += [_("Stage %(n)d") % {"n": s["number"]} for s in stages]
    rows: list[list[Cell]] = [[n, *[s["tallies"].get(n, DASH) for s in stages]] for n in names]
    actions: list[Cell] = [_("Action")]
    for s in stages:
        who = s.get("candidate") or ", ".join(s.get("candidates", ()))
        actions.append(f"{_action(s['action'])} {who}".strip() + _tie_break(s["tie_break"]))
    rows.append(actions)
    if data["method"] == "scottish-stv":
        rows.append(
            [_("Transfers"), *[_transfers(s["transfers"], s["exhausted_now"]) for s in stages]]
        )
        rows.append([_("Non-transferable"), *[s["exhausted"] for s in stages]])
        rows.append([_("Lost to rounding"), *[s["loss"] for s in stages]])
        rows.append([_("Elected"), *[", ".join(s["elected"]) or DASH for s in stages]])
        note: Cell = _("Quota %(quota)s; valid votes %(valid)s; seats %(seats)s.") % {
            "quota": data["quota"],
            "valid": data["valid_votes"],
            "seats": data["seats"],
        }
    else:
        rows.append([_("Quota"), *[s["quota"] for s in stages]])
        rows.append([_("Non-transferable"), *[s["excess"] for s in stages]])
        rows.extend(keep_rows(stages, names))
        note = _("Valid votes %(valid)s; seats %(seats)s.") % {
            "valid": data["valid_votes"],
            "seats": data["seats"],
        }
    return [Table(_("Stage by stage"), head, rows, note)]


def keep_rows(stages: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[list[Cell]]:
    """Meek keep values: one row per candidate."""
    label = _("Keep value")
    return [[f"{label}: {n}", *[s["keep_values"].get(n, DASH) for s in stages]] for n in names]


def _matrix(title: Cell, matrix: Mapping[str, Mapping[str, Any]], note: Cell = "") -> Table:
    names = list(matrix)
    rows: list[list[Cell]] = [
        [a, *[DASH if a == b else matrix[a].get(b, 0) for b in names]] for a in names
    ]
    return Table(title, ["", *names], rows, note)


def _pairwise(data: Mapping[str, Any]) -> list[Table]:
    tables = [
        _matrix(
            _("Pairwise comparison"),
            data["matrix"],
            _("Each cell: ballots that rank the row's option above the column's."),
        )
    ]
    if "strongest_paths" in data:
        tables.append(
            _matrix(
                _("Strongest paths"),
                data["strongest_paths"],
                _("The winner's path to every other option is at least as strong as the way back."),
            )
        )
    if "pairs" in data:
        tables.append(
            Table(
                _("Pairs by margin"),
                [_("Preferred option"), _("Other option"), _("Margin"), _("Status")],
                [
                    [p["winner"], p["loser"], p["margin"], PAIR_STATUS.get(p["status"], "")]
                    for p in data["pairs"]
                ],
            )
        )
    if "scores" in data and isinstance(data["scores"], Mapping):
        tables.append(
            Table(
                _("Copeland score"),
                [_("Option"), _("Wins"), _("Losses"), _("Ties"), _("Score")],
                [
                    [n, s["wins"], s["losses"], s["ties"], s["score"]]
                    for n, s in data["scores"].items()
                ],
            )
        )
    return tables


def _totals(title: Cell, column: Cell, values: Mapping[str, Any]) -> list[Table]:
    return [Table(title, [_("Option"), column], [[n, v] for n, v in values.items()])]


def _majority_judgment(data: Mapping[str, Any]) -> list[Table]:
    grades = list(data["grades"])
    head: list[Cell] = [_("Option"), _("Majority grade"), _("Above it"), _("Below it")]
    head += [grade_label(g) for g in reversed(grades)]
    rows: list[list[Cell]] = []
    for name in data["ranking"]:
        gauge = data["gauges"][name]
        counts = list(data["grade_counts"][name])
        rows.append(
            [
                name,
                grade_label(gauge["median_name"]),
                gauge["above"],
                gauge["below"],
                *reversed(counts),
            ]
        )
    note = _("Best first. The majority grade is the median grade; ties look further.")
    return [Table(_("Grades"), head, rows, note)]


def _consent(data: Mapping[str, Any]) -> list[Table]:
    rows: list[list[Cell]] = [
        [CONSENT_LABELS.get(code, code), n] for code, n in data["responses"].items()
    ]
    rows.append([_("Outcome"), OUTCOME_LABELS.get(data["outcome"], data["outcome"])])
    return [Table(_("Responses"), [_("Response"), _("Votes")], rows)]


def explanation_tables(detail: Mapping[str, Any]) -> list[Table]:
    """Tables for a stored result's ``detail`` (empty when it has no explanation)."""
    data = detail.get("explanation")
    if not isinstance(data, Mapping):
        return []
    method = data.get("method", "")
    tables: list[Table]
    if method == "irv":
        tables = _irv(data)
    elif method in ("scottish-stv", "meek-stv"):
        tables = _stv(data)
    elif method in ("copeland", "schulze", "ranked-pairs"):
        tables = _pairwise(data)
    elif method == "borda":
        tables = _totals(_("Borda points"), _("Points"), data["scores"])
    elif method == "score":
        tables = _totals(_("Total scores"), _("Total"), data["totals"])
    elif method in ("approval", "block-approval"):
        tables = _totals(_("Approvals"), _("Approvals"), data["approvals"])
    elif method == "majority-judgment":
        tables = _majority_judgment(data)
    elif method == "consent":
        tables = _consent(data)
    else:
        tables = []
    lots = data.get("lots") or []
    if lots:
        tables.append(
            Table(
                _("Draws by lot"),
                [_("Drawn"), _("Among"), _("Order drawn")],
                [
                    [
                        PURPOSE_LABELS.get(lot["purpose"], lot["purpose"]),
                        ", ".join(lot["candidates"]),
                        ", ".join(lot["order"]),
                    ]
                    for lot in lots
                ],
                _(
                    "Each draw orders the tied options by the SHA-256 of the seed,"
                    " the draw and the name."
                ),
            )
        )
    return tables


def consent_label(code: str) -> Cell:
    return CONSENT_LABELS.get(code, code)


def grade_choices() -> list[tuple[str, Cell]]:
    """The grades for a ballot, best first."""
    return [(code, grade_label(code)) for code in reversed(rules.GRADES)]


_LONG_DECIMAL = re.compile(r"\d+\.\d{3,}")


def _round_cell(cell: Cell) -> Cell:
    if not isinstance(cell, str):
        return cell
    return _LONG_DECIMAL.sub(lambda m: f"{Decimal(m.group()):.2f}", cell)


def rounded(table: Table) -> Table | None:
    """The table with long decimals (STV's fractional votes, Meek's keep
    values) rounded to two places, or None when nothing needed rounding (the
    exact table is then the only one to show)."""
    rows = [[_round_cell(c) for c in row] for row in table.rows]
    if rows == table.rows:
        return None
    return Table(table.title, table.head, rows, table.note)
