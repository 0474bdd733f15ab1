"""A standing key made with the engine's in-process ceremony, and helpers
for encrypted polls."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pytest

from asamblea.accounts import services as account_services
from asamblea.voting.encrypted import keys
from asamblea.voting.encrypted.keys import ElectionKeySource
from asamblea.voting.encrypted.services import engine_election, register_voting_key
from asamblea.voting.models import Election
from secret_ballot.ballot import ballot_to_json, encrypt_ballot
from secret_ballot.credentials import VotingKeyPair
from secret_ballot.dkg import transcript_to_json
from secret_ballot.election import Parameters, TrusteeInfo
from secret_ballot.group import base_mul
from secret_ballot.hash import hash_to_scalar
from secret_ballot.trustee import Trustee, run_ceremony
from tests.voting.conftest import make_poll


@dataclass
class Ceremony:
    source: ElectionKeySource
    trustees: list[Trustee]


@functools.lru_cache(maxsize=1)
def ceremony() -> Ceremony:
    secrets_ = [hash_to_scalar("test", "comm", i) for i in range(1, 4)]
    params = Parameters(
        "board-test",
        2,
        tuple(TrusteeInfo(i, f"T{i}", base_mul(d)) for i, d in enumerate(secrets_, start=1)),
    )
    trustees = [
        Trustee.create(params, i, secrets_[i - 1], seed=bytes([i]) * 32) for i in range(1, 4)
    ]
    transcript, outcome = run_ceremony(trustees)
    assert outcome.joint_key is not None
    source = ElectionKeySource(
        parameters_json=params.to_json(),  # type: ignore[arg-type]
        joint_key=outcome.joint_key.hex(),
        verification_keys=tuple(vk.hex() for vk in outcome.verification_keys),
        qualified=outcome.qualified,
        ceremony_json=transcript_to_json(transcript),  # type: ignore[arg-type]
    )
    return Ceremony(source, trustees)


@pytest.fixture(autouse=True)
def key_source():
    keys.register_key_source(lambda poll: ceremony().source)
    yield ceremony()
    keys.register_key_source(None)


def make_encrypted(actor, node, **settings):
    settings.setdefault("encrypted", True)
    return make_poll(actor, node, **settings)


def voting_key(member, index: int = 0) -> VotingKeyPair:
    """Register a deterministic voting key for ``member``; returns the pair."""
    pair = VotingKeyPair.from_secret(hash_to_scalar("test", "voting", member.pk, index))
    register_voting_key(member=member, public_key=pair.public.hex())
    return pair


def device_ballot(poll, pair: VotingKeyPair, values: list[int], seed: bytes | None = None):
    """(ballot JSON, nonce seed, selections) made as a member's device would."""
    election = Election.objects.get(poll=poll)
    engine = engine_election(election)
    contest = engine.manifest.contests[0]
    selections = {contest.contest_id: values}
    credential = pair.credential(engine.manifest.election_id)
    ballot, s = encrypt_ballot(engine, credential, selections, seed)
    return ballot_to_json(ballot), s, selections


_tokens: dict[int, str] = {}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    _tokens.clear()


def auth(member) -> dict[str, str]:
    if member.pk not in _tokens:
        _token, raw = account_services.create_api_token(member=member, name="test")
        _tokens[member.pk] = raw
    return {"HTTP_AUTHORIZATION": f"Bearer {_tokens[member.pk]}"}


def post(client, url, body, member):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **auth(member))
