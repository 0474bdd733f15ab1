"""What a screen reader and a browser find in the pages' markup: help text
linked to its field, no heading without content, an icon."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from asamblea.motions import services as motion_services
from asamblea.voting import services as voting_services
from tests.factories import PASSWORD
from tests.voting.conftest import open_poll

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Markup(HTMLParser):
    """Ids, aria-describedby references, help texts and the headings of a page,
    each heading with whether anything but other headings follows it."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described_by: list[str] = []
        self.help_ids: list[str] = []
        self.icons: list[str] = []
        # (tag, text) per heading; then whether content followed it.
        self.headings: list[list[object]] = []
        self._in_heading: str | None = None
        self._in_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
            if a["id"].endswith("_helptext"):
                self.help_ids.append(a["id"])
        if a.get("aria-describedby"):
            self.described_by.extend(a["aria-describedby"].split())
        if tag == "link" and "icon" in a.get("rel", "").split():
            self.icons.append(a.get("href", ""))
        if tag == "main":
            self._in_main = True
        if not self._in_main:
            return
        if tag in HEADINGS:
            self.headings.append([tag, "", False])
            self._in_heading = tag
        elif self._in_heading is None and self.headings and tag not in VOID | {"div", "section"}:
            self.headings[-1][2] = True

    def sections(self) -> list[tuple[str, str, bool]]:
        """Each heading with whether its section (up to the next heading of
        its level or higher) holds content, its own or a subsection's."""
        result: list[tuple[str, str, bool]] = []
        for i, (tag, text, own) in enumerate(self.headings):
            level = int(str(tag)[1])
            full = bool(own)
            for later_tag, _text, later_own in self.headings[i + 1 :]:
                if int(str(later_tag)[1]) <= level:
                    break
                full = full or bool(later_own)
            result.append((str(tag), str(text), full))
        return result

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in_heading:
            self._in_heading = None
        if tag == "main":
            self._in_main = False

    def handle_data(self, data: str) -> None:
        if not self._in_main or not data.strip() or not self.headings:
            return
        if self._in_heading is not None:
            self.headings[-1][1] = str(self.headings[-1][1]) + data.strip()
        else:
            self.headings[-1][2] = True


def _pages(fed) -> list[tuple[Client, str]]:
    motion = motion_services.submit_motion(
        actor=fed.member, node=fed.committee_a1, title="Marcha", body="Marchamos el jueves."
    )
    poll = open_poll(fed.secretary, fed.committee_a1, method="irv", options=["Ana", "Beto"])
    closed = open_poll(fed.secretary, fed.committee_a1)
    voting_services.close_poll(actor=fed.secretary, poll=closed)
    secretary, member, anonymous, operator = Client(), Client(), Client(), Client()
    operator.login(pseudonym=fed.operator.pseudonym, password=PASSWORD)
    secretary.login(pseudonym=fed.secretary.pseudonym, password=PASSWORD)
    member.login(pseudonym=fed.member.pseudonym, password=PASSWORD)
    return [
        (anonymous, reverse("core:home")),
        # A member of no committee: the dashboard's lists are all empty.
        (operator, reverse("core:home")),
        (operator, reverse("motions:list")),
        (operator, reverse("voting:list") + f"?node={fed.committee_b1.pk}"),
        (anonymous, reverse("accounts:login")),
        (anonymous, reverse("accounts:join")),
        (member, reverse("core:home")),
        (member, reverse("accounts:profile")),
        (member, reverse("accounts:tokens")),
        (member, reverse("motions:list")),
        (member, reverse("motions:create")),
        (member, reverse("motions:detail", args=[motion.pk])),
        (member, reverse("voting:list")),
        (member, reverse("voting:detail", args=[poll.pk])),
        (secretary, reverse("voting:detail", args=[closed.pk])),
        (member, reverse("voting:results", args=[closed.pk])),
        (member, reverse("federation:tree")),
        (secretary, reverse("federation:node", args=[fed.committee_a1.pk])),
        (secretary, reverse("accounts:invitations", args=[fed.committee_a1.pk])),
        (secretary, reverse("voting:create") + f"?node={fed.committee_a1.pk}"),
    ]


def _parse(client: Client, url: str) -> Markup:
    response = client.get(url)
    assert response.status_code == 200, url
    markup = Markup()
    markup.feed(response.content.decode())
    return markup


@pytest.mark.django_db
def test_every_help_text_is_linked_to_its_field_and_every_link_exists(fed):
    for client, url in _pages(fed):
        markup = _parse(client, url)
        missing = [ref for ref in markup.described_by if ref not in markup.ids]
        assert missing == [], f"{url}: aria-describedby names no element: {missing}"
        unlinked = [h for h in markup.help_ids if h not in markup.described_by]
        assert unlinked == [], f"{url}: help text no field points at: {unlinked}"


@pytest.mark.django_db
def test_an_error_is_linked_to_its_field(fed, client_for):
    response = client_for(fed.member).post(reverse("accounts:tokens"), {"name": ""})
    markup = Markup()
    markup.feed(response.content.decode())
    assert "id_name_error" in markup.described_by
    assert "id_name_error" in markup.ids


@pytest.mark.django_db
def test_no_heading_is_empty_or_followed_by_nothing(fed):
    for client, url in _pages(fed):
        markup = _parse(client, url)
        for tag, text, followed in markup.sections():
            assert text, f"{url}: empty <{tag}>"
            assert followed, f"{url}: <{tag}>{text}</{tag}> has no content under it"


@pytest.mark.django_db
def test_every_page_names_an_icon_served_from_this_host(fed, client):
    for page_client, url in _pages(fed):
        (icon,) = _parse(page_client, url).icons
        assert icon.startswith("/static/")
    assert client.get(icon).status_code == 200
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301
    assert favicon["Location"] == icon


@pytest.mark.django_db
def test_api_docs_page_loads_everything_from_this_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    for attr in ("src=", "href="):
        for chunk in html.split(attr)[1:]:
            target = chunk[1:].split(chunk[0], 1)[0]
            assert target.startswith("/"), f"outside resource: {target}"
    # Swagger UI shows a badge fetched from validator.swagger.io unless told not to.
    assert '"validatorUrl": null' in html
