from django.urls import path

from asamblea.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("join/", views.join, name="join"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password, name="password"),
    path("me/language/", views.language, name="language"),
    path("language/", views.switch_language, name="switch_language"),
    path("me/contact/", views.contact, name="contact"),
    path("invitations/<int:node_id>/", views.invitations, name="invitations"),
    path(
        "invitations/revoke/<int:invitation_id>/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
