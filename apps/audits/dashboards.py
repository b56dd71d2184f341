"""What the state auditors' dashboards read: headline figures, municipalities with their
status, and weekly series for the charts. Every figure is one aggregate query, so a page
costs the same whether the state has five municipalities or 1,300."""

from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from apps.compliance.blocklist import blocked_agency_ids
from apps.municipalities.models import Municipality
from apps.sharing.models import SearchEvent, SharingGrant
from apps.vendors.models import VendorExport

from .models import EvaluationRun, Finding

# The status rule, as the page states it.
STALE_AFTER_DAYS = 45
STATUS_RULE = (
    "Red: at least one open critical finding. Amber: an open high finding, or no upload "
    f"loaded in the last {STALE_AFTER_DAYS} days. Green: neither."
)
OPEN = [Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED, Finding.Status.REMEDIATED]
SEVERITIES = ["critical", "high", "medium", "low"]
FLAGGED_LABELS = ["immigration", "health_care"]


def _open_count(severity: str) -> Subquery:
    counted = (
        Finding.objects.filter(municipality=OuterRef("pk"), status__in=OPEN, severity=severity)
        .order_by()
        .values("municipality")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def municipalities_with_status() -> QuerySet[Municipality]:
    """Every municipality with its open findings by severity, last upload, last evaluation
    and red / amber / green status (see STATUS_RULE). Run in the statewide scope."""
    stale = timezone.now() - timedelta(days=STALE_AFTER_DAYS)
    last_upload = (
        VendorExport.objects.filter(municipality=OuterRef("pk"), status="loaded")
        .order_by("-received_at")
        .values("received_at")[:1]
    )
    last_run = (
        EvaluationRun.objects.filter(municipality=OuterRef("pk"), outcome="succeeded")
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    return Municipality.objects.annotate(
        **{f"open_{severity}": _open_count(severity) for severity in SEVERITIES},
        last_upload=Subquery(last_upload, output_field=DateTimeField()),
        last_evaluation=Subquery(last_run, output_field=DateTimeField()),
    ).annotate(
        status=Case(
            When(open_critical__gt=0, then=Value("red")),
            When(Q(open_high__gt=0) | Q(last_upload__isnull=True) | Q(last_upload__lt=stale),
                 then=Value("amber")),
            default=Value("green"),
            output_field=CharField(),
        ),
        status_rank=Case(
            When(status="red", then=Value(0)), When(status="amber", then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        ),
    )  # fmt: skip


def statewide_figures() -> dict:
    """The headline figures of the statewide dashboard (statewide scope)."""
    now = timezone.now()
    month_ago = now - timedelta(days=30)
    blocked = blocked_agency_ids()
    statuses = municipalities_with_status().aggregate(
        total=Count("pk"),
        red=Count("pk", filter=Q(status="red")),
        amber=Count("pk", filter=Q(status="amber")),
        stale=Count("pk", filter=Q(last_upload__isnull=True)
                    | Q(last_upload__lt=now - timedelta(days=STALE_AFTER_DAYS))),
    )  # fmt: skip
    grants = SharingGrant.objects.filter(status="accepted", direction="outgoing").aggregate(
        active=Count("pk"), blocked=Count("pk", filter=Q(agency_id__in=blocked))
    )
    findings = Finding.objects.filter(status__in=OPEN).aggregate(
        **{severity: Count("pk", filter=Q(severity=severity)) for severity in SEVERITIES}
    )
    flagged = SearchEvent.objects.filter(
        reason_label__in=FLAGGED_LABELS, searched_at__gte=month_ago
    ).count()
    return {
        "municipalities": statuses["total"],
        "reporting": statuses["total"] - statuses["stale"],
        "stale": statuses["stale"],
        "red": statuses["red"],
        "amber": statuses["amber"],
        "active_grants": grants["active"],
        "blocked_grants": grants["blocked"],
        "open_findings": findings,
        "flagged_searches_30d": flagged,
    }


def weekly_series(*, weeks: int = 12) -> dict[str, list[tuple]]:
    """Findings opened and flagged searches per week, oldest first, gaps as zero."""
    now = timezone.now()
    start = (now - timedelta(weeks=weeks - 1)).date()
    start -= timedelta(days=start.weekday())  # weeks begin on Monday, as TruncWeek's do
    opened = dict(
        Finding.objects.filter(first_seen_at__date__gte=start)
        .annotate(week=TruncWeek("first_seen_at"))
        .values_list("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
    )
    flagged = dict(
        SearchEvent.objects.filter(reason_label__in=FLAGGED_LABELS, searched_at__date__gte=start)
        .annotate(week=TruncWeek("searched_at"))
        .values_list("week")
        .annotate(n=Count("searched_at"))
        .values_list("week", "n")
    )
    days = [start + timedelta(weeks=n) for n in range(weeks)]

    def series(counts: dict) -> list[tuple]:
        by_day = {moment.date(): n for moment, n in counts.items()}
        return [(day, by_day.get(day, 0)) for day in days]

    return {"findings_opened": series(opened), "flagged_searches": series(flagged)}


LEVEL_ORDER = ["local", "county", "state", "federal", "tribal", "private", "other"]


def municipality_summary(*, municipality: Municipality) -> dict:
    """Headline figures of one municipality's dashboard (in its scope)."""
    month_ago = timezone.now() - timedelta(days=30)
    grants = SharingGrant.objects.filter(direction="outgoing").aggregate(
        active=Count("pk", filter=Q(status="accepted")),
        pending=Count("pk", filter=Q(status="pending")),
        out_of_state=Count(
            "pk",
            filter=Q(status="accepted")
            & ~Q(agency__state__in=["", municipality.state])
            & ~Q(agency__level="federal"),
        ),
        federal=Count("pk", filter=Q(status="accepted", agency__level="federal")),
    )
    searches = SearchEvent.objects.filter(searched_at__gte=month_ago).aggregate(
        total=Count("searched_at"),
        flagged=Count("searched_at", filter=Q(reason_label__in=FLAGGED_LABELS)),
    )
    findings = Finding.objects.filter(status__in=OPEN).aggregate(
        **{severity: Count("pk", filter=Q(severity=severity)) for severity in SEVERITIES}
    )
    status = municipalities_with_status().get(pk=municipality.pk).status
    return {"grants": grants, "searches_30d": searches, "open_findings": findings,
            "status": status}  # fmt: skip


def searches_by_level(*, weeks: int = 12) -> list[tuple]:
    """[(week, {level: count})], oldest first, for the stacked chart (in scope)."""
    start = (timezone.now() - timedelta(weeks=weeks - 1)).date()
    start -= timedelta(days=start.weekday())
    rows = (
        SearchEvent.objects.filter(searched_at__date__gte=start)
        .annotate(week=TruncWeek("searched_at"))
        .values_list("week", "agency__level")
        .annotate(n=Count("searched_at"))
    )
    counts: dict = {}
    for week, level, n in rows:
        counts.setdefault(week.date(), {})[level] = n
    return [
        (day, counts.get(day, {})) for day in (start + timedelta(weeks=k) for k in range(weeks))
    ]


def top_searching_agencies(*, limit: int = 10, days: int = 90) -> QuerySet:
    since = timezone.now() - timedelta(days=days)
    return (
        SearchEvent.objects.filter(searched_at__gte=since)
        .values("agency_id", "agency__name", "agency__level", "agency__state")
        .annotate(
            searches=Count("searched_at"),
            flagged=Count("searched_at", filter=Q(reason_label__in=FLAGGED_LABELS)),
        )
        .order_by("-searches")[:limit]
    )
