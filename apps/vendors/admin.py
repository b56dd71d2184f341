from django.contrib import admin

from .models import Vendor, VendorExport


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")


@admin.register(VendorExport)
class VendorExportAdmin(admin.ModelAdmin):
    list_display = (
        "original_name",
        "municipality",
        "vendor",
        "status",
        "rows_loaded",
        "received_at",
    )
    list_filter = ("status", "vendor")
    readonly_fields = [f.name for f in VendorExport._meta.fields]
