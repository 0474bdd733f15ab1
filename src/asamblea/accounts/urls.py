from django.urls import path

from asamblea.accounts import views

app_name = "accounts"

# Joining and invitations share this namespace but are the federation's
# (``federation.invitation_urls``); the site's urls put the two together.

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.password, name="password"),
    path("me/language/", views.language, name="language"),
    path("language/", views.switch_language, name="switch_language"),
    path("me/contact/", views.contact, name="contact"),
    path("reset/email/", views.email_reset, name="email_reset"),
    path("reset/email/sent/", views.email_reset_sent, name="email_reset_sent"),
    path("reset/email/<uidb64>/<token>/", views.email_reset_confirm, name="email_reset_confirm"),
    path("reset/email/done/", views.email_reset_done, name="email_reset_done"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
