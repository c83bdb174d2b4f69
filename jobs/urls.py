from django.urls import path

from jobs import views
from jobs.feeds import PostingFeed

app_name = "jobs"
urlpatterns = [
    path("", views.posting_list, name="posting_list"),
    path("jobs/<slug:slug>/", views.posting_detail, name="posting_detail"),
    path("feed/", PostingFeed(), name="feed"),
]
