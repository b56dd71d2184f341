"""The pages of one municipality, under `/m/<municipality_slug>/` (see
`TenantScopeMiddleware`): its dashboard, findings, sharing and uploads."""

from django.urls import path

from apps.audits import views as finding_views
from apps.sharing import views as sharing_views
from apps.vendors import views as export_views

from . import views

app_name = "municipality"

urlpatterns = [
    path("", views.MunicipalityHomeView.as_view(), name="home"),
    path("findings/", finding_views.FindingListView.as_view(), name="finding_list"),
    path(
        "findings/<int:finding_id>/",
        finding_views.FindingDetailView.as_view(),
        name="finding_detail",
    ),
    path(
        "findings/<int:finding_id>/files/<int:event_id>/",
        finding_views.FindingAttachmentView.as_view(),
        name="finding_attachment",
    ),
    path("grants/", sharing_views.GrantListView.as_view(), name="grant_list"),
    path("grants/<int:grant_id>/", sharing_views.GrantDetailView.as_view(), name="grant_detail"),
    path("searches/", sharing_views.SearchListView.as_view(), name="search_list"),
    path("declarations/", sharing_views.DeclarationListView.as_view(), name="declaration_list"),
    path(
        "declarations/<int:declaration_id>/file/",
        sharing_views.DeclarationFileView.as_view(),
        name="declaration_file",
    ),
    path("exports/", export_views.ExportListView.as_view(), name="export_list"),
    path("exports/<int:export_id>/", export_views.ExportDetailView.as_view(), name="export_detail"),
    path(
        "exports/<int:export_id>/progress/",
        export_views.ExportProgressView.as_view(),
        name="export_progress",
    ),
    path(
        "exports/<int:export_id>/file/",
        export_views.ExportFileView.as_view(),
        name="export_file",
    ),
    path(
        "exports/<int:export_id>/errors.csv",
        export_views.ExportErrorReportView.as_view(),
        name="export_errors",
    ),
    path("formats/", export_views.FormatGuideView.as_view(), name="format_guide"),
    path(
        "formats/<str:key>.<str:ext>",
        export_views.FormatTemplateView.as_view(),
        name="format_template",
    ),
]
