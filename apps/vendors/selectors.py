from django.db.models import QuerySet

from .models import VendorExport


def exports_recent(*, limit: int) -> QuerySet[VendorExport]:
    """The latest exports in the active tenant scope."""
    return VendorExport.objects.select_related("vendor", "uploaded_by").order_by("-received_at")[
        :limit
    ]
