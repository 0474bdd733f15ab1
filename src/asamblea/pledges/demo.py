"""Demo calls to action: a regional strike call decided at its deadline,
activated in one zone and not the other, and a zone's vigil still pledging.

The demo writes history: the strike call is issued and answered while its
deadline is ahead, then its deadline is moved into the past, as if the
days had gone by, and the scheduler's decision is taken.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.utils import timezone

from asamblea.accounts.models import Member
from asamblea.core.actors import SYSTEM
from asamblea.federation.models import Node
from asamblea.pledges import rules, services
from asamblea.pledges.models import Call


def load_demo_calls(
    *,
    operator: Member,
    region: Node,
    zones: Mapping[str, Node],
    members: Mapping[int, Sequence[Member]],
    committees: Sequence[Node],
    lean: Mapping[str, float],
    pledging_zone: Node,
    rng: random.Random,
) -> tuple[Call, Call]:
    now = timezone.now()
    strike = services.issue_call(
        actor=operator,
        node=region,
        spec=services.CallSpec(
            titles={
                "es": "Paro regional de 48 horas",
                "qu": "Iskay p'unchaw llamkay sayachiy",
                "en": "48-hour regional strike",
            },
            texts={
                "es": "Paro pacífico en toda la región. Cada comité se reúne en su plaza.",
                "en": "A peaceful strike across the region. Each committee meets in its square.",
            },
            kind="strike",
            deadline=now + timedelta(hours=1),
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=4),
            thresholds={"committee": rules.Rule("share", 50), "zone": rules.Rule("share", 60)},
            practical_info=(
                "Punto de encuentro: plaza de cada distrito, 7:00.\n"
                "Observadores de derechos humanos y defensa legal: ver el tablero del comité."
            ),
        ),
    )
    services.open_pledging(actor=operator, call=strike)
    for zone_name, zone in zones.items():
        share = lean[zone_name]
        for committee in committees:
            if not committee.path.startswith(zone.path):
                continue
            for person in members[committee.pk]:
                services.answer_call(actor=person, call=strike, pledged=rng.random() < share)
    # The days go by: the deadline passes and the scheduler decides.
    Call.objects.filter(pk=strike.pk).update(deadline=now - timedelta(minutes=1))
    services.decide_call(actor=SYSTEM, call_id=strike.pk, now=now)
    strike.refresh_from_db()

    vigil = services.issue_call(
        actor=operator,
        node=pledging_zone,
        spec=services.CallSpec(
            titles={"es": "Vigilia por las víctimas", "en": "Vigil for the victims"},
            texts={"es": "Vigilia con velas frente a la catedral."},
            kind="vigil",
            rule="when_reached",
            deadline=now + timedelta(days=3),
            starts_at=now + timedelta(days=4),
            ends_at=now + timedelta(days=4, hours=3),
            thresholds={"committee": rules.Rule("count", 5), "zone": rules.Rule("share", 40)},
        ),
    )
    services.open_pledging(actor=operator, call=vigil)
    for committee in committees:
        if committee.path.startswith(pledging_zone.path):
            # The committee's first three members (secretaria, rosa and
            # delegado in Santa Bárbara) are left to answer themselves.
            for person in members[committee.pk][3:7]:
                services.answer_call(actor=person, call=vigil, pledged=rng.random() < 0.7)
    return strike, vigil
