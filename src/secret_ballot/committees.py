"""The committee tree of an election and the grouping of its subtotals (spec §8.7, §12).

``committees.json`` lists the nodes the election spans: committees (the
leaves, where members vote) under zones, regions and an assembly. It is fixed
at opening: its digest h_T enters the election hash (spec §3.3), and with it
the minimum group size m.

At the tally, the number of counted ballots of each committee is public (the
board shows which credentials cast, the list gives their committees). From
those numbers alone, bottom-up, every node that is not the root and pools
fewer than m ballots is merged into its parent; the others stand as groups.
Each group's sums are decrypted on their own, so no result is published for
fewer than m ballots, except the root's, which is the poll's result.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from secret_ballot import jsonfields as jf
from secret_ballot.election import ID_PATTERN
from secret_ballot.errors import DecodingError
from secret_ballot.hash import Digest, hash_digest

#: Tag of the committee tree hash h_T (spec §3.3).
TAG_COMMITTEES = "committees"
#: The minimum group size when none is given (spec §12).
DEFAULT_MINIMUM_GROUP = 5
#: Longest node name, in Unicode code points (as the federation's node names).
MAX_NAME = 120
#: Most nodes in one tree.
MAX_NODES = 100_000


class Level(enum.StrEnum):
    """The kinds of node of the federation tree (spec §8.7)."""

    COMMITTEE = "committee"
    ZONE = "zone"
    REGION = "region"
    ASSEMBLY = "assembly"


#: Which level may sit under which; committees are the leaves (spec §8.7).
ALLOWED_CHILDREN: dict[Level, frozenset[Level]] = {
    Level.ASSEMBLY: frozenset({Level.REGION, Level.ZONE, Level.COMMITTEE}),
    Level.REGION: frozenset({Level.ZONE, Level.COMMITTEE}),
    Level.ZONE: frozenset({Level.ZONE, Level.COMMITTEE}),
    Level.COMMITTEE: frozenset(),
}


@dataclass(frozen=True, slots=True)
class Node:
    node_id: str
    name: str
    parent: str | None
    """The parent's id; None for the root."""
    level: Level


@dataclass(frozen=True, slots=True)
class Group:
    """One decrypted subtotal: a standing node and every node merged into it (spec §12)."""

    node: int
    """Position in the tree of the standing node; its id is the group id."""
    committees: tuple[int, ...]
    """Positions of the committees whose ballots the group holds, in tree order."""
    ballots: int
    """Counted ballots of those committees."""


@dataclass(frozen=True, slots=True)
class Grouping:
    """The outcome of the rule of spec §12 for given counts per committee."""

    group_of: tuple[int, ...]
    """For each node (by position), the position of its group's standing node."""
    groups: tuple[Group, ...]
    """The groups in tree order of their standing nodes."""


