from django.urls import path

from asamblea.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:incident_id>/", views.detail, name="detail"),
    path("<int:incident_id>/review/", views.review, name="review"),
    path("<int:incident_id>/archive/", views.archive, name="archive"),
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
