from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def footer_links():
    """The operator's links for the footer (settings.FOOTER_LINKS), those that are set, each with its translated name."""
    labels = {"imprint": _("Imprint"), "privacy": _("Privacy"), "contact": _("Contact")}
    return [{"url": url, "label": labels[name]} for name, url in settings.FOOTER_LINKS.items() if url]
