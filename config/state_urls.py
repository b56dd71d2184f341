"""The state staff area: every URL here runs across municipalities after a role check
(see `TenantScopeMiddleware`)."""

from django.urls import include, path

from apps.accounts import activity_views
from apps.accounts import views as account_views
from apps.agencies import views as agency_views
from apps.audits import views as audit_views
from apps.compliance import views as compliance_views
from apps.sharing import views as sharing_views

app_name = "state"

administration_patterns = (
    [
        path("", account_views.UserListView.as_view(), name="home"),
        path("accounts/new/", account_views.AccountEditView.as_view(), name="account_add"),
        path(
            "accounts/<int:user_id>/",
            account_views.AccountEditView.as_view(),
            name="account_edit",
        ),
        path("lockouts/", account_views.LockoutListView.as_view(), name="lockouts"),
        path("agencies/review/", agency_views.AgencyReviewView.as_view(), name="agency_review"),
        path(
            "agencies/<int:agency_id>/edit/",
            agency_views.AgencyEditView.as_view(),
            name="agency_edit",
        ),
        path(
            "agencies/<int:agency_id>/aliases/",
            agency_views.AgencyAliasAddView.as_view(),
            name="alias_add",
        ),
        path(
            "agencies/<int:agency_id>/aliases/<int:alias_id>/remove/",
            agency_views.AgencyAliasRemoveView.as_view(),
            name="alias_remove",
        ),
        path("rules/", compliance_views.CatalogueListView.as_view(), name="catalogue"),
        path(
            "rules/<str:kind>/new/",
            compliance_views.CatalogueEditView.as_view(),
            name="catalogue_add",
        ),
        path(
            "rules/<str:kind>/<int:pk>/",
            compliance_views.CatalogueEditView.as_view(),
            name="catalogue_edit",
        ),
    ],
    "administration",
)

urlpatterns = [
    path("", audit_views.StatewideDashboardView.as_view(), name="home"),
    path("findings/", audit_views.StatewideFindingListView.as_view(), name="finding_list"),
    path("engagements/", audit_views.EngagementListView.as_view(), name="engagement_list"),
    path(
        "engagements/<int:engagement_id>/",
        audit_views.EngagementDetailView.as_view(),
        name="engagement_detail",
    ),
    path(
        "engagements/<int:engagement_id>/notes/<int:note_id>/file/",
        audit_views.EngagementNoteFileView.as_view(),
        name="engagement_note_file",
    ),
    path(
        "engagements/<int:engagement_id>/report/",
        audit_views.EngagementReportView.as_view(),
        name="engagement_report",
    ),
    path(
        "engagements/<int:engagement_id>/report.pdf",
        audit_views.EngagementReportPdfView.as_view(),
        name="engagement_report_pdf",
    ),
    path("grants/", sharing_views.StatewideGrantListView.as_view(), name="grant_list"),
    path("searches/", sharing_views.StatewideSearchListView.as_view(), name="search_list"),
    path("activity/", activity_views.ActivityListView.as_view(), name="activity_list"),
    path("agencies/", agency_views.AgencyListView.as_view(), name="agency_list"),
    path(
        "agencies/<int:agency_id>/", agency_views.AgencyDetailView.as_view(), name="agency_detail"
    ),
    path("administration/", include(administration_patterns)),
]
