"""An operator puts a question to the whole assembly, members of three committees
vote, and the result rolls up from each committee to the assembly."""

from __future__ import annotations

import re

import pytest

from asamblea.federation.models import NodeKind
from asamblea.voting.models import Poll, PollResult
from tests.browser.flows import log_in, log_out, say_yes
from tests.factories import build_federation, join, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _vote(page, pseudonym: str, poll: Poll, code: str) -> None:
    log_in(page, pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    page.check(f"#ballot input[value='{code}']")
    page.click("#ballot button[type=submit]")
    page.wait_for_selector("#ballot [role=status]")
    log_out(page)


def test_federated_result_rolls_up_to_the_assembly(page):
    fed = build_federation()
    neighbour2 = make_member("vecino2")
    join(neighbour2, fed.committee_a2)

    log_in(page, fed.operator.pseudonym)
    page.goto(f"{page.base_url}/polls/new/?node={fed.assembly.pk}")
    page.fill("#id_question", "¿Convocamos al paro nacional?")
    page.select_option("#id_aggregation", "by_committee_members")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/polls/\d+/$"))
    poll = Poll.objects.get(question="¿Convocamos al paro nacional?")
    page.click(f"form[action$='/polls/{poll.pk}/open/'] button")
    page.wait_for_load_state()
    log_out(page)

    # Santa Bárbara says yes, Villa Hermosa says no, San Blas says yes.
    for pseudonym, code in [
        (fed.member.pseudonym, "0"),
        (fed.other_member.pseudonym, "0"),
        (fed.secretary.pseudonym, "1"),
        (fed.neighbour.pseudonym, "1"),
        (neighbour2.pseudonym, "1"),
        (fed.outsider.pseudonym, "0"),
    ]:
        _vote(page, pseudonym, poll, code)

    log_in(page, fed.operator.pseudonym)
    page.goto(f"{page.base_url}/polls/{poll.pk}/")
    page.click(f"form[action$='/polls/{poll.pk}/close/'] button")
    say_yes(page)
    page.wait_for_load_state()
    page.goto(f"{page.base_url}/polls/{poll.pk}/results/")
    headings = page.locator("details.level summary h3").all_text_contents()
    for node in (fed.assembly, fed.region_a, fed.zone_a, fed.committee_a1, fed.committee_a2):
        assert any(node.name in h for h in headings), (node.name, headings)

    outcomes = dict(
        PollResult.objects.filter(poll=poll, node__kind=NodeKind.COMMITTEE).values_list(
            "node__name", "outcome"
        )
    )
    assert outcomes[fed.committee_a1.name] == "carried"
    assert outcomes[fed.committee_a2.name] == "rejected"
    assembly = PollResult.objects.get(poll=poll, node=fed.assembly)
    # Blocks weighted by entitled members: a1 (3) + b1 (1) yes, a2 (2) no.
    assert assembly.counts["0"] == 4
    assert assembly.counts["1"] == 2
    assert assembly.outcome == "carried"
    page.screenshot(path=str(page.artifacts_dir / "federated-results.png"), full_page=True)
