import json

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from alerts import digests, subscribers
from alerts.models import Digest, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Operators see how many alerts each language has, and export or erase a subscriber's data by address."""

    list_display = ["email", "language", "query", "frequency", "confirmed_at", "paused", "checked_at"]
    list_filter = ["language", "frequency", "paused", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    readonly_fields = ["email", "language", "query", "created_at", "confirmed_at", "checked_at"]
    fields = ["email", "language", "query", "frequency", "paused", "created_at", "confirmed_at", "checked_at"]
    actions = ["export_subscribers", "erase_subscribers"]

    def has_add_permission(self, request):
        return False  # only the subscriber's own confirmation creates an alert

    def changelist_view(self, request, extra_context=None):
        counts = Subscription.objects.values("language").annotate(
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False, paused=False)),
            paused=Count("pk", filter=Q(confirmed_at__isnull=False, paused=True)),
            unconfirmed=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
        by_language = {row["language"]: row for row in counts}
        rows = [
            {"name": name, **by_language.get(code, {"confirmed": 0, "paused": 0, "unconfirmed": 0})}
            for code, name in settings.LANGUAGES
        ]
        return super().changelist_view(request, {**(extra_context or {}), "counts_per_language": rows})

    @admin.action(description=_("Export all data of the selected subscribers' addresses (JSON)"))
    def export_subscribers(self, request, queryset):
        addresses = sorted(set(queryset.values_list("email", flat=True)))
        data = [subscribers.export(email) for email in addresses]
        response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="subscribers.json"'
        return response

    @admin.action(description=_("Erase all alerts of the selected subscribers' addresses"), permissions=["delete"])
    def erase_subscribers(self, request, queryset):
        addresses = set(queryset.values_list("email", flat=True))
        erased = sum(subscribers.erase(email) for email in addresses)
        self.message_user(
            request,
            ngettext("%(count)d alert erased.", "%(count)d alerts erased.", erased) % {"count": erased},
            messages.SUCCESS,
        )


class UnconfirmedFilter(admin.SimpleListFilter):
    title = _("hand-over")
    parameter_name = "unconfirmed"

    def lookups(self, request, model_admin):
        return [("1", _("Cut off: maybe not delivered"))]

    def queryset(self, request, queryset):
        return queryset.unconfirmed() if self.value() == "1" else queryset


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """Digests sent and pending; one cut off while handed to the mail server can be sent again after checking."""

    list_display = ["subject", "subscription", "state", "created_at", "handed_at", "sent_at", "failures", "message_id"]
    list_filter = ["state", UnconfirmedFilter]
    search_fields = ["subscription__email", "message_id"]
    list_select_related = ["subscription"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_send_again_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=_("Send again (only after finding its Message-ID missing from the mail server's log)"),
        permissions=["send_again"],
    )
    def send_again(self, request, queryset):
        sent = sum(digests.send_again(digest) for digest in queryset.unconfirmed().select_related("subscription"))
        self.message_user(
            request, ngettext("%(count)d digest sent.", "%(count)d digests sent.", sent) % {"count": sent}
        )
