"""Who may do what: the HR editor group and the company scope of HR staff.

HR editors write their companies' postings: they view, add, change and delete postings
and their items, other offices and working languages, view their companies (and their
descriptions) and the tags, and add tags. Companies, their HR
staff and the group itself are managed by superusers.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from jobs.models import Posting

HR_EDITOR_GROUP = "HR editor"

HR_EDITOR_PERMISSIONS = {
    "posting": ["view", "add", "change", "delete"],
    "responsibility": ["view", "add", "change", "delete"],
    "requirement": ["view", "add", "change", "delete"],
    "benefit": ["view", "add", "change", "delete"],
    "careerstep": ["view", "add", "change", "delete"],
    "office": ["view", "add", "change", "delete"],
    "workinglanguage": ["view", "add", "change", "delete"],
    "company": ["view"],
    "companydescription": ["view"],
    "tag": ["view", "add"],
}


def hr_editor_permissions():
    codenames = Q()
    for model, actions in HR_EDITOR_PERMISSIONS.items():
        codenames |= Q(content_type__model=model, codename__in=[f"{action}_{model}" for action in actions])
    return Permission.objects.filter(codenames, content_type__app_label="jobs")


def ensure_hr_editor_group(**kwargs):
    """Create the HR editor group, or give it back exactly its permissions (run after every migrate)."""
    group, _created = Group.objects.get_or_create(name=HR_EDITOR_GROUP)
    group.permissions.set(hr_editor_permissions())
    return group


def can_preview(user, posting):
    """Staff who may see `posting` in the admin may also see its public page before it is public."""
    return (
        user.is_staff
        and user.has_perm("jobs.view_posting")
        and Posting.objects.managed_by(user).filter(pk=posting.pk).exists()
    )
