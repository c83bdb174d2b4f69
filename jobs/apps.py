from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Job postings")

    def ready(self):
        from jobs.search import connect_signals

        connect_signals()