@dataclass(frozen=True)
class CommitteeTree:
    """The content of committees.json (spec §8.7)."""

    nodes: tuple[Node, ...]
    """Root first; every other node after its parent."""
    minimum_group: int = DEFAULT_MINIMUM_GROUP
    """m in the spec: a group of fewer counted ballots is merged into its parent's."""
    _position: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.minimum_group <= jf.MAX_INTEGER:
            raise DecodingError("the minimum group size is at least 1", "minimum_group")
        if not 1 <= len(self.nodes) <= MAX_NODES:
            raise DecodingError(f"1 to {MAX_NODES} nodes", "nodes")
        position: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            f = jf.join("nodes", i)
            if not ID_PATTERN.fullmatch(node.node_id):
                raise DecodingError(
                    "an identifier [A-Za-z0-9][A-Za-z0-9_.-]{0,63}", jf.join(f, "id")
                )
            if node.node_id in position:
                raise DecodingError("node ids are unique", jf.join(f, "id"))
            jf.label(node.name, jf.join(f, "name"), MAX_NAME)
            if i == 0:
                if node.parent is not None:
                    raise DecodingError("the first node is the root: its parent is null", f)
            else:
                if node.parent is None:
                    raise DecodingError("only the first node is a root", jf.join(f, "parent"))
                parent = position.get(node.parent)
                if parent is None:
                    raise DecodingError("the parent is listed before its children", f)
                if node.level not in ALLOWED_CHILDREN[self.nodes[parent].level]:
                    raise DecodingError(
                        f"a {node.level.value} may not sit under a "
                        f"{self.nodes[parent].level.value}",
                        jf.join(f, "level"),
                    )
            position[node.node_id] = i
        object.__setattr__(self, "_position", position)

    def position(self, node_id: str) -> int | None:
        """The position of the node ``node_id``, or None if the tree has none."""
        return self._position.get(node_id)

    def committee_position(self, committee_id: str) -> int | None:
        """The position of the committee ``committee_id``; None if it is not a committee here."""
        i = self._position.get(committee_id)
        if i is None or self.nodes[i].level is not Level.COMMITTEE:
            return None
        return i

    @cached_property
    def parents(self) -> tuple[int, ...]:
        """The position of each node's parent; -1 for the root."""
        return tuple(-1 if n.parent is None else self._position[n.parent] for n in self.nodes)

    def grouping(self, ballots: Sequence[int]) -> Grouping:
        """Apply the rule of spec §12 to ``ballots``, the counted ballots per node position.

        Nodes are visited children first (the reverse of the list order, where
        each parent precedes its children). A node's pool is its own ballots
        plus the pools of its children that were merged into it; a node that
        is not the root and pools fewer than m ballots is merged into its
        parent, the others stand. The root always stands.
        """
        n = len(self.nodes)
        if len(ballots) != n:
            raise ValueError("one count per node")
        parents = self.parents
        pool = list(ballots)
        stands = [False] * n
        stands[0] = True
        for i in range(n - 1, 0, -1):
            if pool[i] >= self.minimum_group:
                stands[i] = True
            else:
                pool[parents[i]] += pool[i]
        group_of = [0] * n
        members: dict[int, list[int]] = {}
        for i in range(n):
            g = i if stands[i] else group_of[parents[i]]
            group_of[i] = g
            if self.nodes[i].level is Level.COMMITTEE:
                members.setdefault(g, []).append(i)
        groups = tuple(Group(i, tuple(members.get(i, ())), pool[i]) for i in range(n) if stands[i])
        return Grouping(tuple(group_of), groups)

    def to_json(self) -> jf.JSON:
        return {
            "minimum_group": self.minimum_group,
            "nodes": [
                {"id": n.node_id, "name": n.name, "parent": n.parent, "level": n.level.value}
                for n in self.nodes
            ],
        }

    @classmethod
    def from_json(cls, value: jf.JSON, field: jf.FieldPath = "") -> CommitteeTree:
        o = jf.obj(value, field, ("minimum_group", "nodes"))
        minimum = jf.integer(o["minimum_group"], jf.join(field, "minimum_group"), 1)
        nf = jf.join(field, "nodes")
        nodes = []
        for i, item in enumerate(jf.array(o["nodes"], nf)):
            f = jf.join(nf, i)
            d = jf.obj(item, f, ("id", "name", "parent", "level"))
            parent = d["parent"]
            level_text = jf.text(d["level"], jf.join(f, "level"))
            try:
                level = Level(level_text)
            except ValueError:
                raise DecodingError(
                    "'committee', 'zone', 'region' or 'assembly'", jf.join(f, "level")
                ) from None
            nodes.append(
                Node(
                    jf.text(d["id"], jf.join(f, "id")),
                    jf.text(d["name"], jf.join(f, "name")),
                    None if parent is None else jf.text(parent, jf.join(f, "parent")),
                    level,
                )
            )
        try:
            return cls(tuple(nodes), minimum)
        except DecodingError as exc:
            raise exc.at(field) from None

    def digest(self) -> Digest:
        """h_T = D_committees(JCS(committees.json)) (spec §3.3)."""
        return hash_digest(TAG_COMMITTEES, jf.canonical_json(self.to_json()))
