"""Django's admin at /django-admin/ shows rows and changes none.

Every change to the portal's data goes through its services, which check it and keep
its history and activity entry; an admin form saving a row directly would do neither.
What the admin still offers, to superusers, is a look at rows the portal's pages do not
show whole: municipalities, vendors and the record of each upload.
"""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """No adding, changing or deleting through the admin, whoever signs in."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyModelAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    pass
