from django.db.models import Case, When
from django.http import Http404
from django.views.generic import TemplateView

from apps.audits import dashboards
from apps.audits.models import EvaluationRun
from apps.core.charts import stacked_chart
from apps.sharing.models import SharingChange, SharingGrant
from apps.vendors.selectors import exports_recent


class MunicipalityViewMixin:
    """For views under `/m/<municipality_slug>/`.

    The middleware has already checked membership and entered the scope; this re-checks
    that it did, so a view wired outside that prefix fails closed with 404.
    """

    def dispatch(self, request, *args, **kwargs):
        municipality = getattr(request, "municipality", None)
        if municipality is None or municipality.slug != kwargs.get("municipality_slug"):
            raise Http404
        self.municipality = municipality
        # Objects named in the URL are looked up before the method is: another
        # municipality's id answers 404 whatever the method, never 405.
        self.load_url_objects()
        return super().dispatch(request, *args, **kwargs)

    def load_url_objects(self) -> None:
        """Look up the URL's objects in the municipality's scope; raise Http404 if absent."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipality"] = self.municipality
        return context


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
