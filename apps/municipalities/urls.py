from django.urls import path

from apps.vendors import views as export_views

from . import views

app_name = "municipality"

urlpatterns = [
    path("", views.MunicipalityHomeView.as_view(), name="home"),
    path("exports/", export_views.ExportListView.as_view(), name="export_list"),
    path("exports/<int:export_id>/", export_views.ExportDetailView.as_view(), name="export_detail"),
    path(
        "exports/<int:export_id>/progress/",
        export_views.ExportProgressView.as_view(),
        name="export_progress",
    ),
    path(
        "exports/<int:export_id>/errors.csv",
        export_views.ExportErrorReportView.as_view(),
        name="export_errors",
    ),
]
