from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.posting_list, name="posting_list"),
    path("jobs/<slug:slug>/", views.posting_detail, name="posting_detail"),
]
