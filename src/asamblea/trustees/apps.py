from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrusteesConfig(AppConfig):
    name = "asamblea.trustees"
    label = "trustees"
    verbose_name = _("Trustee boards")
