"""The fictional demo register loads through the services, once."""

from __future__ import annotations

from asamblea.federation.access import Viewer
from asamblea.incidents import demo, public, selectors, services
from asamblea.incidents.models import Incident, Person


def test_demo_incidents_are_fictional_and_load_once(fed):
    incidents = demo.load_demo_incidents(
        committee=fed.committee_a1,
        secretary=fed.secretary,
        documenters=(fed.member, fed.other_member),
    )
    assert len(incidents) == 3
    assert all(i.public_summary.startswith(demo.FICTIONAL) for i in incidents)
    assert all(demo.DEMO_TAG in i.tags for i in incidents)
    again = demo.load_demo_incidents(
        committee=fed.committee_a1,
        secretary=fed.secretary,
        documenters=(fed.member, fed.other_member),
    )
    assert {i.pk for i in again} == {i.pk for i in incidents}
    assert Incident.objects.count() == 3
    assert Person.objects.count() == 3
    assert [p["public_summary"][:16] for p in map(public.project, public.public_incidents())] == [
        demo.FICTIONAL
    ]
    key = services.unlock_register(
        actor=fed.other_member, committee=fed.committee_a1, passphrase=demo.DEMO_PASSPHRASES[1]
    )
    view = selectors.incident_view(
        viewer=Viewer.of(fed.other_member), incident=incidents[0], key=key
    )
    assert view.acts[0].victim.names == "Persona Ficticia Uno"
