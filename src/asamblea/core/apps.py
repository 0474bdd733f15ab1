from django.apps import AppConfig
from django.conf import settings
from django.conf.locale import LANG_INFO


class CoreConfig(AppConfig):
    name = "asamblea.core"
    label = "core"

    def ready(self) -> None:
        # Quechua and Aymara are not in Django's LANG_INFO; without them the
        # language switcher and get_language_info() fail for these locales.
        for code, info in settings.EXTRA_LANG_INFO.items():
            LANG_INFO.setdefault(code, info)
