from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.agencies.services import police_department_agency_ensure, registry_import
from apps.audits.evaluation import municipality_evaluate
from apps.core import locks
from apps.demo import data as demo
from apps.municipalities.models import Municipality
from apps.municipalities.scoping import municipality_scope
from apps.municipalities.services import membership_add, municipality_create
from apps.sharing.partitions import searches_partitions_ensure
from apps.sharing.rollups import search_days_rebuild
from apps.sharing.ungranted import ungranted_rebuild
from apps.vendors.loading import export_load
from apps.vendors.models import Vendor
from apps.vendors.services import export_receive

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
# The demo's account that imports ICE's list (`demo.ACCOUNTS`).
DEMO_ADMINISTRATOR = next(
    account.username for account in demo.ACCOUNTS if account.role == User.Role.ADMINISTRATOR
)
ICE_287G_LIST = settings.BASE_DIR / "apps" / "agencies" / "data" / "ice_287g_agencies_2026.xlsx"

# The columns that hold times read from the demo's files. The other times (uploads,
# loads, a sharing list's snapshot when its file carries no date) are the seeding's own.
SHIFTED_TIMES = {
    "sharing_searchevent": ("searched_at", "time_frame_start", "time_frame_end"),
    "sharing_sharinggrant": ("requested_at", "decided_at", "status_changed_at", "last_listed_at"),
    "sharing_sharingchange": ("occurred_at", "last_listed_at"),
    "vendors_vendorexport": ("period_start", "period_end"),
}
SHIFTED_DATES = {
    "sharing_sharinggrant": ("declaration_date",),
    "sharing_declaration": ("received_on", "expires_on"),
}


def _from_files(columns: tuple[str, ...]) -> str:
    return ", ".join(f"CASE WHEN {column} < %(before)s THEN {column} END" for column in columns)


