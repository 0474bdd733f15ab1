from django.urls import path

from asamblea.core import views as core_views
from asamblea.web import views

# The namespace stays "core" so that every `{% url 'core:home' %}` and
# redirect written before the dashboard moved here keeps working.
app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("needs/", views.needs_page, name="needs"),
    path("search/", views.search, name="search"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the API's JSON,
    # files opened directly): send them to the one every page links.
    path("favicon.ico", core_views.favicon, name="favicon"),
]
