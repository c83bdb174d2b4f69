"""A posting's history: each revision holds one posting with its items, other offices and working languages, and a
restore touches only that posting."""

import reversion
from reversion.models import Version

from jobs.models import POSTING_RELATIONS, Posting


def record(posting, comment, user=None):
    """Save a revision of `posting` as it is now, with its items."""
    with reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.add_to_revision(posting)


def item_models():
    """The models of the rows a posting's revision holds with it: items, other offices, working languages."""
    return [Posting._meta.get_field(related).related_model for related in POSTING_RELATIONS]


def item_versions(version):
    """{item model: the versions of its items in `version`'s revision that belong to `version`'s posting}."""
    posting_id = int(version.object_id)
    items = {}
    for model in item_models():
        kept = Version.objects.get_for_model(model).filter(revision_id=version.revision_id)
        items[model] = [item for item in kept if item.field_dict["posting_id"] == posting_id]
    return items


def revert_posting(version):
    """Bring the posting of `version` back as that revision holds it, leaving every other object alone.

    Items the revision holds replace the posting's current ones; a revision that holds none of the
    posting's items (as older imports recorded) leaves the current items as they are. The posting's row
    is locked, and a posting that still exists keeps its current version stamp: a restore is an edit
    based on the current version, refused like any other edit if a colleague saves first.
    """
    postings = Posting.objects.select_for_update().filter(pk=version.object_id)
    current = postings.values_list("version", flat=True).first()
    items = item_versions(version)
    version.revert()
    if current is not None:
        postings.update(version=current)
    if not any(items.values()):
        return
    for model, versions in items.items():
        model.objects.filter(posting_id=version.object_id).exclude(
            pk__in=[item.object_id for item in versions]
        ).delete()
        for item in versions:
            item.revert()
