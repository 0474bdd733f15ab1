"""The trustee boards as the key source of encrypted polls.

An encrypted poll at a node is served by the standing key of the nearest
active trustee board at that node or above it (``trustees.selectors``). This
module is the provider named by the default ``ASAMBLEA_ELECTION_KEY_SOURCE``;
it lives in voting because voting sits above trustees in the app order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asamblea.trustees.selectors import standing_key_for
from asamblea.voting.encrypted.keys import ElectionKeySource

if TYPE_CHECKING:
    from asamblea.voting.models import Poll


def key_source(poll: Poll) -> ElectionKeySource | None:
    """The standing key that serves ``poll``'s node, or ``None`` without an
    active board at or above it."""
    key = standing_key_for(poll.node)
    if key is None:
        return None
    return ElectionKeySource(
        parameters_json=key.parameters,
        joint_key=key.joint_key,
        verification_keys=key.verification_keys,
        qualified=key.qualified,
        ceremony_json=key.transcript,
    )
