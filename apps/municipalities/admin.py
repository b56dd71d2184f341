from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin, ReadOnlyTabularInline

from .models import Membership, Municipality


class MembershipInline(ReadOnlyTabularInline):
    model = Membership
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "county", "state", "police_department", "ori")
    search_fields = ("name", "slug", "ori")
    inlines = [MembershipInline]
