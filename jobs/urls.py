from django.urls import path
from django.views.decorators.http import require_safe

from jobs import views
from jobs.catalogue import cached_response
from jobs.feeds import PostingFeed

app_name = "jobs"
urlpatterns = [
    path("", views.posting_list, name="posting_list"),
    path("jobs/<slug:slug>/", views.posting_detail, name="posting_detail"),
    path("feed/", require_safe(cached_response(PostingFeed())), name="feed"),
]
