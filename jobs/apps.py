from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("Job postings")

    def ready(self):
        from jobs import catalogue, search
        from jobs.permissions import ensure_hr_editor_group

        search.connect_signals()
        catalogue.connect_signals()
        post_migrate.connect(ensure_hr_editor_group, sender=self)