def demo_dates_shift(*, municipality_ids: list[int], before: datetime, today: date) -> int:
    """Move the demo's story so its latest activity falls in the week before `today`;
    returns the shift in weeks (0 when there is nothing to move).

    1. The latest time read from the files (any value in `SHIFTED_TIMES` earlier than
       `before`, the moment the seeding began) sets the shift: whole weeks, so each
       event keeps its weekday, and its local time, moved on the local calendar.
    2. One UPDATE per table moves every such value (and the file dates of
       `SHIFTED_DATES`) of these municipalities by that shift, so the order and the
       gaps between events are kept: the burst of acceptances stays one burst, and a
       search keeps its place inside or outside a grant's window.
    3. The searches rollups are recounted from the moved searches. The findings and the
       status rollup come from the evaluation that follows.
    """
    params = {"ids": municipality_ids, "before": before, "tz": settings.TIME_ZONE}
    latest_of_each = " UNION ALL ".join(
        f"SELECT max(greatest({_from_files(columns)})) FROM {table}"  # noqa: S608 - constant SQL, values bound # nosec B608
        " WHERE municipality_id = ANY(%(ids)s)"
        for table, columns in SHIFTED_TIMES.items()
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT max(latest) FROM ({latest_of_each}) t(latest)", params)  # noqa: S608 - constant SQL, values bound # nosec B608
        (latest,) = cursor.fetchone()
        if latest is None:
            return 0
        latest_day = timezone.localdate(latest)
        weeks = (today - timedelta(days=1) - latest_day).days // 7
        if weeks == 0:
            return 0
        locks.SEARCHES.take()
        shift = {**params, "shift": timedelta(weeks=weeks), "days": weeks * 7,
                 "before_day": timezone.localdate(before)}  # fmt: skip
        for table in dict.fromkeys([*SHIFTED_TIMES, *SHIFTED_DATES]):
            moves = [
                f"{c} = CASE WHEN {c} < %(before)s"
                f" THEN ({c} AT TIME ZONE %(tz)s + %(shift)s) AT TIME ZONE %(tz)s ELSE {c} END"
                for c in SHIFTED_TIMES.get(table, ())
            ] + [
                f"{c} = CASE WHEN {c} < %(before_day)s THEN {c} + %(days)s ELSE {c} END"
                for c in SHIFTED_DATES.get(table, ())
            ]
            cursor.execute(
                f"UPDATE {table} SET {', '.join(moves)} WHERE municipality_id = ANY(%(ids)s)",  # noqa: S608 - constant SQL, values bound # nosec B608
                shift,
            )
        search_days_rebuild(municipality_ids=municipality_ids)
        ungranted_rebuild(municipality_ids=municipality_ids)
    return weeks


def production_settings() -> bool:
    """Whether these are production's settings: its module, or what only it turns on
    (cookies sent over HTTPS only, HSTS), so a copy of them under another name counts too."""
    return (
        settings.SETTINGS_MODULE == "config.settings.production"
        or settings.SESSION_COOKIE_SECURE
        or bool(settings.SECURE_HSTS_SECONDS)
    )


class Command(BaseCommand):
    help = (
        "Create the fictional demo municipalities, one account per role, and load demo "
        "exports that produce a finding of every rule (idempotent). Each demo "
        "municipality's dates are moved by whole weeks so its latest activity falls in the "
        "week before today; the uploaded files keep their own dates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="Date the demo's story leads up to (YYYY-MM-DD); default: today",
        )

    def handle(self, *args, **options):
        # The demo's logins and passwords are printed in the README: on a production
        # server they would be a way in.
        if production_settings():
            raise CommandError(
                "seed_demo creates the demo's published logins; it does not run under "
                "production settings."
            )
        created = self._tenants_and_accounts()
        began = timezone.now()
        loaded, touched = self._exports()
        # Before the evaluation below: Illinois' IMMIGRATION_PARTNER_* rules read the
        # agreements in force, so Mesa AZ PD's searches and Riverbend's grant to it are
        # judged against them. Imported as the demo's administrator, who the history names.
        registry_import(
            path=ICE_287G_LIST,
            file_name=ICE_287G_LIST.name,
            actor=User.objects.get(username=DEMO_ADMINISTRATOR),
        )
        if touched:
            today = options["today"] or timezone.localdate()
            # Each municipality's story is moved on its own, so every demo dashboard (not
            # only the one with the latest files) has its last 30 and 90 days filled.
            for municipality in touched:
                weeks = demo_dates_shift(
                    municipality_ids=[municipality.pk], before=began, today=today
                )
                if weeks:
                    self.stdout.write(
                        f"{municipality.name}: demo dates moved {abs(weeks)} weeks "
                        f"{'forward' if weeks > 0 else 'back'} to lead up to {today:%Y-%m-%d} "
                        "(the uploaded files keep their own dates)."
                    )
            # The moved searches wait in the default partition: give them their months.
            searches_partitions_ensure()
            # After the move: findings, their summaries and periods read the moved dates.
            for municipality in touched:
                with municipality_scope(municipality):
                    municipality_evaluate(municipality=municipality, trigger="manual")
        self.stdout.write(f"Demo data ready ({created} new records, {loaded} new exports).")

    @transaction.atomic
    def _tenants_and_accounts(self) -> int:
        created = 0
        for item in demo.MUNICIPALITIES:
            if not Municipality.objects.filter(slug=item.slug).exists():
                municipality = municipality_create(
                    name=item.name,
                    slug=item.slug,
                    county=item.county,
                    population=item.population,
                    police_department=item.police_department,
                    ori=item.ori,
                )
                police_department_agency_ensure(municipality=municipality)
                created += 1
        for account in demo.ACCOUNTS:
            user, is_new = User.objects.get_or_create(
                username=account.username,
                defaults={
                    "first_name": account.first_name,
                    "last_name": account.last_name,
                    "email": f"{account.username}@demo.invalid",
                    "role": account.role,
                },
            )
            if is_new:
                user.set_password(account.password)
                user.save(update_fields=["password"])
                created += 1
            for slug in account.municipalities:
                membership_add(user=user, municipality=Municipality.objects.get(slug=slug))
        return created

    def _exports(self) -> tuple[int, list[Municipality]]:
        """Upload and load the demo exports not loaded yet; returns how many were loaded
        and the municipalities they belong to."""
        loaded, touched = 0, []
        for item in demo.EXPORTS:
            municipality = Municipality.objects.get(slug=item.municipality)
            clerk = User.objects.filter(memberships__municipality=municipality).first()
            path = SAMPLES / item.file
            with municipality_scope(municipality), path.open("rb") as source:
                received = export_receive(
                    municipality=municipality,
                    vendor=Vendor.objects.get(slug=item.vendor),
                    kind=item.kind,
                    original_name=item.file,
                    chunks=iter(lambda source=source: source.read(1 << 20), b""),
                    uploaded_by=clerk,
                    queue=False,
                )
                if not received.already_uploaded:
                    export_load(export_id=received.export.pk)
                    loaded += 1
                    if municipality not in touched:
                        touched.append(municipality)
        return loaded, touched
