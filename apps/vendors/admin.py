from django.contrib import admin

from apps.core.admin import ReadOnlyModelAdmin

from .models import Vendor, VendorExport


@admin.register(Vendor)
class VendorAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "slug")


@admin.register(VendorExport)
class VendorExportAdmin(ReadOnlyModelAdmin):
    list_display = (
        "original_name",
        "municipality",
        "vendor",
        "status",
        "rows_loaded",
        "received_at",
    )
    list_filter = ("status", "vendor")
