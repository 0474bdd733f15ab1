"""The engine's manifest of a poll (spec §5.2): one contest, one option per
poll option, in position order."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from asamblea.voting import rules
from asamblea.voting.errors import NotEncryptable
from asamblea.voting.models import Poll, PollOption
from secret_ballot.errors import DecodingError
from secret_ballot.manifest import Contest, ContestKind, Manifest, Option

CONTEST_ID = "c1"


def election_id_of(poll: Poll) -> str:
    return f"poll-{poll.pk}"


def option_id(position: int) -> str:
    return f"o{position}"


def check_encryptable(method: str, max_score: int, option_count: int) -> None:
    """``NotEncryptable`` with a message for the poll's creator when the
    engine cannot encrypt this method's ballots."""
    if method in rules.RANKED_METHODS:
        raise NotEncryptable(
            _(
                "Ranked ballots cannot be encrypted yet: adding encrypted rankings up"
                " needs a mix-net, which asamblea does not have. Hold this poll"
                " unencrypted, or use single choice, approval or score."
            ),
            field="encrypted",
        )
    if method not in rules.ENCRYPTABLE_METHODS:
        raise NotEncryptable(
            _("Only yes / no / abstain, single choice, approval and score polls can be encrypted."),
            field="encrypted",
        )
    if method == rules.METHOD_SCORE and max_score * option_count > 1023:
        raise NotEncryptable(
            _(
                "An encrypted score poll allows totals up to 1023: lower the highest"
                " score or the number of options."
            ),
            field="max_score",
        )


def manifest_for(poll: Poll) -> Manifest:
    """The manifest of ``poll``. Coded options carry their English label, as
    the poll stores them; ``NotEncryptable`` if the engine refuses a text."""
    options = list(PollOption.objects.filter(poll=poll).order_by("position"))
    check_encryptable(poll.method, poll.max_score, len(options))
    k = len(options)
    method = poll.method
    if method == rules.METHOD_YES_NO_ABSTAIN:
        kind, cap, lo, hi = ContestKind.YES_NO_ABSTAIN, 1, 1, 1
    elif method == rules.METHOD_SINGLE:
        kind, cap, lo, hi = ContestKind.ONE_OF_N, 1, 1, 1
    elif method == rules.METHOD_APPROVAL:
        kind, cap, lo, hi = ContestKind.APPROVAL, 1, 0, poll.max_choices
    else:
        kind, cap, lo, hi = ContestKind.SCORE, poll.max_score, 0, poll.max_score * k
    with translation.override(None):
        title = poll.display_question
    try:
        contest = Contest(
            CONTEST_ID,
            title,
            kind,
            tuple(Option(option_id(o.position), o.label) for o in options),
            cap,
            lo,
            hi,
        )
        return Manifest(election_id_of(poll), title, (contest,))
    except DecodingError as exc:
        raise NotEncryptable(
            _("The question or an option holds characters a ballot cannot carry.")
        ) from exc


def selections_for(
    poll: Poll, manifest: Manifest, *, positions: tuple[int, ...], scores: dict[str, int] | None
) -> dict[str, list[int]]:
    """The engine's selections for a choice already checked by ``rules``:
    1 per chosen position (choice polls) or the score per position."""
    contest = manifest.contests[0]
    count = len(contest.options)
    if scores is not None:
        values = [int(scores.get(str(p), 0)) for p in range(count)]
    else:
        values = [1 if p in positions else 0 for p in range(count)]
    return {contest.contest_id: values}
