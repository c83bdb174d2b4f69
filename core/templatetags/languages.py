from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()


@register.inclusion_tag("_language_switcher.html", takes_context=True)
def language_switcher(context, oob=False, stay=False):
    """One button per language, leading to the current page's version in that language.

    A page gives its versions as `language_urls` ({code: url}); without them a language leads to its
    home page. With `stay`, every language leads back to the current page (pages outside the language
    prefixes, such as the admin).
    """
    current = translation.get_language()
    if stay:
        urls = dict.fromkeys(dict(settings.LANGUAGES), context["request"].get_full_path())
    else:
        urls = context.get("language_urls") or {
            code: translate_url(f"/{current}/", code) for code, _name in settings.LANGUAGES
        }
    languages = [
        {**translation.get_language_info(code), "url": urls[code], "current": code == current}
        for code, _name in settings.LANGUAGES
    ]
    return {"languages": languages, "csrf_token": context.get("csrf_token"), "oob": oob}
