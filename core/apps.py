from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """Site-wide plumbing that belongs to no feature."""

    name = "core"


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, with the job board's admin site."""

    default = False
    default_site = "core.admin.JobBoardAdminSite"
