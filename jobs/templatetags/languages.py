from django import template
from django.conf import settings
from django.utils import translation

from jobs.languages import with_listing_fallback

register = template.Library()


@register.inclusion_tag("_language_switcher.html", takes_context=True)
def language_switcher(context, oob=False, stay=False):
    """One button per language, leading to the current page's version in that language (see jobs.languages).

    With `stay`, every language leads back to the current page (for pages outside the language prefixes).
    """
    if stay:
        urls = dict.fromkeys(dict(settings.LANGUAGES), context["request"].get_full_path())
    else:
        urls = context.get("language_urls") or with_listing_fallback({})
    current = translation.get_language()
    languages = [
        {**translation.get_language_info(code), "url": urls[code], "current": code == current}
        for code, _name in settings.LANGUAGES
    ]
    return {"languages": languages, "csrf_token": context.get("csrf_token"), "oob": oob}
