"""What a new poll asks for: one typed specification shared by the poll form,
the API schema and the services.

The form and the API bound and parse their input into a :class:`PollSpec`;
``services.create_poll`` validates it against the poll's node and writes the
poll. Defaults live here once: the form's initial values and the API schema's
defaults read them from :data:`DEFAULTS`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from asamblea.federation.rules import WIDE_NODE_KINDS
from asamblea.voting.models import Aggregation, MajorityBase, Method, Purpose


@dataclass(frozen=True, kw_only=True)
class PollSpec:
    """The settings of a poll to create. Values are checked by the service,
    not here: a spec may hold anything its caller parsed."""

    question: str
    description: str = ""
    purpose: str = Purpose.QUESTION
    # A Method value, or the library names "policy" and "plurality".
    method: str = Method.YES_NO_ABSTAIN
    # Option labels, one per option, in position order; ignored for
    # yes/no/abstain, consent and delegate elections (their options are fixed).
    options: tuple[str, ...] = ()
    # Approval: at most k choices. Ignored by other methods.
    max_choices: int = 1
    # Multi-winner methods: seats to fill (fewer than the options).
    seats: int = 1
    # Score polls: the highest score (1 to 100).
    max_score: int = 0
    secret: bool = False
    # Ballots encrypted under a trustee board's key; implies secret.
    encrypted: bool = False
    aggregation: str = Aggregation.POOLED
    majority_num: int = 1
    majority_den: int = 2
    majority_base: str = MajorityBase.VALID
    majority_strict: bool = True
    quorum_num: int = 0
    quorum_den: int = 1
    # Empty: opened or closed by hand.
    opens_at: datetime | None = None
    closes_at: datetime | None = None


DEFAULTS = PollSpec(question="")

# A vote for a whole region or the assembly is a decision in the name of many
# committees: by default at least a third of the entitled electorate must take
# part for it to count. Below, no quorum unless the poll asks for one.
WIDE_QUORUM = (1, 3)


def defaults_for(*, node_kind: str) -> PollSpec:
    """The defaults of a poll at a node of ``node_kind`` (what the forms show
    and what the API takes when a field is left out)."""
    if node_kind in WIDE_NODE_KINDS:
        return replace(DEFAULTS, quorum_num=WIDE_QUORUM[0], quorum_den=WIDE_QUORUM[1])
    return DEFAULTS
