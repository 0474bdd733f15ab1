"""Demo data, in Spanish: an assembly of three regions, their zones, 36
committees and 360 members, motions in every state with amendments, open and
closed polls, a federated poll whose result differs by committee, and a
zone's trustee board with a decrypted encrypted poll and an open one.

Everything goes through the services, as a real federation would, so the demo
also exercises the audit log. Loading is idempotent: if the demo assembly
exists, nothing is done.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import translation

from asamblea.accounts.models import Member
from asamblea.core.actors import SYSTEM
from asamblea.demo.encrypted import load_encrypted_polls
from asamblea.federation import services as federation_services
from asamblea.federation.models import Node, NodeKind, Role
from asamblea.incidents.demo import load_demo_incidents
from asamblea.motions import services as motion_services
from asamblea.motions.models import AmendmentKind, Motion
from asamblea.pledges.demo import load_demo_calls
from asamblea.voting import services as voting_services
from asamblea.voting.models import Aggregation, Method, Poll, PollState
from asamblea.voting.spec import PollSpec

DEMO_PASSWORD = "asamblea-demo"  # noqa: S105 - published demo password
ASSEMBLY_NAME = "Asamblea Nacional de los Pueblos"
DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("operadora", "operator: manages the tree, sees everything, admin access"),
    ("secretaria", "secretary of Comité Santa Bárbara (Juliaca, Puno)"),
    ("rosa", "member of Comité Santa Bárbara"),
    ("delegado", "member and delegate of Comité Santa Bárbara"),
]

TREE: dict[str, dict[str, list[str]]] = {
    "Puno": {
        "Juliaca": [
            "Comité Santa Bárbara",
            "Comité La Revolución",
            "Comité Taparachi",
            "Comité Mercado Túpac Amaru",
            "Comité Universidad Andina",
            "Comité Cerro Colorado",
        ],
        "Puno ciudad": [
            "Comité Barrio Bellavista",
            "Comité Chanu Chanu",
            "Comité Salcedo",
            "Comité Jayllihuaya",
            "Comité Ribereños del Titicaca",
            "Comité Alto Puno",
        ],
    },
    "Cusco": {
        "Cusco ciudad": [
            "Comité San Blas",
            "Comité Wanchaq",
            "Comité Santiago",
            "Comité San Sebastián",
            "Comité Mercado Vinocanchón",
            "Comité Estudiantes UNSAAC",
        ],
        "Espinar": [
            "Comité Yauri",
            "Comité Coporaque",
            "Comité Pichigua",
            "Comité Alto Huarca",
            "Comité Condoroma",
            "Comité Tintaya Marquiri",
        ],
    },
    "Apurímac": {
        "Andahuaylas": [
            "Comité Talavera",
            "Comité San Jerónimo",
            "Comité Pacucha",
            "Comité Kishuará",
            "Comité Huancabamba",
            "Comité Chicmo",
        ],
        "Abancay": [
            "Comité Tamburco",
            "Comité Las Américas",
            "Comité Villa Ampay",
            "Comité Curahuasi",
            "Comité Pichirhua",
            "Comité Chacoche",
        ],
    },
}
MEMBERS_PER_COMMITTEE = 10
FIRST_NAMES = [
    "ana",
    "basilio",
    "carmen",
    "dionisio",
    "eulalia",
    "fortunato",
    "gregoria",
    "hilario",
    "isidora",
    "justino",
    "lucia",
    "mamerto",
    "nilda",
    "octavio",
    "paulina",
    "quintin",
    "rufina",
    "saturnino",
    "teodora",
    "urbano",
    "valentina",
    "wilber",
    "ximena",
    "yolanda",
]

MOTION_TEXT = (
    "Considerando que las comunidades de la región exigen ser escuchadas.\n\n"
    "La asamblea acuerda convocar a una jornada de movilización pacífica.\n\n"
    "Se conformará una comisión de diálogo con representantes de cada comité.\n\n"
    "Se informará a todas las bases en quechua, aymara y castellano."
)


@dataclass
class DemoWorld:
    assembly: Node
    operator: Member
    regions: dict[str, Node] = field(default_factory=dict)
    zones: dict[str, Node] = field(default_factory=dict)
    committees: list[Node] = field(default_factory=list)
    members: dict[int, list[Member]] = field(default_factory=dict)


def demo_exists() -> bool:
    return Node.objects.filter(kind=NodeKind.ASSEMBLY, name=ASSEMBLY_NAME).exists()


def _new_member(pseudonym: str, password_hash: str, *, is_staff: bool = False) -> Member:
    member = Member(pseudonym=pseudonym, is_staff=is_staff, is_superuser=is_staff)
    member.password = password_hash
    member.save()
    return member


def _build_tree(password_hash: str) -> DemoWorld:
    node = federation_services.create_node
    operator = _new_member("operadora", password_hash, is_staff=True)
    world = DemoWorld(
        assembly=node(actor=operator, kind=NodeKind.ASSEMBLY, name=ASSEMBLY_NAME), operator=operator
    )
    counter = 0
    for region_name, zones in TREE.items():
        region = node(actor=operator, kind=NodeKind.REGION, name=region_name, parent=world.assembly)
        world.regions[region_name] = region
        for zone_name, committees in zones.items():
            zone = node(actor=operator, kind=NodeKind.ZONE, name=zone_name, parent=region)
            world.zones[zone_name] = zone
            for committee_name in committees:
                committee = node(
                    actor=operator,
                    kind=NodeKind.COMMITTEE,
                    name=committee_name,
                    parent=zone,
                    seconders_required=2,
                )
                world.committees.append(committee)
                people: list[Member] = []
                for i in range(MEMBERS_PER_COMMITTEE):
                    counter += 1
                    pseudonym = f"{FIRST_NAMES[counter % len(FIRST_NAMES)]}{counter}"
                    if committee_name == "Comité Santa Bárbara":
                        pseudonym = ["secretaria", "rosa", "delegado"][i] if i < 3 else pseudonym
                    person = _new_member(pseudonym, password_hash)
                    role = Role.SECRETARY if i == 0 else Role.MEMBER
                    federation_services.add_membership(
                        actor=operator, member=person, committee=committee, role=role
                    )
                    people.append(person)
                world.members[committee.pk] = people
                # The third member of each committee holds its delegate mandate.
                federation_services.appoint_delegate(
                    actor=people[0],
                    committee=committee,
                    delegate=people[2],
                    instructions="Llevar la posición acordada en asamblea de base.",
                )
    return world


def _motion(author: Member, node: Node, title: str, seconders: Sequence[Member]) -> Motion:
    motion = motion_services.submit_motion(actor=author, node=node, title=title, body=MOTION_TEXT)
    for seconder in seconders:
        motion_services.second_motion(actor=seconder, motion=motion)
    motion.refresh_from_db()
    return motion


Chooser = Callable[[Member, random.Random], list[str]]


def _vote_all(
    poll: Poll, voters: Sequence[Member], choose: Chooser | list[str], rng: random.Random
) -> None:
    for voter in voters:
        choice = choose(voter, rng) if callable(choose) else choose
        voting_services.cast_ballot(voter=voter, poll=poll, choice=choice)


def _committee_motions(world: DemoWorld, rng: random.Random) -> None:
    committee = world.committees[0]  # Comité Santa Bárbara
    people = world.members[committee.pk]
    secretary, rosa, delegate = people[0], people[1], people[2]

    motion_services.submit_motion(
        actor=rosa,
        node=committee,
        title="Olla común en el local comunal",
        body=(
            "Proponemos organizar una olla común todos los sábados.\n\n"
            "Cada familia aporta según pueda."
        ),
    )

    debate = _motion(rosa, committee, "Turnos de vigilancia del local comunal", people[3:5])
    motion_services.propose_amendment(
        actor=delegate,
        motion=debate,
        kind=AmendmentKind.REPLACE_PARAGRAPH,
        paragraph=1,
        text="La asamblea acuerda organizar turnos rotativos de cuidado del local.",
        rationale="Que quede claro que los turnos son rotativos.",
    )
    motion_services.add_comment(
        actor=secretary, motion=debate, body="De acuerdo, pero turnos cortos."
    )

    withdrawn = _motion(people[5], committee, "Cambio de día de la asamblea", people[6:8])
    motion_services.withdraw_motion(actor=people[5], motion=withdrawn)

    # Carried, with an accepted amendment merged into its text.
    carried = _motion(secretary, committee, "Jornada de movilización pacífica", people[1:3])
    motion_services.propose_amendment(
        actor=rosa,
        motion=carried,
        kind=AmendmentKind.INSERT_PARAGRAPH,
        paragraph=3,
        text="Se garantizará la presencia de observadores de derechos humanos.",
        rationale="Para documentar cualquier abuso.",
    )
    _run_motion_vote(carried, secretary, people, rng, yes_share=0.8)

    rejected = _motion(people[6], committee, "Cuota extraordinaria de veinte soles", people[7:9])
    _run_motion_vote(rejected, secretary, people, rng, yes_share=0.2)

    voting = _motion(delegate, committee, "Pedido de información a la municipalidad", people[3:5])
    voting_services.open_motion_vote(actor=delegate, motion=voting)
    poll = _open_polls(voting)[0]
    _vote_all(poll, people[:4], ["yes"], rng)


def _open_polls(motion: Motion) -> list[Poll]:
    return list(Poll.objects.filter(motion=motion, state=PollState.OPEN).order_by("pk"))


def _run_motion_vote(
    motion: Motion, actor: Member, people: Sequence[Member], rng: random.Random, *, yes_share: float
) -> None:
    voting_services.open_motion_vote(actor=actor, motion=motion)
    # Amendment polls first, then the motion's own poll opens by itself.
    for _round in range(5):
        polls = _open_polls(motion)
        if not polls:
            break
        for poll in polls:
            _vote_all(
                poll, people, lambda _v, r: ["yes"] if r.random() < yes_share else ["no"], rng
            )
            voting_services.close_poll(actor=SYSTEM, poll=poll)


def _federated_poll(world: DemoWorld, rng: random.Random) -> None:
    """A closed assembly-wide poll decided committee by committee; regions lean
    differently, so results differ by committee and by level."""
    poll = voting_services.create_poll(
        actor=world.operator,
        node=world.assembly,
        spec=PollSpec(
            question="¿Respaldamos el paro nacional indefinido desde el lunes?",
            method=Method.YES_NO_ABSTAIN,
            aggregation=Aggregation.BY_COMMITTEE_MEMBERS,
        ),
    )
    voting_services.open_poll(actor=world.operator, poll=poll)
    lean = {"Puno": 0.8, "Cusco": 0.55, "Apurímac": 0.3}
    for committee in world.committees:
        region_name = next(
            name for name, region in world.regions.items() if committee.path.startswith(region.path)
        )
        share = min(0.95, max(0.05, lean[region_name] + rng.uniform(-0.25, 0.25)))
        for voter in world.members[committee.pk]:
            draw = rng.random()
            if draw < 0.15:
                continue  # did not vote
            choice = ["abstain"] if draw < 0.2 else (["yes"] if rng.random() < share else ["no"])
            voting_services.cast_ballot(voter=voter, poll=poll, choice=choice)
    voting_services.close_poll(actor=world.operator, poll=poll)

    # An open regional poll, secret, pooled.
    region = world.regions["Puno"]
    open_poll = voting_services.create_poll(
        actor=world.operator,
        node=region,
        spec=PollSpec(
            question="¿Qué día realizamos la marcha regional?",
            method=Method.SINGLE,
            options=("Martes", "Miércoles", "Jueves"),
            secret=True,
        ),
    )
    voting_services.open_poll(actor=world.operator, poll=open_poll)
    zone = world.zones["Juliaca"]
    for committee in world.committees:
        if not committee.path.startswith(zone.path):
            continue
        for voter in world.members[committee.pk][1:6]:
            voting_services.cast_ballot(voter=voter, poll=open_poll, choice=[rng.randrange(3)])


def _more_motions(world: DemoWorld, rng: random.Random) -> None:
    """Every other committee debates a motion of its own; the Puno region puts a
    motion to every committee beneath it, cast through their delegates."""
    topics = [
        "Defensa del agua de la comunidad",
        "Comedor popular para los huelguistas",
        "Radio comunitaria en quechua y aymara",
        "Registro de heridos y detenidos del barrio",
        "Asesoría legal para los detenidos",
        "Transporte solidario a la marcha",
    ]
    for index, committee in enumerate(world.committees[1:], start=1):
        people = world.members[committee.pk]
        _motion(people[1], committee, topics[index % len(topics)], people[3:5])

    region = world.regions["Puno"]
    santa_barbara = world.committees[0]
    author = world.members[santa_barbara.pk][2]
    # A motion for a whole region is seconded from two of its committees.
    neighbour = next(
        c for c in world.committees[1:] if c.path.startswith(region.path) and c != santa_barbara
    )
    motion = _motion(
        author,
        region,
        "Plataforma de lucha de la región Puno",
        [world.members[santa_barbara.pk][3], world.members[neighbour.pk][3]],
    )
    polls = voting_services.open_motion_vote(
        actor=author, motion=motion, aggregation=Aggregation.DELEGATES
    )
    for committee in world.committees:
        if not committee.path.startswith(region.path):
            continue
        share = rng.uniform(0.3, 0.9)
        for voter in world.members[committee.pk][:7]:
            choice = ["yes"] if rng.random() < share else ["no"]
            voting_services.cast_ballot(voter=voter, poll=polls[0], choice=choice)


def _ranked_polls(world: DemoWorld, rng: random.Random) -> None:
    """Santa Bárbara ranks four proposals (Schulze) and elects a three-person
    coordination by Scottish STV, both closed, so their explanations show."""
    committee = world.committees[0]
    people = world.members[committee.pk]
    secretary = people[0]
    proposals = ["Marcha a la capital", "Paro de 72 horas", "Vigilia permanente", "Mesa de diálogo"]
    schulze = voting_services.create_poll(
        actor=secretary,
        node=committee,
        spec=PollSpec(
            question="¿Qué medida priorizamos?", method=Method.SCHULZE, options=tuple(proposals)
        ),
    )
    voting_services.open_poll(actor=secretary, poll=schulze)
    for voter in people:
        order = list(range(len(proposals)))
        rng.shuffle(order)
        if rng.random() < 0.5:
            order.remove(1)
            order.insert(0, 1)
        voting_services.cast_ballot(
            voter=voter, poll=schulze, ballot={"ranking": [[p] for p in order[:3]]}
        )
    voting_services.close_poll(actor=secretary, poll=schulze)

    candidates = [member.pseudonym for member in people[:6]]
    stv = voting_services.create_poll(
        actor=secretary,
        node=committee,
        spec=PollSpec(
            question="Comisión coordinadora (3 personas)",
            method=Method.SCOTTISH_STV,
            options=tuple(candidates),
            seats=3,
        ),
    )
    voting_services.open_poll(actor=secretary, poll=stv)
    for voter in people:
        order = list(range(len(candidates)))
        rng.shuffle(order)
        voting_services.cast_ballot(
            voter=voter, poll=stv, ballot={"ranking": [[p] for p in order[:4]]}
        )
    voting_services.close_poll(actor=secretary, poll=stv)


def _incidents(world: DemoWorld) -> None:
    """Fictional incidents in Comité Santa Bárbara's register, documented by
    rosa and delegado (their register passphrases are printed by demo_help)."""
    committee = world.committees[0]
    secretary, rosa, delegate = world.members[committee.pk][:3]
    load_demo_incidents(committee=committee, secretary=secretary, documenters=[rosa, delegate])


def _encrypted_polls(world: DemoWorld, rng: random.Random, key_folder: Path | None) -> None:
    """Zone Juliaca's standing trustee board and its encrypted polls."""
    zone = world.zones["Juliaca"]
    committees = [c for c in world.committees if c.path.startswith(zone.path)]
    load_encrypted_polls(
        operator=world.operator,
        zone=zone,
        committees=committees,
        members=world.members,
        rng=rng,
        folder=key_folder,
    )


def _calls(world: DemoWorld, rng: random.Random) -> None:
    """A strike call in Puno, activated in Juliaca and not in Puno ciudad, and
    a vigil in Juliaca still gathering pledges."""
    load_demo_calls(
        operator=world.operator,
        region=world.regions["Puno"],
        zones={name: world.zones[name] for name in ("Juliaca", "Puno ciudad")},
        members=world.members,
        committees=world.committees,
        lean={"Juliaca": 0.85, "Puno ciudad": 0.3},
        pledging_zone=world.zones["Juliaca"],
        rng=rng,
    )


def load_demo(*, seed: int = 2023, key_folder: Path | None = None) -> DemoWorld | None:
    """Load the demo unless it is already there. Returns None when it was.
    The demo trustees' key files go to ``key_folder`` (by default
    ``demo-trustees`` in the instance folder)."""
    if demo_exists():
        return None
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    password_hash = make_password(DEMO_PASSWORD)
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        world = _build_tree(password_hash)
        _committee_motions(world, rng)
        _federated_poll(world, rng)
        _more_motions(world, rng)
        _ranked_polls(world, rng)
        _incidents(world)
        _encrypted_polls(world, rng, key_folder)
        _calls(world, rng)
    return world
