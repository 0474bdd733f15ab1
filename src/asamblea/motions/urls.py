from django.urls import path

from asamblea.motions import views

app_name = "motions"

urlpatterns = [
    path("", views.motion_list, name="list"),
    path("new/", views.motion_create, name="create"),
    path("<int:motion_id>/", views.motion_detail, name="detail"),
    path("<int:motion_id>/edit/", views.motion_edit, name="edit"),
    path("<int:motion_id>/second/", views.motion_second, name="second"),
    path("<int:motion_id>/withdraw/", views.motion_withdraw, name="withdraw"),
    path("<int:motion_id>/comments/", views.comment_add, name="comment"),
    path("<int:motion_id>/amendments/", views.amendment_propose, name="amend"),
    path("<int:motion_id>/versions/", views.motion_versions, name="versions"),
    path("<int:motion_id>/diff/", views.motion_diff, name="diff"),
    path(
        "amendments/<int:amendment_id>/withdraw/",
        views.amendment_withdraw,
        name="amendment_withdraw",
    ),
]
