"""Form errors shown as messages, for forms drawn as buttons, checkboxes or a bulk bar
on a page that has no place for an error beside each field."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest


def form_errors_as_messages(*, request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
