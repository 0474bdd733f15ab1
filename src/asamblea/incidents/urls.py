from django.urls import path

from asamblea.incidents import evidence_views, public_views, views

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
    path("committees/<int:committee_id>/", views.committee_list, name="committee"),
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
        "committees/<int:committee_id>/documenters/",
        views.name_documenter,
        name="name_documenter",
    ),
]
