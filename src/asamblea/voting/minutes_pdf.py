"""The minutes as a PDF (fpdf2, pure Python): the same facts as the printable
page, from the same :class:`asamblea.voting.minutes.Minutes`.

Text is set in DejaVu Sans where the system has it (every script the
federation writes in); without it, in the PDF core font Helvetica, which
holds Latin-1 only, so other characters become "?" there (the page itself
is unaffected).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from asamblea.voting.minutes import Minutes
from asamblea.voting.rollup import Level

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)

# (style, text): "h1", "h2", "p", "small", "mono".
Line = tuple[str, str]


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def _diff_text(minutes: Minutes) -> str:
    parts = []
    for op, text in minutes.subject.ops:
        if op == "delete":
            parts.append(f"[-{text}-]")
        elif op == "insert":
            parts.append(f"{{+{text}+}}")
        else:
            parts.append(text)
    return "".join(parts)


def _level_lines(level: Level, depth: int) -> Iterable[Line]:
    r = level.result
    indent = "    " * depth
    status = _("did not vote") if level.did_not_vote else str(r.get_outcome_display())
    yield (
        "p",
        f"{indent}{r.node.name} ({r.node.get_kind_display()}): {status} · "
        f"{r.voted} / {r.entitled} ({level.turnout}%)",
    )
    yield ("small", f"{indent}    {level.headline}")
    for row in level.rows:
        yield ("small", f"{indent}    {row['label']}: {row['count']}")
    for child in level.children:
        yield from _level_lines(child, depth + 1)


def minutes_lines(minutes: Minutes) -> list[Line]:
    """What the PDF says, line by line (the facts of the printable page)."""
    poll = minutes.poll
    subject = minutes.subject
    lines: list[Line] = [
        ("h1", _("Minutes of poll %(id)d") % {"id": poll.pk}),
        ("p", poll.display_question),
        ("small", f"{poll.node.name} · {poll.get_method_display()}"),
        ("h2", _("What was decided")),
    ]
    if subject.amendment is not None:
        lines.append(
            (
                "p",
                _("Amendment (%(kind)s) to “%(title)s”, version %(version)s")
                % {
                    "kind": subject.amendment.get_kind_display(),
                    "title": subject.motion.title if subject.motion else "",
                    "version": subject.version,
                },
            )
        )
        if subject.paragraph:
            lines.append(("small", _("Paragraph %(n)d") % {"n": subject.paragraph}))
        lines.append(("small", _("[-removed-] {+added+}")))
        lines.append(("mono", _diff_text(minutes)))
    elif subject.motion is not None:
        lines.append(
            (
                "p",
                _("Motion “%(title)s”, version %(version)s")
                % {"title": subject.motion.title, "version": subject.version},
            )
        )
        lines.append(("mono", subject.body))
    elif poll.description:
        lines.append(("mono", poll.description))
    lines += [
        ("h2", _("Rule")),
        ("p", minutes.rule),
    ]
    if minutes.aggregation_note:
        lines.append(("p", minutes.aggregation_note))
    lines += [
        ("p", _("Who could vote: %(who)s") % {"who": minutes.electorate}),
        ("p", _("Opened: %(when)s") % {"when": _when(minutes.opened_at)}),
        ("p", _("Closed: %(when)s") % {"when": _when(minutes.closed_at)}),
        ("h2", _("Result")),
        ("p", minutes.headline),
    ]
    for root in minutes.tree.roots:
        lines.extend(_level_lines(root, 0))
    lines += [
        ("small", _("Seed for draws by lot: %(seed)s") % {"seed": poll.seed}),
        ("h2", _("Audit log")),
    ]
    if minutes.close_token:
        lines.append(("p", _("Entry written at the close (SEQ:HASH):")))
        lines.append(("mono", minutes.close_token))
    else:
        lines.append(("p", _("No audit entry of the close was found.")))
    lines.append(("small", _("Check it with: manage.py verify_audit --expect SEQ:HASH")))
    return lines


def _fonts(pdf: FPDF) -> str:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        mono = folder / "DejaVuSansMono.ttf"
        if regular.is_file() and bold.is_file() and mono.is_file():
            pdf.add_font("body", "", str(regular))
            pdf.add_font("body", "B", str(bold))
            pdf.add_font("mono", "", str(mono))
            return "unicode"
    return "latin-1"


def render_pdf(minutes: Minutes) -> bytes:
    """The minutes as a PDF document."""
    pdf = FPDF(format="A4")
    pdf.set_title(_("Minutes of poll %(id)d") % {"id": minutes.poll.pk})
    pdf.set_creator("asamblea")
    encoding = _fonts(pdf)
    body, mono = ("body", "mono") if encoding == "unicode" else ("helvetica", "courier")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    styles = {
        "h1": (body, "B", 16, 9),
        "h2": (body, "B", 13, 8),
        "p": (body, "", 11, 6),
        "small": (body, "", 9, 5),
        "mono": (mono, "", 9, 5),
    }
    for style, text in minutes_lines(minutes):
        family, weight, size, height = styles[style]
        if style == "h2":
            pdf.ln(2)
        pdf.set_font(family, weight, size)
        if encoding != "unicode":
            text = text.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
