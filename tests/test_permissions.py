"""Who sees and changes what in the admin: HR of company A, HR of company B, a superuser, nobody."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from jobs.models import Posting, Status, Tag
from jobs.permissions import HR_EDITOR_GROUP
from tests.admin_forms import change_form_data
from tests.factories import CompanyFactory, HREditorFactory, PostingFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin_user):
    """Two companies with a posting each, the HR editor of each and a superuser."""
    company_a, company_b = CompanyFactory(name="Acme"), CompanyFactory(name="Bolt")
    return {
        "company_a": company_a,
        "company_b": company_b,
        "posting_a": PostingFactory(company=company_a, title="Acme job"),
        "posting_b": PostingFactory(company=company_b, title="Bolt job"),
        "users": {
            "hr_a": HREditorFactory(companies=[company_a]),
            "hr_b": HREditorFactory(companies=[company_b]),
            "superuser": admin_user,
            "anonymous": None,
        },
    }


def client_as(client, world, who):
    if user := world["users"][who]:
        client.force_login(user)
    return client


def change_url(posting):
    return reverse("admin:jobs_posting_change", args=[posting.pk])


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def is_not_found_redirect(response):
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


@pytest.mark.parametrize(
    ("who", "visible"),
    [("hr_a", ["Acme job"]), ("hr_b", ["Bolt job"]), ("superuser", ["Acme job", "Bolt job"])],
)
def test_posting_list_shows_only_the_users_companies(client, world, who, visible):
    response = client_as(client, world, who).get(reverse("admin:jobs_posting_changelist"))

    assert response.status_code == 200
    assert sorted(posting.title for posting in response.context["cl"].result_list) == visible


def test_the_company_filter_of_the_list_offers_only_the_users_companies(client, world):
    corp = CompanyFactory(name="Corp")
    world["users"]["hr_a"].companies.add(corp)
    PostingFactory(company=corp)

    response = client_as(client, world, "hr_a").get(reverse("admin:jobs_posting_changelist"))

    [companies] = [spec for spec in response.context["cl"].filter_specs if getattr(spec, "field_path", "") == "company"]
    assert [name for _pk, name in companies.lookup_choices] == ["Acme", "Corp"]


def test_the_country_filter_of_the_list_offers_only_the_users_countries(client, world):
    world["posting_b"].country = "JP"
    world["posting_b"].save()

    hr_a = client_as(client, world, "hr_a").get(reverse("admin:jobs_posting_changelist"))

    assert "?country=DE" in hr_a.text
    assert "Japan" not in hr_a.text
    assert "Afghanistan" not in hr_a.text


@pytest.mark.parametrize("view", ["changelist", "add"])
def test_anonymous_visitors_are_sent_to_the_login(client, world, view):
    assert is_login_redirect(client.get(reverse(f"admin:jobs_posting_{view}")))


@pytest.mark.parametrize(
    ("who", "posting", "allowed"),
    [
        ("hr_a", "posting_a", True),
        ("hr_a", "posting_b", False),
        ("hr_b", "posting_a", False),
        ("hr_b", "posting_b", True),
        ("superuser", "posting_a", True),
        ("superuser", "posting_b", True),
    ],
)
@pytest.mark.parametrize("suffix", ["change", "delete", "history", "translate"])
def test_hand_typed_urls_open_only_the_users_postings(client, world, who, posting, allowed, suffix):
    url = reverse(f"admin:jobs_posting_{suffix}", args=[world[posting].pk])

    response = client_as(client, world, who).get(url)

    if allowed:
        assert response.status_code == 200
    else:
        # The same answer as for a posting that does not exist: nothing leaks.
        assert is_not_found_redirect(response)


@pytest.mark.parametrize("suffix", ["change", "delete", "history", "translate"])
def test_hand_typed_urls_send_anonymous_visitors_to_the_login(client, world, suffix):
    url = reverse(f"admin:jobs_posting_{suffix}", args=[world["posting_a"].pk])

    assert is_login_redirect(client.get(url))


def test_hr_cannot_change_another_companys_posting_by_posting_the_form(client, admin_client, world):
    posting = world["posting_b"]
    data = change_form_data(admin_client.get(change_url(posting))) | {"title": "Taken over"}

    response = client_as(client, world, "hr_a").post(change_url(posting), data)

    assert is_not_found_redirect(response)
    posting.refresh_from_db()
    assert posting.title == "Bolt job"


def test_hr_cannot_delete_another_companys_posting(client, world):
    url = reverse("admin:jobs_posting_delete", args=[world["posting_b"].pk])

    response = client_as(client, world, "hr_a").post(url, {"post": "yes"})

    assert is_not_found_redirect(response)
    assert Posting.objects.filter(pk=world["posting_b"].pk).exists()


def test_hr_deletes_their_own_posting(client, world):
    url = reverse("admin:jobs_posting_delete", args=[world["posting_a"].pk])

    response = client_as(client, world, "hr_a").post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Posting.objects.filter(pk=world["posting_a"].pk).exists()


def test_the_company_choices_are_the_users_companies(client, world):
    response = client_as(client, world, "hr_a").get(reverse("admin:jobs_posting_add"))

    field = response.context["adminform"].form.fields["company"]
    assert list(field.queryset) == [world["company_a"]]
    # An HR editor of one company finds it already chosen.
    assert response.context["adminform"].form.initial["company"] == world["company_a"].pk


def test_hr_cannot_add_a_posting_for_another_company(client, world):
    data = {"company": world["company_b"].pk, "title": "Sneaky"}

    response = client_as(client, world, "hr_a").post(reverse("admin:jobs_posting_add"), data)

    assert response.status_code == 200
    assert "company" in response.context["adminform"].form.errors
    assert not Posting.objects.filter(title="Sneaky").exists()


@pytest.mark.parametrize(
    ("who", "companies"), [("hr_a", ["Acme"]), ("hr_b", ["Bolt"]), ("superuser", ["Acme", "Bolt"])]
)
def test_the_company_list_of_the_form_offers_only_the_users_companies(client, world, who, companies):
    response = client_as(client, world, who).get(reverse("admin:jobs_posting_add"))

    options = re.search(r'<select name="company".*?</select>', response.text, re.DOTALL).group()
    assert sorted(re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', options)) == companies


@pytest.mark.parametrize("action", ["archive", "publish_now", "extend_expiry", "duplicate", "delete_selected"])
def test_actions_leave_other_companies_postings_alone(client, world, action):
    posting = world["posting_b"]
    before = Posting.objects.values().get(pk=posting.pk)
    data = {"action": action, "_selected_action": [posting.pk], "post": "yes"}

    client_as(client, world, "hr_a").post(reverse("admin:jobs_posting_changelist"), data)

    assert Posting.objects.values().get(pk=posting.pk) == before
    assert Posting.objects.count() == 2


def test_export_contains_only_the_users_postings(client, world):
    data = {"action": "export_csv", "_selected_action": [world["posting_a"].pk, world["posting_b"].pk]}

    response = client_as(client, world, "hr_a").post(reverse("admin:jobs_posting_changelist"), data)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["title"] for row in rows] == ["Acme job"]
    assert rows[0]["company"] == "Acme"


@pytest.mark.parametrize(("who", "visible"), [("hr_a", ["Acme"]), ("superuser", ["Acme", "Bolt"])])
def test_hr_sees_only_their_companies(client, world, who, visible):
    response = client_as(client, world, who).get(reverse("admin:jobs_company_changelist"))

    assert sorted(company.name for company in response.context["cl"].result_list) == visible


def test_only_superusers_change_companies_and_their_hr_staff(client, world):
    company = world["company_a"]
    url = reverse("admin:jobs_company_change", args=[company.pk])
    data = {"name": "Renamed", "slug": company.slug, "members": [world["users"]["hr_b"].pk]}
    data |= {"descriptions-TOTAL_FORMS": "0", "descriptions-INITIAL_FORMS": "0"}

    assert client_as(client, world, "hr_a").post(url, data).status_code == 403
    company.refresh_from_db()
    assert company.name == "Acme"

    assert client_as(client, world, "superuser").post(url, data).status_code == 302
    assert list(company.members.all()) == [world["users"]["hr_b"]]


def test_superusers_give_users_companies_in_the_user_admin(client, world):
    user = world["users"]["hr_b"]
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = change_form_data(client_as(client, world, "superuser").get(url))
    data |= {"Company_members-TOTAL_FORMS": "2", "Company_members-1-company": str(world["company_a"].pk)}

    response = client.post(url, data)

    assert response.status_code == 302
    assert set(user.companies.all()) == {world["company_a"], world["company_b"]}


def test_hr_may_add_tags_but_not_change_shared_ones(client, world):
    tag = TagFactory(name="Python")
    client_as(client, world, "hr_a")

    add = client.post(reverse("admin:jobs_tag_add"), {"name": "Rust", "slug": "rust"})
    change = client.post(reverse("admin:jobs_tag_change", args=[tag.pk]), {"name": "Snake", "slug": tag.slug})

    assert add.status_code == 302
    assert Tag.objects.filter(slug="rust").exists()
    assert change.status_code == 403


def test_the_hr_editor_group_has_exactly_the_permissions_hr_needs():
    group = Group.objects.get(name=HR_EDITOR_GROUP)

    codenames = set(group.permissions.values_list("codename", flat=True))

    items = {"posting", "responsibility", "requirement", "benefit", "careerstep", "office", "workinglanguage"}
    expected = {f"{action}_{model}" for model in items for action in ("view", "add", "change", "delete")}
    assert codenames == expected | {"view_company", "view_companydescription", "view_tag", "add_tag"}


@pytest.mark.parametrize(("who", "status"), [("hr_a", 200), ("superuser", 200), ("hr_b", 404), ("anonymous", 404)])
@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_only_the_postings_staff_preview_it_before_it_is_public(client, world, who, status, trait):
    posting = PostingFactory(company=world["company_a"], **{trait: True})

    response = client_as(client, world, who).get(posting.get_absolute_url())

    assert response.status_code == status
    if status == 200:
        assert "Preview, not public" in response.text
        assert '<meta name="robots" content="noindex">' in response.text
        assert response["X-Robots-Tag"] == "noindex"
        assert "private" in response["Cache-Control"]


def test_staff_without_a_company_cannot_preview(client, world):
    posting = PostingFactory(company=world["company_a"], draft=True)
    client.force_login(HREditorFactory())

    assert client.get(posting.get_absolute_url()).status_code == 404


def test_a_live_posting_has_no_preview_banner(client, world):
    client_as(client, world, "hr_a")

    response = client.get(world["posting_a"].get_absolute_url())

    assert response.status_code == 200
    assert "Preview, not public" not in response.text


def test_hr_cannot_attach_a_posting_to_another_companys_job(client, world):
    posting = world["posting_a"]
    client_as(client, world, "hr_a")
    data = change_form_data(client.get(change_url(posting)))
    data["translation_group"] = str(world["posting_b"].translation_group)
    data["language"] = "de"

    response = client.post(change_url(posting), data)

    assert response.context["adminform"].form.errors["translation_group"] == [
        "This translation group is another company's job."
    ]


@pytest.mark.parametrize(("who", "found"), [("hr_a", True), ("superuser", True), ("hr_b", False)])
def test_view_on_site_answers_only_for_postings_the_user_may_manage(client, world, who, found):
    draft = world["posting_a"]
    Posting.objects.filter(pk=draft.pk).update(status=Status.DRAFT, slug="secret-draft-slug")
    url = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Posting).pk, draft.pk])

    response = client_as(client, world, who).get(url)

    if found:
        assert response.status_code == 302
        assert "secret-draft-slug" in response["Location"]
    else:
        assert response.status_code == 404
        assert "secret-draft-slug" not in response.text


@pytest.mark.parametrize("object_id", ["999999", "not-a-number", "1/2"])
def test_view_on_site_of_a_missing_object_is_not_found(client, world, object_id):
    url = reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Posting).pk, object_id])

    assert client_as(client, world, "superuser").get(url).status_code == 404


def test_staff_who_may_only_view_postings_cannot_translate_them(client, world):
    viewer = HREditorFactory(companies=[world["company_a"]])
    viewer.groups.clear()
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_posting", "view_company"]))
    client.force_login(viewer)
    url = reverse("admin:jobs_posting_translate", args=[world["posting_a"].pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"language": "de"}).status_code == 403
    assert not Posting.objects.filter(language="de").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/jobs/posting/?language=%00",
        "/admin/jobs/posting/?country=%00",
        "/admin/jobs/posting/?lifecycle=%00",
        "/admin/jobs/posting/?q=a%00b",
        "/admin/jobs/company/?country=%00",
    ],
)
def test_a_nul_character_in_an_admin_address_is_refused_plainly(client, world, url):
    response = client_as(client, world, "superuser").get(url)

    assert response.status_code == 400
    assert "NUL character" in response.text
