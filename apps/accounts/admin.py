import django_otp.plugins.otp_totp.admin  # noqa: F401 - registers TOTPDevice (unregistered below)
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.admin import ReadOnlyAdminMixin

from .forms import AdminSignInForm
from .models import User

# The Django admin's own sign-in page answers too; it checks passwords under the same limits.
admin.site.login_form = AdminSignInForm

# Off the admin altogether: the portal gives no one a group, and authenticators are set
# up by their owners and removed on the account page (both in the activity log); the
# admin's page would show each authenticator's secret as a QR code. The modules that
# register them are imported above, so they are registered by now whatever the order.
admin.site.unregister(Group)
admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(ReadOnlyAdminMixin, DjangoUserAdmin):
    """Accounts change on the portal's account pages, which keep their history."""

    fieldsets = (*DjangoUserAdmin.fieldsets, ("Portal", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
