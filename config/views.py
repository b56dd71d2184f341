"""The municipality's home page: one summary from each app, so it sits with the wiring
above them all rather than in any one of them."""

from django.db.models import Case, When
from django.views.generic import TemplateView

from apps.audits import dashboards
from apps.audits.models import EvaluationRun
from apps.core.charts import stacked_chart
from apps.municipalities.views import MunicipalityViewMixin
from apps.sharing.models import SharingChange, SharingGrant
from apps.vendors.selectors import exports_recent


class MunicipalityHomeView(MunicipalityViewMixin, TemplateView):
    """The municipality's dashboard, for its staff and for state auditors."""

    template_name = "municipalities/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            summary=dashboards.municipality_summary(municipality=self.municipality),
            periods=dashboards.figure_periods(),
            status_rule=dashboards.STATUS_RULE,
            level_chart=stacked_chart(
                dashboards.searches_by_level(), keys=dashboards.LEVEL_ORDER,
                title="Searches of your data per week, by the searching agency's level",
                unit="searches", label_format="%b %-d",
            ),
            top_agencies=dashboards.top_searching_agencies(),
            grants=SharingGrant.objects.filter(direction="outgoing")
            .select_related("agency")
            .annotate(open_first=Case(When(status="pending", then=0),
                                      When(status="accepted", then=1), default=2))
            .order_by("open_first", "agency__name")[:25],
            grant_total=SharingGrant.objects.filter(direction="outgoing").count(),
            changes=SharingChange.objects.select_related("grant").order_by("-occurred_at")[:15],
            runs=EvaluationRun.objects.order_by("-started_at")[:5],
            recent_exports=exports_recent(limit=5),
        )  # fmt: skip
        return context
