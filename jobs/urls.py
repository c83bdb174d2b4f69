from django.urls import path
from django.views.decorators.http import require_safe

from jobs import views
from jobs.catalogue import cached_response
from jobs.feeds import PostingFeed
from jobs.filters import LISTING_PARAMETERS

app_name = "jobs"
urlpatterns = [
    path("", views.posting_list, name="posting_list"),
    path("jobs/<slug:slug>/", views.posting_detail, name="posting_detail"),
    path("jobs/<slug:slug>/seen", views.posting_beacon, {"event": "views"}, name="posting_seen"),
    path("jobs/<slug:slug>/applied", views.posting_beacon, {"event": "apply_clicks"}, name="posting_applied"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("feed/", require_safe(cached_response(parameters=LISTING_PARAMETERS)(PostingFeed())), name="feed"),
]
