from functools import wraps

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.login import LoginForm
from core.ratelimits import limit_posts


class JobBoardAdminSite(admin.AdminSite):
    site_header = site_title = _("Job board administration")
    index_title = _("Postings, companies and tags")
    login_form = LoginForm

    @method_decorator(limit_posts("login"))
    def login(self, request, extra_context=None):
        """The login, refusing an address that posts too often before any password is hashed."""
        return super().login(request, extra_context)

    def admin_view(self, view, cacheable=False):
        """Every admin view, refusing a query string with a NUL character (PostgreSQL cannot compare text with one)."""
        protected = super().admin_view(view, cacheable)

        @wraps(view)
        def without_nul(request, *args, **kwargs):
            if any("\x00" in key + value for key, values in request.GET.lists() for value in values):
                return HttpResponseBadRequest(gettext("The address contains a NUL character."))
            return protected(request, *args, **kwargs)

        return without_nul

    def get_urls(self):
        view_on_site = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [view_on_site, *super().get_urls()]

    def view_on_site(self, request, content_type_id, object_id):
        """Django's "View on site" redirect, answered only for objects the user may see in this admin."""
        model = get_object_or_404(ContentType, pk=content_type_id).model_class()
        model_admin = self._registry.get(model)
        obj = model_admin and model_admin.get_object(request, object_id)
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404
        return shortcut(request, content_type_id, object_id)
