"""Writing an ad in the admin without JavaScript: the preview of its text, and whole lists pasted at once."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from reversion.models import Version

from jobs.models import Benefit, CareerStep, Posting, Requirement, Responsibility
from tests.admin_forms import change_form_data
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory, add_items

pytestmark = pytest.mark.django_db

Kind = Requirement.Kind

THIRTY_BULLETS = "\r\n".join(f"•\tSkill number {n}" for n in range(1, 31))


def change_page(client, posting):
    return client.get(reverse("admin:jobs_posting_change", args=[posting.pk]))


def save(client, posting, data):
    return client.post(reverse("admin:jobs_posting_change", args=[posting.pk]), data)


def texts(items):
    return [(getattr(item, "kind", None), item.text) for item in items.all()]


def priorities(requirements):
    return [item.priority for item in requirements.all()]


@pytest.fixture
def posting():
    posting = PostingFactory(summary="Run **payments**.", description="# Team\n\n• Small\n• Friendly", items=False)
    add_items(posting, Requirement, (Kind.QUALIFICATION, "Python"), (Kind.QUALIFICATION, "SQL"))
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


def test_a_pasted_list_becomes_one_item_per_line_after_the_existing_ones(admin_client, posting):
    data = change_form_data(change_page(admin_client, posting))

    response = save(admin_client, posting, data | {"requirements-paste-technical_skill": THIRTY_BULLETS})

    assert response.status_code == 302
    assert texts(posting.requirements) == [
        (Kind.QUALIFICATION, "Python"),
        (Kind.QUALIFICATION, "SQL"),
        *[(Kind.TECHNICAL_SKILL, f"Skill number {n}") for n in range(1, 31)],
    ]
    assert [item.position for item in posting.requirements.all()] == list(range(1, 33))


def test_every_section_takes_pasted_lists_of_each_kind_in_one_save(admin_client, posting):
    data = change_form_data(change_page(admin_client, posting)) | {
        "responsibilities-paste-primary": "1. Design the API\n2. Review code",
        "responsibilities-paste-secondary": "1) Join the on-call rotation",
        "requirements-paste-qualification": "– Go\n– Kafka",
        "requirements-paste-qualification-preferred": "· Rust",
        "benefits-paste-items": "\tGym\n\tLunch",
        "career_steps-paste-from": "Backend developer, payments",
        "career_steps-paste-to": "Staff engineer\nEngineering manager",
    }

    response = save(admin_client, posting, data)

    assert response.status_code == 302
    assert texts(posting.responsibilities) == [
        ("primary", "Design the API"),
        ("primary", "Review code"),
        ("secondary", "Join the on-call rotation"),
    ]
    assert texts(posting.requirements) == [
        (Kind.QUALIFICATION, "Python"),
        (Kind.QUALIFICATION, "SQL"),
        (Kind.QUALIFICATION, "Go"),
        (Kind.QUALIFICATION, "Kafka"),
        (Kind.QUALIFICATION, "Rust"),
    ]
    assert priorities(posting.requirements) == ["required"] * 4 + ["preferred"]
    assert texts(posting.benefits) == [(None, "Bike leasing"), (None, "Gym"), (None, "Lunch")]
    assert texts(posting.career_steps) == [
        ("from", "Backend developer, payments"),
        ("to", "Staff engineer"),
        ("to", "Engineering manager"),
    ]


def test_pasted_items_are_in_the_postings_history(admin_client, posting):
    data = change_form_data(change_page(admin_client, posting))

    save(admin_client, posting, data | {"benefits-paste-items": "Gym\nLunch"})

    version = Version.objects.get_for_object(posting).first()
    recorded = {(v.content_type.model, v.field_dict.get("text")) for v in version.revision.version_set.all()}
    assert {("benefit", "Gym"), ("benefit", "Lunch")} <= recorded
    assert "Lunch" in version.revision.comment


def test_a_new_posting_takes_pasted_lists_too(admin_client):
    company = CompanyFactory()
    response = admin_client.get(reverse("admin:jobs_posting_add"))
    data = change_form_data(response) | {
        "company": company.pk,
        "language": "en",
        "title": "Platform engineer",
        "slug": "platform-engineer",
        "summary": "Keep it running.",
        "employment_type": "full_time",
        "seniority": "senior",
        "workplace": "onsite",
        "country": "DE",
        "status": "draft",
        "requirements-paste-qualification": THIRTY_BULLETS,
    }

    response = admin_client.post(reverse("admin:jobs_posting_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    posting = Posting.objects.get(slug="platform-engineer")
    assert [item.text for item in posting.requirements.all()] == [f"Skill number {n}" for n in range(1, 31)]


def test_a_row_given_several_lines_becomes_one_item_per_line_in_its_place(admin_client, posting):
    data = change_form_data(change_page(admin_client, posting))
    data["requirements-0-text"] = "• Python 3\r\n• Django that\r\nwraps\r\n• pytest"
    extra = data["requirements-TOTAL_FORMS"]
    data |= {
        f"requirements-{extra}-text": "1. Redis\n2. Celery",
        f"requirements-{extra}-kind": Kind.TECHNICAL_SKILL,
        f"requirements-{extra}-priority": Requirement.Priority.PREFERRED,
    }
    data["requirements-TOTAL_FORMS"] = str(int(extra) + 1)

    response = save(admin_client, posting, data)

    assert response.status_code == 302
    assert texts(posting.requirements) == [
        (Kind.QUALIFICATION, "Python 3"),
        (Kind.QUALIFICATION, "Django that wraps"),
        (Kind.QUALIFICATION, "pytest"),
        (Kind.QUALIFICATION, "SQL"),
        (Kind.TECHNICAL_SKILL, "Redis"),
        (Kind.TECHNICAL_SKILL, "Celery"),
    ]
    assert priorities(posting.requirements)[-2:] == ["preferred", "preferred"]
    assert [item.position for item in posting.requirements.all()] == [1, 2, 3, 4, 5, 6]


def test_a_bullet_typed_into_a_row_is_removed_and_unchanged_rows_are_left_alone(admin_client, posting):
    Benefit.objects.filter(posting=posting).update(text="- Kept as it was")
    data = change_form_data(change_page(admin_client, posting))
    extra = data["requirements-TOTAL_FORMS"]
    data |= {
        f"requirements-{extra}-text": "•\tDocker",
        f"requirements-{extra}-kind": Kind.QUALIFICATION,
        f"requirements-{extra}-priority": Requirement.Priority.REQUIRED,
        "requirements-TOTAL_FORMS": str(int(extra) + 1),
    }

    save(admin_client, posting, data)

    assert texts(posting.requirements)[-1] == (Kind.QUALIFICATION, "Docker")
    assert texts(posting.benefits) == [(None, "- Kept as it was")]


def test_a_conflicting_save_keeps_the_pasted_lists_on_the_form_and_adds_nothing(admin_client, posting):
    mine = change_form_data(change_page(admin_client, posting))
    assert save(admin_client, posting, mine | {"title": "Theirs"}).status_code == 302

    response = save(admin_client, posting, mine | {"requirements-paste-technical_skill": THIRTY_BULLETS})

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert 'id="requirements-paste" open' in response.text
    assert "•\tSkill number 30</textarea>" in response.text
    assert posting.requirements.count() == 2


def test_pasted_items_that_cannot_be_saved_are_refused_with_the_reason(admin_client, posting):
    data = change_form_data(change_page(admin_client, posting))

    response = save(admin_client, posting, data | {"career_steps-paste-to": f"Staff engineer\n{'x' * 201}"})

    assert response.status_code == 200
    assert "Some pasted items cannot be added" in response.text
    assert "Item 2: Ensure this value has at most 200 characters (it has 201)." in response.text
    assert not CareerStep.objects.exists()


def test_a_paste_of_more_than_a_hundred_items_is_refused(admin_client, posting):
    data = change_form_data(change_page(admin_client, posting))
    lines = "\n".join(f"Line {n}" for n in range(101))

    response = save(admin_client, posting, data | {"benefits-paste-items": lines})

    assert response.status_code == 200
    assert "Paste at most 100 items at a time (these are 101)." in response.text
    assert posting.benefits.count() == 1


def test_staff_who_may_not_add_items_get_no_paste_boxes(client, posting):
    editor = HREditorFactory(companies=[posting.company])
    editor.groups.clear()
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_posting", "change_posting", "view_benefit", "change_benefit"])
    )
    client.force_login(editor)

    response = change_page(client, posting)
    assert 'id="benefits-paste"' not in response.text
    data = change_form_data(response) | {"benefits-paste-items": "Gym"}
    save(client, posting, data)
    assert texts(posting.benefits) == [(None, "Bike leasing")]


def test_each_section_has_a_paste_box_per_kind(admin_client, posting):
    response = change_page(admin_client, posting)

    for prefix, model in [
        ("responsibilities", Responsibility),
        ("requirements", Requirement),
        ("career_steps", CareerStep),
    ]:
        for kind in model.Kind:
            assert f'name="{prefix}-paste-{kind.value}"' in response.text
    assert 'name="benefits-paste-items"' in response.text
    assert 'id="requirements-paste" open' not in response.text
