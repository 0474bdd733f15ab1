"""Transfer weight of a motion's page and of every other main page (the
welcome, sign-in, joining and reset pages, the dashboard, "what needs me",
search, lists, a ballot, results, minutes, forms, the federation tree, a
node, invitations, the profile, trustee boards, the incident register), as a
phone on a weak connection gets them.

Serves the app with gunicorn, WhiteNoise and the hashed, pre-compressed static
files (``ASAMBLEA_MANIFEST_STATIC=1`` after ``collectstatic``) from a throwaway
instance folder (SQLite by default), with a motion in debate that has several
paragraphs, amendments and a discussion. Signs in through the login form, then
fetches each page with ``Accept-Encoding: gzip`` and every stylesheet,
script, icon and image it references, counting the bytes on the wire (headers
and compressed bodies). The pages for visitors are fetched before signing in.
A JavaScript module's static imports count as its assets: the trustee page's
and the booth's scripts load the protocol modules that way.

First load = HTML + every referenced asset; later load = HTML only, since the
hashed assets are served with a far-future Cache-Control (reported).
Targets: first load <= 60 KB, later loads <= 15 KB (KB = 1,000 bytes).

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import re
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from http.client import HTTPResponse
from pathlib import Path
from typing import Any

from django.core.management import call_command

from _common import (
    emit,
    machine_facts,
    migrate,
    print_header,
    print_target,
    served_app,
    setup_django,
)

TARGET_FIRST_BYTES = 60_000
TARGET_LATER_BYTES = 15_000
TARGET_BOOTH_BYTES = 100_000
PASSWORD = "bench-page-weight-pw"  # noqa: S105 - a throwaway member of a throwaway instance

# (name, path) of the main pages besides the motion's: for visitors, then for
# the signed-in secretary of the motion's committee ({poll} closed, {open_poll}
# open, {node} the committee).
VISITOR_PAGES = (
    ("welcome", "/"),
    ("sign-in", "/accounts/login/"),
    ("join with an invitation", "/accounts/join/"),
    ("reset with a code", "/accounts/reset/"),
)
MEMBER_PAGES = (
    ("dashboard", "/"),
    ("what needs me", "/needs/"),
    ("search", "/search/?q=asamblea"),
    ("motions", "/motions/"),
    ("draft a motion", "/motions/new/"),
    ("polls", "/polls/"),
    ("ballot (open poll)", "/polls/{open_poll}/"),
    ("new poll", "/polls/new/?node={node}"),
    ("results", "/polls/{poll}/results/"),
    ("minutes", "/polls/{poll}/minutes/"),
    ("federation tree", "/nodes/"),
    ("committee", "/nodes/{node}/"),
    ("invitations", "/accounts/invitations/{node}/"),
    ("profile", "/accounts/me/"),
    ("API tokens", "/accounts/tokens/"),
    ("trustee boards", "/trustees/nodes/{node}/"),
    ("trustee page", "/trustees/boards/{board}/me/"),
    ("incident register", "/incidents/"),
)

PARAGRAPH = (
    "Exigimos la convocatoria inmediata de una asamblea popular con delegados "
    "elegidos en cada comité de base, revocables en todo momento, que deliberen "
    "en castellano, quechua y aimara, y cuyas decisiones se tomen por mayoría "
    "después de una discusión abierta en cada comunidad, barrio y centro de trabajo."
)


@dataclass
class Fetched:
    url: str
    status: int
    wire_bytes: int  # status line + headers + body as received
    body_bytes: int
    raw_bytes: int  # body after decompression
    encoding: str
    cache_control: str
    content_type: str
    body: bytes  # decompressed


class AssetFinder(HTMLParser):
    """Collects the URLs of stylesheets, scripts, icons and images of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and a.get("href"):
            rel = (a.get("rel") or "").lower().split()
            if {"stylesheet", "icon", "preload", "modulepreload", "manifest"} & set(rel):
                self.urls.append(str(a["href"]))
        elif tag in ("script", "img", "source") and a.get("src"):
            self.urls.append(str(a["src"]))


