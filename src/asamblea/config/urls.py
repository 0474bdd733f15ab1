from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from asamblea.api.root import api

handler400 = "asamblea.core.views.error_400"
handler403 = "asamblea.core.views.error_403"
handler404 = "asamblea.core.views.error_404"
handler500 = "asamblea.core.views.error_500"

urlpatterns = [
    path("", include("asamblea.core.urls")),
    path("accounts/", include("asamblea.accounts.urls")),
    path("nodes/", include("asamblea.federation.urls")),
    path("motions/", include("asamblea.motions.urls")),
    path("polls/", include("asamblea.voting.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
