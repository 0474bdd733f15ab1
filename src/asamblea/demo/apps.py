from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for trying asamblea; sits above every domain app."""

    name = "asamblea.demo"
    label = "demo"
    verbose_name = _("Demo data")
