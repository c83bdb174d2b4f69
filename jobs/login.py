"""How django-axes sees a login attempt, and the page it shows a locked-out username (see settings.AXES_*)."""

import math

from axes.conf import settings
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.shortcuts import render

USERNAME_MAX_LENGTH = AccessAttempt._meta.get_field("username").max_length


def attempted_username(request, credentials=None):
    """The username tried, cut to what axes' records hold: longer ones belong to no account anyway."""
    username = (credentials or request.POST).get(settings.AXES_USERNAME_FORM_FIELD)
    return username and username[:USERNAME_MAX_LENGTH]


def locked_out(request, original_response=None, credentials=None):
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(get_cool_off(request).total_seconds() / 60),
    }
    return render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
