"""What the state auditors' dashboards read: headline figures, municipalities with their
status, and weekly series for the charts.

Every figure is one aggregate query over a rollup (`MunicipalityStatus`, one row per
municipality; `SearchDay`, searches per municipality, day, agency and reason label),
never over the searches themselves, so a page costs about the same whether the state
holds a month of searches or ten years of them."""

from datetime import timedelta

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from apps.agencies.models import Agency
from apps.compliance import vocabulary
from apps.compliance.blocklist import blocked_agency_ids
from apps.compliance.models import Severity
from apps.municipalities.models import Municipality
from apps.sharing.models import SearchDay, SharingChange, SharingGrant

from .models import Finding, FindingDay
from .rollups import OPEN_STATUSES

# The status rule, as the page states it.
STALE_AFTER_DAYS = 45
STATUS_RULE = (
    "Red: at least one open critical finding. Amber: an open high finding, or no upload "
    f"loaded in the last {STALE_AFTER_DAYS} days. Green: neither."
)
SEVERITIES = list(Severity.values)
FLAGGED_LABELS = list(vocabulary.FLAGGED_LABELS)


def municipalities_with_status() -> QuerySet[Municipality]:
    """Every municipality with its open findings by severity, grants, last upload, last
    evaluation, uploads ("reporting", or "stale" when none loaded in STALE_AFTER_DAYS) and
    red / amber / green status (see STATUS_RULE), read from the status rollup. Run in the
    statewide scope."""
    stale = timezone.now() - timedelta(days=STALE_AFTER_DAYS)
    counted = {
        name: Coalesce(F(f"status_rollup__{name}"), 0)
        for name in [*(f"open_{severity}" for severity in SEVERITIES),
                     "active_grants", "blocked_grants"]
    }  # fmt: skip
    return Municipality.objects.annotate(
        **counted,
        last_upload=F("status_rollup__last_upload"),
        last_evaluation=F("status_rollup__last_evaluation"),
    ).annotate(
        uploads=Case(
            When(Q(last_upload__isnull=True) | Q(last_upload__lt=stale), then=Value("stale")),
            default=Value("reporting"),
            output_field=CharField(),
        ),
    ).annotate(
        status=Case(
            When(open_critical__gt=0, then=Value("red")),
            When(Q(open_high__gt=0) | Q(uploads="stale"), then=Value("amber")),
            default=Value("green"),
            output_field=CharField(),
        ),
        status_rank=Case(
            When(status="red", then=Value(0)), When(status="amber", then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        ),
    )  # fmt: skip


def _since(days: int):
    """The first local day of the last `days` days, today included."""
    return timezone.localdate() - timedelta(days=days - 1)


def figure_periods() -> dict:
    """The first days of the periods the figures count, for the links to the lists."""
    return {"since_30d": _since(30), "since_90d": _since(90)}


def statewide_figures() -> dict:
    """The headline figures of the statewide dashboard (statewide scope), from the
    rollups: one query over the municipalities' status rows, one over the search days."""
    totals = municipalities_with_status().aggregate(
        total=Count("pk"),
        red=Count("pk", filter=Q(status="red")),
        amber=Count("pk", filter=Q(status="amber")),
        stale=Count("pk", filter=Q(uploads="stale")),
        active_grants=Sum("active_grants"),
        blocked_grants=Sum("blocked_grants"),
        **{severity: Sum(f"open_{severity}") for severity in SEVERITIES},
    )
    flagged = SearchDay.objects.filter(
        reason_label__in=FLAGGED_LABELS, day__gte=_since(30)
    ).aggregate(n=Sum("searches"))["n"]
    return {
        "municipalities": totals["total"],
        "reporting": totals["total"] - totals["stale"],
        "stale": totals["stale"],
        "red": totals["red"],
        "amber": totals["amber"],
        "active_grants": totals["active_grants"] or 0,
        "blocked_grants": totals["blocked_grants"] or 0,
        "open_findings": {severity: totals[severity] or 0 for severity in SEVERITIES},
        "flagged_searches_30d": flagged or 0,
    }


def _week_start(weeks: int):
    start = timezone.localdate() - timedelta(weeks=weeks - 1)
    return start - timedelta(days=start.weekday())  # weeks begin on Monday, as TruncWeek's


def weekly_series(*, weeks: int = 12) -> dict[str, list[tuple]]:
    """Findings opened and flagged searches per week, oldest first, gaps as zero."""
    start = _week_start(weeks)
    opened = dict(
        FindingDay.objects.filter(day__gte=start)
        .annotate(week=TruncWeek("day"))
        .values_list("week")
        .annotate(n=Sum("opened"))
        .values_list("week", "n")
    )
    flagged = dict(
        SearchDay.objects.filter(reason_label__in=FLAGGED_LABELS, day__gte=start)
        .annotate(week=TruncWeek("day"))
        .values_list("week")
        .annotate(n=Sum("searches"))
        .values_list("week", "n")
    )
    days = [start + timedelta(weeks=n) for n in range(weeks)]
    return {
        "findings_opened": [(day, opened.get(day, 0)) for day in days],
        "flagged_searches": [(day, flagged.get(day, 0)) for day in days],
    }


LEVEL_ORDER = list(Agency.Level.values)


def municipality_summary(*, municipality: Municipality) -> dict:
    """Headline figures of one municipality's dashboard (in its scope)."""
    accepted = Q(status=SharingGrant.Status.ACCEPTED)
    grants = SharingGrant.objects.filter(direction=SharingGrant.Direction.OUTGOING).aggregate(
        active=Count("pk", filter=accepted),
        pending=Count("pk", filter=Q(status=SharingGrant.Status.PENDING)),
        out_of_state=Count("pk", filter=accepted & vocabulary.out_of_state_q()),
        federal=Count("pk", filter=accepted & vocabulary.federal_q()),
    )
    searches = SearchDay.objects.filter(day__gte=_since(30)).aggregate(
        total=Sum("searches"),
        flagged=Sum("searches", filter=Q(reason_label__in=FLAGGED_LABELS)),
    )
    findings = Finding.objects.filter(status__in=OPEN_STATUSES).aggregate(
        **{severity: Count("pk", filter=Q(severity=severity)) for severity in SEVERITIES}
    )
    status = municipalities_with_status().get(pk=municipality.pk).status
    return {"grants": grants,
            "searches_30d": {key: n or 0 for key, n in searches.items()},
            "open_findings": findings, "status": status}  # fmt: skip


def searches_by_level(*, weeks: int = 12) -> list[tuple]:
    """[(week, {level: count})], oldest first, for the stacked chart (in scope)."""
    start = _week_start(weeks)
    rows = (
        SearchDay.objects.filter(day__gte=start)
        .annotate(week=TruncWeek("day"))
        .values_list("week", "agency__level")
        .annotate(n=Sum("searches"))
    )
    counts: dict = {}
    for week, level, n in rows:
        counts.setdefault(week, {})[level] = n
    return [
        (day, counts.get(day, {})) for day in (start + timedelta(weeks=k) for k in range(weeks))
    ]


def top_searching_agencies(*, limit: int = 10, days: int = 90) -> QuerySet:
    return (
        SearchDay.objects.filter(day__gte=_since(days))
        .values("agency_id", "agency__name", "agency__level", "agency__state")
        .annotate(
            searches_run=Sum("searches"),
            flagged=Sum("searches", filter=Q(reason_label__in=FLAGGED_LABELS), default=0),
        )
        .order_by("-searches_run")[:limit]
    )


def bulk_acceptances_recent(*, limit: int = 10) -> list[dict]:
    """The latest bulk acceptances (BULK_ACCEPTANCE findings, any status), newest burst
    first, each with who, when, how many, and the blocked agencies among the grants the
    burst accepted (statewide scope). A few queries, whatever the limit."""
    findings = list(
        Finding.objects.filter(rule_code="BULK_ACCEPTANCE")
        .select_related("municipality")
        .order_by("-first_seen_at", "pk")[:limit]
    )
    if not findings:
        return []
    # The burst's acceptances, as the evaluation counted them, narrowed to blocked agencies.
    bursts = Q()
    for finding in findings:
        bursts |= Q(
            municipality_id=finding.municipality_id,
            actor=finding.bulk_actor,
            occurred_at__range=(finding.first_seen_at, finding.last_seen_at),
        )
    accepted = list(
        SharingChange.objects.filter(
            bursts,
            vocabulary.blocked_q("grant__agency_id", blocked=blocked_agency_ids()),
            new_status=SharingGrant.Status.ACCEPTED,
        )
        .exclude(old_status=SharingGrant.Status.ACCEPTED)
        .values_list("municipality_id", "actor", "occurred_at", "grant__agency_id",
                      "grant__agency__name")
    )  # fmt: skip
    events = []
    for finding in findings:
        actor = finding.bulk_actor
        blocked = sorted({
            (agency_name, agency_id)
            for municipality_id, who, at, agency_id, agency_name in accepted
            if municipality_id == finding.municipality_id and who == actor
            and finding.first_seen_at <= at <= finding.last_seen_at
        })  # fmt: skip
        events.append({
            "finding": finding,
            "actor": actor,
            "first_at": finding.first_seen_at,
            "last_at": finding.last_seen_at,
            "accepted": finding.evidence.get("count", 0),
            "blocked_agencies": [{"id": pk, "name": name} for name, pk in blocked],
        })  # fmt: skip
    return events
