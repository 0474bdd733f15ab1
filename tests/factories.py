"""Builders for test data, going through the services so tests see real state."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from asamblea.accounts.models import Member
from asamblea.core.actors import SYSTEM
from asamblea.federation import services as federation_services
from asamblea.federation.models import Membership, Node, NodeKind, Role

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def make_member(pseudonym: str | None = None, *, is_staff: bool = False) -> Member:
    name = pseudonym or f"member{next(_counter)}"
    return Member.objects.create_user(name, PASSWORD, is_staff=is_staff, is_superuser=is_staff)


def join(member: Member, committee: Node, role: str = Role.MEMBER) -> Membership:
    return federation_services.add_membership(
        actor=SYSTEM, member=member, committee=committee, role=role
    )


@dataclass
class Federation:
    """assembly -> region_a -> zone_a -> committee_a1, committee_a2
    assembly -> region_b -> committee_b1

    ``secretary`` is secretary of committee_a1; ``member`` and ``other_member``
    are members of committee_a1; ``outsider`` is a member of committee_b1 (a
    sibling branch); ``operator`` is staff and belongs to no committee."""

    assembly: Node
    region_a: Node
    zone_a: Node
    committee_a1: Node
    committee_a2: Node
    region_b: Node
    committee_b1: Node
    operator: Member
    secretary: Member
    member: Member
    other_member: Member
    neighbour: Member
    outsider: Member
    extra: dict[str, object] = field(default_factory=dict)


def build_federation() -> Federation:
    node = federation_services.create_node
    assembly = node(actor=SYSTEM, kind=NodeKind.ASSEMBLY, name="Asamblea Nacional")
    region_a = node(actor=SYSTEM, kind=NodeKind.REGION, name="Puno", parent=assembly)
    zone_a = node(actor=SYSTEM, kind=NodeKind.ZONE, name="Juliaca", parent=region_a)
    committee_a1 = node(
        actor=SYSTEM,
        kind=NodeKind.COMMITTEE,
        name="Comité Santa Bárbara",
        parent=zone_a,
        seconders_required=1,
    )
    committee_a2 = node(
        actor=SYSTEM,
        kind=NodeKind.COMMITTEE,
        name="Comité Villa Hermosa",
        parent=zone_a,
        seconders_required=1,
    )
    region_b = node(actor=SYSTEM, kind=NodeKind.REGION, name="Cusco", parent=assembly)
    committee_b1 = node(
        actor=SYSTEM,
        kind=NodeKind.COMMITTEE,
        name="Comité San Blas",
        parent=region_b,
        seconders_required=1,
    )
    operator = make_member("operadora", is_staff=True)
    secretary = make_member("secretaria")
    member = make_member("rosa")
    other_member = make_member("juan")
    neighbour = make_member("vecina")
    outsider = make_member("forastero")
    join(secretary, committee_a1, Role.SECRETARY)
    join(member, committee_a1)
    join(other_member, committee_a1)
    join(neighbour, committee_a2)
    join(outsider, committee_b1)
    return Federation(
        assembly=assembly,
        region_a=region_a,
        zone_a=zone_a,
        committee_a1=committee_a1,
        committee_a2=committee_a2,
        region_b=region_b,
        committee_b1=committee_b1,
        operator=operator,
        secretary=secretary,
        member=member,
        other_member=other_member,
        neighbour=neighbour,
        outsider=outsider,
    )
