from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from asamblea.accounts import urls as accounts_urls
from asamblea.accounts import views as account_views
from asamblea.api.root import api
from asamblea.federation import invitation_urls

handler400 = "asamblea.core.views.error_400"
handler403 = "asamblea.core.views.error_403"
handler404 = "asamblea.core.views.error_404"
handler500 = "asamblea.core.views.error_500"

urlpatterns = [
    # First: every API call would otherwise be tried against each page's
    # pattern before reaching it (no other prefix overlaps /api/v1/).
    path("api/v1/", api.urls),
    path("", include("asamblea.web.urls")),
    path(
        "accounts/",
        include((accounts_urls.urlpatterns + invitation_urls.urlpatterns, accounts_urls.app_name)),
    ),
    path("nodes/", include("asamblea.federation.urls")),
    path("motions/", include("asamblea.motions.urls")),
    path("polls/", include("asamblea.voting.urls")),
    path("incidents/", include("asamblea.incidents.urls")),
    path("calls/", include("asamblea.pledges.urls")),
    path("trustees/", include("asamblea.trustees.urls")),
    # Before the admin's own URLs: its sign-in page gets the attempt limits.
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path(
        "admin/password_change/",
        account_views.admin_password_change,
        name="admin_password_change",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
