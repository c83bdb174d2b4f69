from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("_language_switcher.html", takes_context=True)
def language_switcher(context, oob=False, stay=False):
    """One entry per language, leading to the current page's version in that language.

    A page gives its versions as `language_urls` ({code: url}); without them a language leads to its
    home page. Public pages get plain links (core.views.choose_language remembers the choice), so they
    carry no CSRF token and stay cacheable. With `stay`, every language leads back to the current page
    through Django's set_language form (pages outside the language prefixes, such as the admin).
    """
    current = translation.get_language()
    if stay:
        urls = dict.fromkeys(dict(settings.LANGUAGES), context["request"].get_full_path())
    else:
        urls = context.get("language_urls") or {
            code: translate_url(f"/{current}/", code) for code, _name in settings.LANGUAGES
        }
    languages = [
        {
            **translation.get_language_info(code),
            "url": urls[code],
            "choose_url": ""
            if stay
            else f"{reverse('choose_language', args=[code])}?{urlencode({'next': urls[code]})}",
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"languages": languages, "csrf_token": context.get("csrf_token"), "oob": oob}
