from django.urls import path

from asamblea.incidents import (
    evidence_views,
    key_views,
    part_views,
    person_views,
    public_views,
    views,
)

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("public/<int:assembly_id>/", public_views.statistics, name="public_statistics"),
    path(
        "public/<int:assembly_id>/<str:chart>.csv",
        public_views.chart_csv,
        name="public_chart_csv",
    ),
    path("<int:incident_id>/", views.detail, name="detail"),
    path("<int:incident_id>/review/", views.review, name="review"),
    path("<int:incident_id>/archive/", views.archive, name="archive"),
    path("<int:incident_id>/evidence/", evidence_views.upload, name="evidence_upload"),
    path(
        "<int:incident_id>/evidence/package/",
        evidence_views.export_package,
        name="evidence_package",
    ),
    path("evidence/<int:evidence_id>/copy/", evidence_views.working_copy, name="evidence_copy"),
    path("evidence/<int:evidence_id>/original/", evidence_views.original, name="evidence_original"),
    path(
        "evidence/<int:evidence_id>/custody/", evidence_views.custody_log, name="evidence_custody"
    ),
    path(
        "evidence/<int:evidence_id>/timestamp/",
        evidence_views.timestamp,
        name="evidence_timestamp",
    ),
    path("<int:incident_id>/victims/new/", part_views.add_victim, name="add_victim"),
    path("<int:incident_id>/sources/new/", part_views.add_source, name="add_source"),
    path("committees/<int:committee_id>/", views.committee_list, name="committee"),
    path("persons/<int:person_id>/", person_views.person, name="person"),
    path("persons/<int:person_id>/consents/", person_views.record_consent, name="record_consent"),
    path("persons/<int:person_id>/merge/", person_views.merge, name="merge_person"),
    path(
        "consents/<int:consent_id>/withdraw/",
        person_views.withdraw_consent,
        name="withdraw_consent",
    ),
    path("committees/<int:committee_id>/new/", views.record, name="record"),
    path("committees/<int:committee_id>/register/", views.register, name="register"),
    path(
        "committees/<int:committee_id>/register/passphrase/",
        views.choose_passphrase,
        name="passphrase",
    ),
    path("committees/<int:committee_id>/register/unlock/", views.unlock, name="unlock"),
    path("committees/<int:committee_id>/register/lock/", views.lock, name="lock"),
    path(
        "committees/<int:committee_id>/register/give/<int:documenter_id>/",
        views.give_key,
        name="give_key",
    ),
    path(
        "committees/<int:committee_id>/register/rotate/",
        key_views.rotate_key,
        name="rotate_key",
    ),
    path(
        "committees/<int:committee_id>/register/remove/<int:documenter_id>/",
        key_views.remove_key,
        name="remove_key",
    ),
    path(
        "committees/<int:committee_id>/documenters/",
        views.name_documenter,
        name="name_documenter",
    ),
]
