from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Job alerts")

    def ready(self):
        from alerts import checks  # noqa: F401  (registers the deployment checks)
