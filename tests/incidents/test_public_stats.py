"""Public statistics and exports: built from the public projection only, no
field outside its whitelist and no count below the minimum, whatever the data;
anyone may read them; exports stream."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import Counter, defaultdict

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asamblea.incidents import exports, public, public_stats
from asamblea.incidents.codes import (
    ActorKind,
    Confidentiality,
    DatePrecision,
    GeoPrecision,
    InvolvementDegree,
    VerificationState,
    ViolationType,
)
from asamblea.incidents.models import Act, Actor, Incident, Involvement, Person
from tests.incidents.test_public import MARKER, incidents

COUNT_CELL = re.compile(r'<td class="count">([^<]*)</td>')
SMALL = f"fewer than {public.PUBLIC_MIN_COUNT}"


@pytest.fixture(autouse=True)
def _fresh_cache(db):
    cache.clear()
    yield
    cache.clear()


def _store(fed, example: Incident, **overrides) -> Incident:
    example.pk = None
    example.uid = uuid.uuid4()
    example.committee = fed.committee_a1
    example.recorded_by = fed.member
    for name, value in overrides.items():
        setattr(example, name, value)
    example.save()
    return example


def _victims(fed, incident: Incident, act_types, actor: Actor | None = None) -> list[Person]:
    persons = []
    for act_type in act_types:
        person = Person.objects.create(
            committee=incident.committee,
            code=f"{MARKER}{uuid.uuid4().hex[:8]}",
            created_by=fed.member,
        )
        act = Act.objects.create(
            incident=incident, victim=person, act_type=act_type, created_by=fed.member
        )
        if actor is not None:
            Involvement.objects.create(act=act, actor=actor, degree=InvolvementDegree.DIRECT)
        persons.append(person)
    return persons


def _read(response) -> str:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _assert_count(value: str) -> None:
    assert value in ("", "0", SMALL) or int(value) >= public.PUBLIC_MIN_COUNT, value


def _assert_no_private(text: str) -> None:
    assert MARKER not in text
    assert "15.12" not in text
    assert "70.65" not in text


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(incidents(), min_size=1, max_size=5),
    st.lists(st.sampled_from(ViolationType.values), max_size=6),
    st.sampled_from(ActorKind.values),
    st.lists(
        st.tuples(
            incidents(),
            st.sampled_from(Confidentiality.values),
            st.sampled_from(VerificationState.values),
        ),
        max_size=3,
    ),
)
def test_no_private_field_and_no_small_count_in_any_public_output(
    fed, examples, acts, kind, others
):
    Involvement.objects.all().delete()
    Act.objects.all().delete()
    Person.objects.all().delete()
    Incident.objects.all().delete()
    Actor.objects.all().delete()
    cache.clear()
    actor = Actor.objects.create(name=f"{MARKER} unit", kind=kind, created_by=fed.member)
    stored = [_store(fed, example) for example in examples]
    _victims(fed, stored[0], acts, actor)
    for example, level, state in others:
        if level == Confidentiality.PUBLIC and state == VerificationState.VERIFIED:
            state = VerificationState.UNDER_REVIEW
        hidden = _store(
            fed, example, confidentiality=level, state=state, public_summary=MARKER + "summary"
        )
        _victims(fed, hidden, acts, actor)
    client = Client()
    assembly = fed.assembly.pk

    page = client.get(f"/incidents/public/{assembly}/")
    assert page.status_code == 200
    html = _read(page)
    _assert_no_private(html)
    for value in COUNT_CELL.findall(html):
        _assert_count(value)

    for chart in public_stats.CHARTS:
        response = client.get(f"/incidents/public/{assembly}/{chart}.csv")
        assert response.status_code == 200
        text = _read(response)
        _assert_no_private(text)
        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            _assert_count(row["documented_count"])
            assert (row["documented_count"] == "") == (row["suppressed"] == "true")

    acled = _read(client.get("/api/v1/incidents/public/acled.csv"))
    _assert_no_private(acled)
    acled_rows = list(csv.reader(io.StringIO(acled)))
    assert tuple(acled_rows[0]) == exports.ACLED_COLUMNS
    assert len(acled_rows) == len(examples) + 1
    fatalities = exports.ACLED_COLUMNS.index("fatalities")
    for row in acled_rows[1:]:
        _assert_count(row[fatalities])
        assert row[exports.ACLED_COLUMNS.index("latitude")] == ""
        assert row[exports.ACLED_COLUMNS.index("admin3")] == ""

    hxl = _read(client.get("/api/v1/incidents/public/hxl.csv"))
    _assert_no_private(hxl)
    hxl_rows = list(csv.reader(io.StringIO(hxl)))
    assert tuple(hxl_rows[0]) == public.PUBLIC_FIELDS
    assert all(tag.startswith("#") for tag in hxl_rows[1])
    for row in hxl_rows[2:]:
        for name in public.COUNT_FIELDS:
            _assert_count(row[public.PUBLIC_FIELDS.index(name)])

    geo = _read(client.get("/api/v1/incidents/public/geojson"))
    _assert_no_private(geo)
    collection = json.loads(geo)
    assert len(collection["features"]) == len(examples)
    for feature in collection["features"]:
        assert tuple(feature["properties"]) == public.PUBLIC_FIELDS
        for name in public.COUNT_FIELDS:
            value = feature["properties"][name]
            assert value is None or value == 0 or value >= public.PUBLIC_MIN_COUNT


def _public(fed, example_date="2023-01-09", **overrides) -> Incident:
    values = {
        "confidentiality": Confidentiality.PUBLIC,
        "state": VerificationState.VERIFIED,
        "admin1": "Puno",
        "admin2": "San Román",
        "geo_precision": GeoPrecision.EXACT,
        "start_date": example_date,
    }
    values.update(overrides)
    example = Incident(
        public_summary="Marcha reprimida",
        start_precision="exact",
        country="PE",
        event_type="protests",
        sub_type="excessive_force",
        violation_types=["killing"],
        fatalities_min=3,
        fatalities_max=4,
    )
    return _store(fed, example, **values)


def test_counts_are_documented_deduplicated_and_suppressed(fed):
    first = _public(fed)
    second = _public(fed)
    _public(fed, example_date="2023-02-01", admin1="Cusco")
    police = Actor.objects.create(name="Policía", kind=ActorKind.POLICE, created_by=fed.member)
    kept, *_others = _victims(fed, first, [ViolationType.KILLING] * 3, police)
    [duplicate] = _victims(fed, second, [ViolationType.KILLING], police)
    duplicate.merged_into = kept
    duplicate.save()
    _victims(fed, second, [ViolationType.TORTURE])

    stats = public_stats.compute(fed.assembly)

    assert stats.month == (
        public_stats.Bucket("2023-01", None),
        public_stats.Bucket("2023-02", None),
    )
    assert stats.region == (public_stats.Bucket("Cusco", None), public_stats.Bucket("Puno", None))
    # Four acts of killing, three persons: the merged one counts once.
    assert stats.act == (
        public_stats.Bucket(ViolationType.KILLING, 3),
        public_stats.Bucket(ViolationType.TORTURE, None),
    )
    assert stats.actor == (public_stats.Bucket(ActorKind.POLICE, 3),)


def test_only_public_verified_unarchived_incidents_of_the_assembly_count(fed):
    for _ in range(3):
        _public(fed)
    _public(fed, confidentiality=Confidentiality.ASSEMBLY)
    _public(fed, state=VerificationState.UNDER_REVIEW)
    _public(fed, archived_at="2024-01-01T00:00Z", archive_reason="error")
    stats = public_stats.compute(fed.assembly)
    assert stats.month == (public_stats.Bucket("2023-01", 3),)


def test_places_are_coarsened_to_the_projection(fed):
    for _ in range(3):
        _public(fed, geo_precision=GeoPrecision.COUNTRY)
    stats = public_stats.compute(fed.assembly)
    assert stats.region == (public_stats.Bucket("", 3),)
    page = Client().get(f"/incidents/public/{fed.assembly.pk}/?region=Puno")
    assert page.status_code == 200
    assert "Nothing documented" in page.content.decode()


def test_anyone_reads_the_statistics_page_with_charts_tables_map_and_downloads(fed):
    for _ in range(4):
        _public(fed)
    response = Client().get(f"/incidents/public/{fed.assembly.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert "<title id=" in html
    assert "<desc id=" in html
    assert "<table" in html
    assert "<script" not in html.split("<svg", 1)[1]
    assert 'style="' not in html
    assert "documented" in html.lower()
    assert f"/incidents/public/{fed.assembly.pk}/month.csv" in html
    assert '<circle cx="' in html  # Puno is on the map
    assert '<td class="count">4</td>' in html


def test_region_page_counts_only_that_region(fed):
    for _ in range(3):
        _public(fed)
    for _ in range(5):
        _public(fed, admin1="Cusco")
    response = Client().get(f"/incidents/public/{fed.assembly.pk}/", {"region": "Cusco"})
    assert response.status_code == 200
    assert '<td class="count">5</td>' in response.content.decode()
    csv_text = _read(
        Client().get(f"/incidents/public/{fed.assembly.pk}/region.csv", {"region": "Cusco"})
    )
    assert csv_text.splitlines()[1:] == ["Cusco,5,false"]


@pytest.mark.parametrize(
    "url",
    [
        "/incidents/public/{committee}/",
        "/incidents/public/999999/",
        "/incidents/public/{assembly}/nope.csv",
        "/incidents/public/{committee}/month.csv",
    ],
)
def test_only_assemblies_and_known_charts_are_found(fed, url):
    url = url.format(committee=fed.committee_a1.pk, assembly=fed.assembly.pk)
    assert Client().get(url).status_code == 404


def test_exports_filter_by_assembly_and_refuse_unknown_ones(fed):
    for _ in range(2):
        _public(fed)
    client = Client()
    ok = client.get("/api/v1/incidents/public/acled.csv", {"assembly": fed.assembly.pk})
    assert ok.status_code == 200
    assert len(_read(ok).splitlines()) == 3
    missing = client.get("/api/v1/incidents/public/acled.csv", {"assembly": fed.committee_a1.pk})
    assert missing.status_code == 404
    bad = client.get("/api/v1/incidents/public/geojson", {"assembly": "x"})
    assert bad.status_code in (400, 422)


def test_acled_row_uses_acled_codes(fed):
    incident = _public(fed)
    text = _read(Client().get("/api/v1/incidents/public/acled.csv"))
    row = dict(zip(exports.ACLED_COLUMNS, list(csv.reader(io.StringIO(text)))[1], strict=True))
    assert row["event_id_cnty"] == f"PER{incident.pk}"
    assert row["event_date"] == "2023-01-01"
    assert row["time_precision"] == "3"
    assert row["event_type"] == "Protests"
    assert row["sub_event_type"] == "Excessive force against protesters"
    assert row["disorder_type"] == "Political violence; Demonstrations"
    assert row["iso"] == "604"
    assert row["country"] == "Peru"
    assert row["admin1"] == "Puno"
    assert row["fatalities"] == "3"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/public/acled.csv",
        "/api/v1/incidents/public/hxl.csv",
        "/api/v1/incidents/public/geojson",
    ],
)
def test_exports_stream_row_by_row(fed, url):
    for _ in range(5):
        _public(fed)
    response = Client().get(url)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    # A chunk per incident (and a header or two): never one whole body.
    assert len(chunks) >= 6


def test_the_export_generator_reads_lazily(fed):
    _public(fed)
    lines = exports.acled_csv()
    header = next(lines)
    assert header.startswith("event_id_cnty,")
    # The rows are read only once the header went out.
    _public(fed)
    assert len(list(lines)) == 2


def test_geojson_points_are_region_centres_never_the_incident(fed):
    _public(fed, latitude=-15.4672, longitude=-70.1582)
    _public(fed, admin1="Nowhere")
    collection = json.loads(_read(Client().get("/api/v1/incidents/public/geojson")))
    geometries = sorted((f["properties"]["admin1"], f["geometry"]) for f in collection["features"])
    assert geometries[0] == ("Nowhere", None)
    assert geometries[1] == ("Puno", {"type": "Point", "coordinates": [-70.0, -14.95]})


def test_the_cache_keeps_regions_apart(fed):
    for _ in range(3):
        _public(fed)
    assert public_stats.statistics(fed.assembly, "puno").month == ()
    assert public_stats.statistics(fed.assembly, "Puno").month == (
        public_stats.Bucket("2023-01", 3),
    )
    assert public_stats.statistics(fed.assembly).month == (public_stats.Bucket("2023-01", 3),)


def test_the_register_home_links_to_the_assembly_statistics(fed, client):
    client.force_login(fed.member)
    html = client.get("/incidents/").content.decode()
    assert f'href="/incidents/public/{fed.assembly.pk}/"' in html


# --- the SQL aggregation against the projection, record by record --------------------


def _counted_from_the_projection(assembly, region) -> public_stats.Statistics:
    """The statistics as the definition states them: every public incident
    through ``public.project``, victims gathered in Python. The oracle of the
    aggregation that ``public_stats.compute`` does in SQL."""
    months: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    counted: set[int] = set()
    region_countries: dict[str, str] = {}
    for row in public_stats.projections(assembly):
        if region is not None and row["admin1"] != region:
            continue
        months[row["period"]] += 1
        regions[row["admin1"]] += 1
        counted.add(row["id"])
        region_countries.setdefault(row["admin1"], row["country"])

    def person(act: Act) -> int:
        return act.victim.merged_into_id or act.victim_id

    by_act: defaultdict[str, set[int]] = defaultdict(set)
    by_actor: defaultdict[str, set[int]] = defaultdict(set)
    for act in Act.objects.select_related("victim"):
        if act.incident_id in counted:
            by_act[act.act_type].add(person(act))
            for involvement in act.involvements.select_related("actor"):
                by_actor[involvement.actor.kind].add(person(act))

    def buckets(sets, order):
        return tuple(
            public_stats.Bucket(key, public.suppress(len(sets[key]))) for key in order if sets[key]
        )

    return public_stats.Statistics(
        month=tuple(public_stats.Bucket(k, public.suppress(months[k])) for k in sorted(months)),
        region=tuple(
            public_stats.Bucket(k, public.suppress(regions[k]))
            for k in sorted(regions, key=lambda r: (r == "", r))
        ),
        act=buckets(by_act, ViolationType.values),
        actor=buckets(by_actor, ActorKind.values),
        region_countries=tuple(sorted(region_countries.items())),
    )


@st.composite
def _registers(draw):
    """Incidents public or not, in two countries, on few days and few regions
    (so that buckets, ties and merged victims meet), with their acts."""
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        rows.append(
            {
                "public": draw(st.booleans()),
                "archived": draw(st.booleans()) and draw(st.booleans()),
                "country": draw(st.sampled_from(["PE", "BO"])),
                "admin1": draw(st.sampled_from(["Puno", "Cusco", "puno", ""])),
                "geo_precision": draw(st.sampled_from(GeoPrecision.values)),
                "start_precision": draw(st.sampled_from(DatePrecision.values)),
                "start_date": draw(st.sampled_from(["2023-01-09", "2023-01-20", "2022-12-31"])),
                "acts": draw(
                    st.lists(
                        st.tuples(
                            st.sampled_from(ViolationType.values[:3]),
                            st.integers(min_value=0, max_value=5),  # which person
                            st.none() | st.sampled_from(ActorKind.values[:3]),
                        ),
                        max_size=6,
                    )
                ),
            }
        )
    merges = draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=3))
    region = draw(st.none() | st.sampled_from(["Puno", "Cusco", "puno", ""]))
    return rows, merges, region


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(_registers())
def test_the_sql_aggregates_equal_the_projection_counted_record_by_record(fed, register):
    rows, merges, region = register
    Involvement.objects.all().delete()
    Act.objects.all().delete()
    Person.objects.update(merged_into=None)
    Person.objects.all().delete()
    Incident.objects.all().delete()
    Actor.objects.all().delete()
    actors = {
        kind: Actor.objects.create(name=f"unit {kind}", kind=kind, created_by=fed.member)
        for kind in ActorKind.values[:3]
    }
    persons = [
        Person.objects.create(committee=fed.committee_a1, code=f"P{n}", created_by=fed.member)
        for n in range(6)
    ]
    for merged, kept in merges:
        if merged != kept and persons[kept].merged_into_id is None:
            Person.objects.filter(pk=persons[merged].pk).update(merged_into=persons[kept])
    for row in rows:
        incident = _public(
            fed,
            example_date=row["start_date"],
            country=row["country"],
            admin1=row["admin1"],
            geo_precision=row["geo_precision"],
            start_precision=row["start_precision"],
            state=VerificationState.VERIFIED if row["public"] else VerificationState.UNDER_REVIEW,
            archived_at="2024-01-01T00:00Z" if row["archived"] else None,
            archive_reason="error" if row["archived"] else "",
        )
        for act_type, which, kind in row["acts"]:
            act = Act.objects.create(
                incident=incident, victim=persons[which], act_type=act_type, created_by=fed.member
            )
            if kind is not None:
                Involvement.objects.create(
                    act=act, actor=actors[kind], degree=InvolvementDegree.DIRECT
                )

    for scope in (fed.assembly, None):
        assert public_stats.compute(scope, region) == _counted_from_the_projection(scope, region)
