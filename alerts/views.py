"""The alert pages: subscribe to a listing's filters, confirm, manage, unsubscribe."""

import logging
import smtplib

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited

from alerts.emails import confirmation_message
from alerts.forms import ManageForm, SubscribeForm
from alerts.models import Frequency, Subscription
from alerts.searches import alert_filterset, alert_query, alert_urls, described, ignored, with_query
from alerts.tokens import InvalidLink, manage_token, read_confirmation, read_manage
from core.ratelimits import limit_posts, rate

logger = logging.getLogger(__name__)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limit_posts("alert_subscribe")
def subscribe(request):
    """The alert for the listing's filters in the URL: says what it matches, asks for an address and a frequency.

    The answer is the same whether or not the address already has this alert, or has had too many mails: a
    confirmation is sent (within the per-address limit) and the page says to look for it.
    """
    language = request.LANGUAGE_CODE
    query = alert_query(request.GET)
    filterset = alert_filterset(query, language)
    form = SubscribeForm(request.POST or None, query=query)
    if request.method == "POST" and form.is_valid():
        email, frequency = form.cleaned_data["email"], Frequency(form.cleaned_data["frequency"])
        try:
            if not too_many_confirmations(request, email):
                send_confirmation(email, language, query, frequency)
        except (OSError, smtplib.SMTPException):
            logger.exception("Confirmation e-mail not sent")
            form.add_error(None, _("The confirmation e-mail could not be sent just now. Please try again later."))
        else:
            return redirect("alerts:sent")
    context = {
        "form": form,
        "query": query,
        "description": described(query, filterset),
        "ignored": ignored(filterset),
        "listing_url": with_query(reverse("jobs:posting_list"), query),
        "language_urls": alert_urls(query, filterset),
    }
    return render(request, "alerts/subscribe.html", context)


def too_many_confirmations(request, email):
    """Counts a confirmation mail to `email`; True past settings.RATE_LIMITS["alert_confirmation"]."""
    return is_ratelimited(
        request, group="alert_confirmation", key=lambda group, request: email, rate=rate, increment=True
    )


def send_confirmation(email, language, query, frequency):
    subscription, _created = Subscription.objects.get_or_create(email=email, language=language, query=query)
    confirmation_message(subscription, frequency).send()


@require_safe
def sent(request):
    return render(request, "alerts/sent.html")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The double opt-in: the link shows a button (link checkers that open links confirm nothing), the button confirms."""
    try:
        subscription, frequency = read_confirmation(token)
    except InvalidLink as invalid:
        return invalid_link(request, invalid.expired)
    if subscription is None:
        return invalid_link(request, expired=False)
    if request.method == "POST":
        subscription.confirm(frequency)
        return redirect("alerts:manage", manage_token(subscription))
    filterset = alert_filterset(subscription.query, subscription.language)
    context = {
        "subscription": subscription,
        "frequency": frequency,
        "description": described(subscription.query, filterset),
    }
    return render(request, "alerts/confirm.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, token):
    """Change how often the alert comes, pause it, or delete it (unsubscribe)."""
    try:
        subscription = read_manage(token)
    except InvalidLink as invalid:
        return invalid_link(request, invalid.expired)
    if subscription is None or not subscription.is_confirmed:
        return render(request, "alerts/gone.html", status=404)
    form = ManageForm(request.POST or None, instance=subscription)
    saved = request.method == "POST" and form.is_valid()
    if saved:
        form.save()
    filterset = alert_filterset(subscription.query, subscription.language)
    context = {
        "form": form,
        "saved": saved,
        "subscription": subscription,
        "description": described(subscription.query, filterset),
        "unsubscribe_url": reverse("alerts:unsubscribe", args=[token]),
    }
    return render(request, "alerts/manage.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks; POST deletes the alert. Mail clients POST here with no cookie for one-click unsubscription (RFC 8058):
    the signed token is the credential, so there is no CSRF token to check."""
    try:
        subscription = read_manage(token)
    except InvalidLink as invalid:
        return invalid_link(request, invalid.expired)
    if request.method == "POST":
        if subscription is not None:
            subscription.delete()
        return render(request, "alerts/unsubscribed.html")
    if subscription is None:
        return render(request, "alerts/unsubscribed.html")
    filterset = alert_filterset(subscription.query, subscription.language)
    context = {"subscription": subscription, "description": described(subscription.query, filterset)}
    return render(request, "alerts/unsubscribe.html", context)


def invalid_link(request, expired):
    return render(request, "alerts/invalid_link.html", {"expired": expired}, status=400)
