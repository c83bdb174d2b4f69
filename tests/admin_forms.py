"""Submitting admin change forms as a browser would: everything on the page, then one's edits."""

from django import forms


def form_data(form):
    """The POST data a browser sends for `form` as rendered, untouched."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field.widget, forms.MultiWidget):
            for index, part in enumerate(field.field.widget.decompress(value)):
                data[f"{field.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = str(value)
        if field.field.show_hidden_initial and value is not None:
            data[field.html_initial_name] = str(value)
    return data


def change_form_data(response):
    """The POST data of the admin change page in `response`: the form and its inlines."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    return data
