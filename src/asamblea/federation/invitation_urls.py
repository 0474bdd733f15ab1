"""Joining by invitation and the invitations pages, mounted under /accounts/ in
the ``accounts`` namespace beside the accounts pages (see config/urls.py)."""

from django.urls import path

from asamblea.federation import invitation_views as views
from asamblea.federation import password_reset_views as resets

urlpatterns = [
    path("reset/", resets.reset_with_code, name="reset"),
    path("reset/code/<int:membership_id>/", resets.issue_code, name="reset_code"),
    path("reset/code/<int:membership_id>/new/", resets.code_created, name="reset_code_created"),
    path("join/", views.join, name="join"),
    path("invitations/<int:node_id>/", views.invitations_page, name="invitations"),
    path(
        "invitations/<int:node_id>/new/",
        views.invitations_created,
        name="invitations_created",
    ),
    path(
        "invitations/revoke/<int:invitation_id>/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