class FormFields(HTMLParser):
    """The hidden inputs of a page's forms (the CSRF token among them)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.hidden[str(a["name"])] = a.get("value") or ""


def build_motion(*, comments: int, amendments: int) -> tuple[str, int]:
    """A committee with a member and a motion in debate, through the services.
    Returns (pseudonym, motion id)."""
    # Model and service modules can only be imported once Django is set up.
    from asamblea.accounts.models import Member
    from asamblea.core.actors import SYSTEM
    from asamblea.federation import services as federation_services
    from asamblea.federation.models import NodeKind, Role
    from asamblea.motions import services as motion_services
    from asamblea.motions.models import AmendmentKind

    node = federation_services.create_node
    assembly = node(actor=SYSTEM, kind=NodeKind.ASSEMBLY, name="Asamblea Nacional")
    region = node(actor=SYSTEM, kind=NodeKind.REGION, name="Puno", parent=assembly)
    zone = node(actor=SYSTEM, kind=NodeKind.ZONE, name="Juliaca", parent=region)
    committee = node(
        actor=SYSTEM,
        kind=NodeKind.COMMITTEE,
        name="Comité de Lucha Santa Bárbara",
        parent=zone,
        seconders_required=0,
    )
    people = [
        Member.objects.create_user(name, PASSWORD)
        for name in ("rosa.quispe", "juan.mamani", "luz.condori", "efrain.huanca")
    ]
    federation_services.add_membership(
        actor=SYSTEM, member=people[0], committee=committee, role=Role.SECRETARY
    )
    for person in people[1:]:
        federation_services.add_membership(actor=SYSTEM, member=person, committee=committee)
    body = "\n\n".join(f"{i + 1}. {PARAGRAPH}" for i in range(6))
    motion = motion_services.submit_motion(
        actor=people[0],
        node=committee,
        title="Por una asamblea popular con delegados revocables",
        body=body,
    )
    for i in range(amendments):
        motion_services.propose_amendment(
            actor=people[1 + i % 3],
            motion=motion,
            kind=AmendmentKind.REPLACE_PARAGRAPH,
            paragraph=i % 6,
            text=f"{i + 1}. {PARAGRAPH[: 120 + 20 * i]}, con actas públicas.",
            rationale="Las actas públicas permiten que cada comunidad controle a sus delegados.",
        )
    parent = None
    for i in range(comments):
        comment = motion_services.add_comment(
            actor=people[i % 4],
            motion=motion,
            body=f"Comentario {i + 1}: {PARAGRAPH[: 90 + 15 * (i % 5)]}",
            parent=parent if i % 3 == 2 else None,
        )
        parent = comment
    return people[0].pseudonym, motion.pk


def build_trustee_seat(pseudonym: str) -> int:
    """A board of one trustee (the motion's secretary) for the motion's
    committee, in the announce round. Returns the board id."""
    from asamblea.accounts.models import Member
    from asamblea.core.actors import SYSTEM
    from asamblea.trustees import engine
    from asamblea.trustees import services as trustee_services

    member = Member.objects.get(pseudonym=pseudonym)
    committee = member.memberships.get().node
    board = trustee_services.create_board(actor=SYSTEM, node=committee, size=1, threshold=1)
    trustee_services.appoint_trustee(actor=SYSTEM, board=board, member=member)
    _secret, public = engine.new_communication_keys()
    trustee_services.register_key(actor=member, board=board, communication_key=public)
    trustee_services.confirm_key_file(actor=member, board=board)
    trustee_services.start_ceremony(actor=SYSTEM, board=board)
    return board.pk


def build_polls(pseudonym: str) -> tuple[int, int, int]:
    """A question put to the motion's committee, voted by everyone and closed
    (for its minutes), and another left open with a closing time (for the
    ballot). Returns the closed poll's id, the open one's and the committee's."""
    from asamblea.accounts.models import Member
    from asamblea.federation.models import Membership
    from asamblea.voting import services as voting_services
    from asamblea.voting.spec import PollSpec

    secretary = Member.objects.get(pseudonym=pseudonym)
    committee = Membership.objects.get(member=secretary).node
    poll = voting_services.create_poll(
        actor=secretary,
        node=committee,
        spec=PollSpec(
            question="¿Convocamos la asamblea popular el sábado?", quorum_num=3, quorum_den=10
        ),
    )
    voting_services.open_poll(actor=secretary, poll=poll)
    for i, membership in enumerate(Membership.objects.filter(node=committee)):
        voting_services.cast_ballot(
            voter=membership.member, poll=poll, choice=["yes" if i % 3 else "no"]
        )
    voting_services.close_poll(actor=secretary, poll=poll)
    still_open = voting_services.create_poll(
        actor=secretary,
        node=committee,
        spec=PollSpec(
            question="¿Marchamos a la plaza el lunes?",
            description=PARAGRAPH,
            quorum_num=3,
            quorum_den=10,
        ),
    )
    voting_services.open_poll(actor=secretary, poll=still_open)
    return poll.pk, still_open.pk, committee.pk


def build_booth_poll(pseudonym: str) -> int:
    """An open encrypted 5-option approval poll of the motion's committee,
    with a standing key from an in-process ceremony, after the secretary
    registered a voting key (so the booth is the way to vote). Returns its id."""
    from asamblea.accounts.models import Member
    from asamblea.federation.models import Membership
    from asamblea.voting import services as voting_services
    from asamblea.voting.encrypted import keys
    from asamblea.voting.encrypted import services as encrypted_services
    from asamblea.voting.spec import PollSpec
    from secret_ballot.credentials import VotingKeyPair
    from secret_ballot.dkg import transcript_to_json
    from secret_ballot.election import Parameters, TrusteeInfo
    from secret_ballot.group import Scalar, base_mul
    from secret_ballot.trustee import Trustee, run_ceremony

    comms = [Scalar.random() for _ in range(3)]
    params = Parameters(
        "bench-booth",
        2,
        tuple(TrusteeInfo(i, f"T{i}", base_mul(d)) for i, d in enumerate(comms, start=1)),
    )
    trustees = [Trustee.create(params, i, comms[i - 1]) for i in range(1, 4)]
    transcript, outcome = run_ceremony(trustees)
    if outcome.joint_key is None:
        raise SystemExit("the bench's key ceremony failed")
    source = keys.ElectionKeySource(
        parameters_json=params.to_json(),  # type: ignore[arg-type]
        joint_key=outcome.joint_key.hex(),
        verification_keys=tuple(vk.hex() for vk in outcome.verification_keys),
        qualified=outcome.qualified,
        ceremony_json=transcript_to_json(transcript),  # type: ignore[arg-type]
    )
    keys.register_key_source(lambda poll: source)
    secretary = Member.objects.get(pseudonym=pseudonym)
    encrypted_services.register_voting_key(
        member=secretary, public_key=VotingKeyPair.generate().public.hex()
    )
    committee = Membership.objects.get(member=secretary).node
    poll = voting_services.create_poll(
        actor=secretary,
        node=committee,
        spec=PollSpec(
            question="¿Qué acciones apoyamos esta semana?",
            method="approval",
            options=("Marcha", "Paro", "Vigilia", "Olla común", "Asamblea abierta"),
            max_choices=2,
            encrypted=True,
        ),
    )
    voting_services.open_poll(actor=secretary, poll=poll)
    keys.register_key_source(None)
    return poll.pk


def measure_booth(
    opener: urllib.request.OpenerDirector, base: str, poll_id: int
) -> tuple[list[Fetched], Fetched]:
    """Everything the booth's first load transfers: the HTML, its assets, the
    modules they import (followed to the end) and the election from the API;
    and the later load (HTML only)."""
    url = f"{base}/polls/{poll_id}/booth/"
    html = fetch(opener, url)
    if html.status != 200 or 'id="booth"' not in html.body.decode("utf-8"):
        raise SystemExit(f"{url} answered {html.status} without the booth")
    finder = AssetFinder()
    finder.feed(html.body.decode("utf-8"))
    fetched = [html, *fetch_assets(opener, url, finder.urls)]
    fetched.append(fetch(opener, f"{base}/api/v1/polls/{poll_id}/encrypted/election"))
    return fetched, fetch(opener, url)


def fetch(opener: urllib.request.OpenerDirector, url: str, data: bytes | None = None) -> Fetched:
    """GET (or POST ``data``) with ``Accept-Encoding: gzip``; count the bytes on the wire."""
    request = urllib.request.Request(url, data=data, headers={"Accept-Encoding": "gzip"})  # noqa: S310
    response: HTTPResponse = opener.open(request, timeout=30)
    with response:
        body = response.read()
        status_line = f"HTTP/1.1 {response.status} {response.reason}\r\n"
        header_bytes = sum(len(k) + len(v) + 4 for k, v in response.getheaders()) + 2
        encoding = response.headers.get("Content-Encoding", "")
        raw = gzip.decompress(body) if encoding == "gzip" else body
        return Fetched(
            url=response.url,
            status=response.status,
            wire_bytes=len(status_line) + header_bytes + len(body),
            body_bytes=len(body),
            raw_bytes=len(raw),
            encoding=encoding or "identity",
            cache_control=response.headers.get("Cache-Control", ""),
            content_type=response.headers.get("Content-Type", ""),
            body=raw,
        )


def sign_in(opener: urllib.request.OpenerDirector, base: str, pseudonym: str) -> None:
    page = fetch(opener, f"{base}/accounts/login/")
    fields = FormFields()
    fields.feed(page.body.decode("utf-8"))
    form = {**fields.hidden, "pseudonym": pseudonym, "password": PASSWORD}
    done = fetch(opener, f"{base}/accounts/login/", urllib.parse.urlencode(form).encode())
    if done.url.rstrip("/").endswith("/accounts/login"):
        raise SystemExit("sign-in failed: the login form came back")


MODULE_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;'"]*?['"](\.{1,2}/[^'"]+)['"]""", re.M)


def fetch_assets(opener: urllib.request.OpenerDirector, url: str, urls: list[str]) -> list[Fetched]:
    """Every asset, and the modules each JavaScript module imports, once each."""
    queue = [urllib.parse.urljoin(url, u) for u in urls]
    seen: set[str] = set()
    out: list[Fetched] = []
    while queue:
        address = queue.pop(0)
        if address in seen:
            continue
        seen.add(address)
        asset = fetch(opener, address)
        out.append(asset)
        if "javascript" in asset.content_type:
            imports = MODULE_IMPORT.findall(asset.body.decode("utf-8", "replace"))
            queue += [urllib.parse.urljoin(address, u) for u in imports]
    return out


def measure_page(
    opener: urllib.request.OpenerDirector, url: str
) -> tuple[int, Fetched, list[Fetched]]:
    """First-load bytes of the page at ``url`` (HTML and every asset), its
    later load (HTML only) and its assets."""
    html = fetch(opener, url)
    if html.status != 200 or "text/html" not in html.content_type:
        raise SystemExit(f"{url} answered {html.status} {html.content_type}")
    finder = AssetFinder()
    finder.feed(html.body.decode("utf-8"))
    assets = fetch_assets(opener, url, finder.urls)
    later = fetch(opener, url)
    return html.wire_bytes + sum(a.wire_bytes for a in assets), later, assets


def describe(f: Fetched) -> str:
    path = urllib.parse.urlsplit(f.url).path
    return (
        f"   {path}: {f.wire_bytes:,} B on the wire ({f.body_bytes:,} B {f.encoding} body, "
        f"{f.raw_bytes:,} B uncompressed); Cache-Control: {f.cache_control or '-'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="same as the default (it is quick)")
    parser.add_argument("--comments", type=int, default=12)
    parser.add_argument("--amendments", type=int, default=3)
    parser.add_argument("--database-url", help="default: SQLite in a throwaway instance folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="asamblea-bench-pages-") as tmp:
        instance = Path(tmp)
        url = args.database_url or f"sqlite:///{instance / 'bench.sqlite3'}"
        env = {
            "ASAMBLEA_INSTANCE_DIR": str(instance),
            "ASAMBLEA_MANIFEST_STATIC": "1",
            "ASAMBLEA_DEBUG": "0",
        }
        setup_django(url, **env)
        migrate()
        call_command("collectstatic", interactive=False, verbosity=0)
        facts = machine_facts()
        facts["database"] = url.split(":", 1)[0]
        print_header("page_weight: the main pages", facts)
        pseudonym, motion_id = build_motion(comments=args.comments, amendments=args.amendments)
        poll_id, open_poll_id, committee_id = build_polls(pseudonym)
        booth_poll_id = build_booth_poll(pseudonym)
        board_id = build_trustee_seat(pseudonym)

        with served_app({**env, "DATABASE_URL": url}) as served:
            base = served.base
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            others = {name: measure_page(opener, f"{base}{path}") for name, path in VISITOR_PAGES}
            sign_in(opener, base, pseudonym)
            page_url = f"{base}/motions/{motion_id}/"
            html = fetch(opener, page_url)
            if html.status != 200 or "text/html" not in html.content_type:
                raise SystemExit(f"the motion page answered {html.status} {html.content_type}")
            finder = AssetFinder()
            finder.feed(html.body.decode("utf-8"))
            assets = [fetch(opener, urllib.parse.urljoin(page_url, u)) for u in finder.urls]
            later = fetch(opener, page_url)
            ids = {
                "poll": poll_id,
                "open_poll": open_poll_id,
                "node": committee_id,
                "board": board_id,
            }
            for name, path in MEMBER_PAGES:
                others[name] = measure_page(opener, f"{base}{path.format(**ids)}")
            booth, booth_later = measure_booth(opener, base, booth_poll_id)

    # A page that does not show the motion yet would weigh misleadingly little.
    text = html.body.decode("utf-8")
    shown = {
        "title": "Por una asamblea popular" in text,
        "body": PARAGRAPH[:60] in text,
        "amendments": "actas públicas" in text,
        "comments": "Comentario 1:" in text,
    }

    first_total = html.wire_bytes + sum(a.wire_bytes for a in assets)
    print(f"   motion {motion_id}: {args.amendments} amendments, {args.comments} comments")
    print(describe(html))
    print(f"   content on the page: {shown}")
    for asset in assets:
        print(describe(asset))
    print(describe(later) + " (later load)")
    met_first = print_target("first load", first_total, TARGET_FIRST_BYTES, "B", at_most=True)
    met_later = print_target("later load", later.wire_bytes, TARGET_LATER_BYTES, "B", at_most=True)
    other_rows: dict[str, dict[str, Any]] = {}
    motion_assets = {urllib.parse.urlsplit(a.url).path for a in assets}
    for name, (first_bytes, later_page, page_assets) in others.items():
        print(f"   {name}:")
        print(describe(later_page) + " (later load)")
        for asset in page_assets:
            if urllib.parse.urlsplit(asset.url).path not in motion_assets:
                print(describe(asset))
        other_rows[name] = {
            "first_load_bytes": first_bytes,
            "later_load_bytes": later_page.wire_bytes,
            "targets_met": {
                "first_load": print_target(
                    f"{name}: first load", first_bytes, TARGET_FIRST_BYTES, "B", at_most=True
                ),
                "later_load": print_target(
                    f"{name}: later load",
                    later_page.wire_bytes,
                    TARGET_LATER_BYTES,
                    "B",
                    at_most=True,
                ),
            },
        }
    heaviest_first = max(other_rows.items(), key=lambda kv: kv[1]["first_load_bytes"])
    heaviest_later = max(other_rows.items(), key=lambda kv: kv[1]["later_load_bytes"])
    print(
        f"   {len(other_rows) + 1} pages; heaviest first load: {heaviest_first[0]}"
        f" {heaviest_first[1]['first_load_bytes']:,} B; heaviest later load:"
        f" {heaviest_later[0]} {heaviest_later[1]['later_load_bytes']:,} B"
    )
    booth_first = sum(f.wire_bytes for f in booth)
    print("   booth of an encrypted 5-option approval poll:")
    for f in booth:
        print(describe(f))
    print(describe(booth_later) + " (later load)")
    met_booth = print_target(
        "booth: first load", booth_first, TARGET_BOOTH_BYTES, "B", at_most=True
    )
    booth_not_immutable = [
        urllib.parse.urlsplit(f.url).path
        for f in booth
        if "/static/" in f.url and "immutable" not in f.cache_control
    ]
    if booth_not_immutable:
        print(f"   booth files not cached as immutable: {booth_not_immutable}")
    uncached = [a.url for a in assets if "immutable" not in a.cache_control]
    if uncached:
        print(f"   not cached as immutable: {uncached}")

    def row(f: Fetched) -> dict[str, Any]:
        return {
            "path": urllib.parse.urlsplit(f.url).path,
            "wire_bytes": f.wire_bytes,
            "body_bytes": f.body_bytes,
            "uncompressed_bytes": f.raw_bytes,
            "encoding": f.encoding,
            "cache_control": f.cache_control,
        }

    emit(
        {
            "bench": "page_weight",
            **facts,
            "amendments": args.amendments,
            "comments": args.comments,
            "html": row(html),
            "assets": [row(a) for a in assets],
            "later_html": row(later),
            "first_load_bytes": first_total,
            "later_load_bytes": later.wire_bytes,
            "targets": {
                "first_load_bytes": TARGET_FIRST_BYTES,
                "later_load_bytes": TARGET_LATER_BYTES,
            },
            "targets_met": {"first_load": met_first, "later_load": met_later},
            "assets_not_immutable": uncached,
            "other_pages": other_rows,
            "booth": {
                "files": [row(f) for f in booth],
                "first_load_bytes": booth_first,
                "later_load_bytes": booth_later.wire_bytes,
                "target_first_load_bytes": TARGET_BOOTH_BYTES,
                "target_met": met_booth,
                "not_immutable": booth_not_immutable,
            },
            "all_targets_met": met_first
            and met_later
            and met_booth
            and all(all(r["targets_met"].values()) for r in other_rows.values()),
        }
    )


if __name__ == "__main__":
    main()
