from django.contrib import admin

from .models import Membership, Municipality


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "county", "state", "police_department", "ori")
    search_fields = ("name", "slug", "ori")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
