"""Where an encrypted poll's joint key comes from.

The trustee boards of a node hold standing keys (their ceremony's
parameters, transcript, joint key and verification keys). The voting app does
not depend on them: when an encrypted poll opens it asks :func:`key_source_for`,
which returns whatever the registered provider gives for the poll. A provider
is registered with :func:`register_key_source` (the trustee app does so when it
is ready) or named by the ``ASAMBLEA_ELECTION_KEY_SOURCE`` setting (a dotted
path to a callable taking the poll). Without one, encrypted polls cannot open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from asamblea.voting.models import Poll


@dataclass(frozen=True)
class ElectionKeySource:
    """A finished key ceremony, as the record holds it (spec §8.2, §8.3)."""

    parameters_json: dict[str, Any]
    """parameters.json: ceremony id, n, t, the trustees."""
    joint_key: str
    """K, a point in hex."""
    verification_keys: tuple[str, ...]
    """VK_1..VK_n, points in hex."""
    qualified: tuple[int, ...]
    """QUAL, ascending."""
    ceremony_json: dict[str, Any]
    """ceremony.json: the transcript."""


KeySourceProvider = Callable[["Poll"], ElectionKeySource | None]

_provider: KeySourceProvider | None = None


def register_key_source(provider: KeySourceProvider | None) -> None:
    """Make ``provider`` the one that answers :func:`key_source_for` (``None``
    removes it)."""
    global _provider
    _provider = provider


def key_source_for(poll: Poll) -> ElectionKeySource | None:
    """The standing key that serves ``poll``, or ``None`` when there is none."""
    provider = _provider
    if provider is None:
        path = getattr(settings, "ASAMBLEA_ELECTION_KEY_SOURCE", "")
        if not path:
            return None
        provider = import_string(path)
    return provider(poll)
