from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "asamblea.pledges"
    label = "pledges"
    verbose_name = _("Pledges")

    def ready(self) -> None:
        # Django's place for registrations: the pledges' timed transitions
        # join the scheduler's pass (``core.schedule``).
        from asamblea.pledges import schedule

        schedule.register()
