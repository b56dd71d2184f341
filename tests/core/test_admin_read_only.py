"""Django's admin at /django-admin/ shows rows and changes none, even for a superuser:
every change goes through the portal's pages and services, which keep its history."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.municipalities.models import Municipality
from apps.vendors.models import Vendor

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_a_superuser_cannot_post_a_change_through_the_admin(client, superuser, municipality_a):
    client.force_login(superuser)
    url = f"/django-admin/municipalities/municipality/{municipality_a.pk}/change/"
    page = client.get(url)

    changed = client.post(url, {"name": "Renamed Park", "slug": "renamed-park", "state": "IL"})
    added = client.post("/django-admin/vendors/vendor/add/", {"name": "Acme", "slug": "acme"})
    deleted = client.post(
        f"/django-admin/municipalities/municipality/{municipality_a.pk}/delete/", {"post": "yes"}
    )
    password = client.post(
        f"/django-admin/accounts/user/{superuser.pk}/password/",
        {"password1": "another-long-password-9", "password2": "another-long-password-9"},
    )

    assert page.status_code == 200 and "Alder Park" in page.content.decode()
    assert (changed.status_code, added.status_code) == (403, 403)
    assert (deleted.status_code, password.status_code) == (403, 403)
    assert Municipality.objects.get(pk=municipality_a.pk).name == "Alder Park"
    assert not Vendor.objects.filter(slug="acme").exists()
    superuser.refresh_from_db()
    assert not superuser.check_password("another-long-password-9")


def test_every_model_in_the_admin_is_read_only(superuser):
    request = RequestFactory().get("/django-admin/")
    request.user = superuser

    assert admin.site._registry, "the admin lists nothing: the check below would be empty"
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        assert model_admin.has_view_permission(request), label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), label
            assert not inline.has_change_permission(request), label
            assert not inline.has_delete_permission(request), label
    assert Group not in admin.site._registry and TOTPDevice not in admin.site._registry
