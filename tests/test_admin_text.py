"""Writing an ad in the admin without JavaScript: the preview of its text."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from jobs.models import Benefit, Requirement
from tests.admin_forms import change_form_data
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory, add_items

pytestmark = pytest.mark.django_db

Kind = Requirement.Kind


def change_page(client, posting):
    return client.get(reverse("admin:jobs_posting_change", args=[posting.pk]))


def save(client, posting, data):
    return client.post(reverse("admin:jobs_posting_change", args=[posting.pk]), data)


@pytest.fixture
def posting():
    posting = PostingFactory(summary="Run **payments**.", description="# Team\n\n• Small\n• Friendly", items=False)
    add_items(posting, Requirement, (Kind.MUST_HAVE, "Python"), (Kind.MUST_HAVE, "SQL"))
    add_items(posting, Benefit, "Bike leasing")
    return posting


def test_the_change_page_previews_the_summary_and_description_as_the_page_shows_them(admin_client, posting):
    response = change_page(admin_client, posting)

    assert "<p>Run <strong>payments</strong>.</p>" in response.text
    assert "<h3>Team</h3>" in response.text
    assert "<li>Small</li>" in response.text
    assert f'data-url="{reverse("admin:jobs_posting_preview")}"' in response.text


def test_a_form_shown_again_previews_the_text_as_submitted(admin_client, posting):
    data = change_form_data(change_page(admin_client, posting)) | {"title": "", "description": "1. First\n2. Second"}

    response = save(admin_client, posting, data)

    assert response.status_code == 200
    assert "<ol>\n<li>First</li>\n<li>Second</li>\n</ol>" in response.text


def test_the_preview_view_renders_posted_text(admin_client):
    response = admin_client.post(reverse("admin:jobs_posting_preview"), {"text": "**Hi** <script>"})

    assert response.status_code == 200
    assert response.text == "<p><strong>Hi</strong> &lt;script&gt;</p>\n"
    assert admin_client.get(reverse("admin:jobs_posting_preview")).status_code == 405


def test_the_preview_view_is_for_staff_who_may_write_postings(client):
    url = reverse("admin:jobs_posting_preview")
    assert client.post(url, {"text": "x"}).status_code == 302

    viewer = HREditorFactory()
    viewer.groups.clear()
    viewer.user_permissions.set(Permission.objects.filter(codename="view_posting"))
    client.force_login(viewer)
    assert client.post(url, {"text": "x"}).status_code == 403

    client.force_login(HREditorFactory(companies=[CompanyFactory()]))
    assert client.post(url, {"text": "x"}).status_code == 200
