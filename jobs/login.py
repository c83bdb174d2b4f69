"""The page shown when django-axes has locked out a username from an address (see settings.AXES_*)."""

import math

from axes.conf import settings
from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": math.ceil(get_cool_off(request).total_seconds() / 60),
    }
    return render(request, "admin/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
