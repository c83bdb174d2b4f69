from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from django.views.i18n import set_language

from core import views as core
from core.cache import sitemap_page_only
from core.ratelimits import limit_posts
from jobs.catalogue import cached_response
from jobs.sitemaps import SITEMAPS
from jobs.sitemaps import index as sitemap_index

# /healthz is answered by core.middleware.HealthCheckMiddleware, ahead of the host check.
urlpatterns = [
    path("favicon.ico", require_safe(core.favicon)),
    path("i18n/setlang/", limit_posts("set_language")(set_language), name="set_language"),
    path("i18n/use/<str:code>/", core.choose_language, name="choose_language"),
    path("admin/", admin.site.urls),
    path("robots.txt", TemplateView.as_view(template_name="robots.txt", content_type="text/plain"), name="robots"),
    path(
        "sitemap.xml",
        require_safe(sitemap_page_only(cached_response()(sitemap_index))),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        require_safe(sitemap_page_only(cached_response()(sitemaps.sitemap))),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
urlpatterns += i18n_patterns(
    path("", include("jobs.urls")), path("alerts/", include("alerts.urls")), prefix_default_language=True
)
