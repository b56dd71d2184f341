"""The users of `bench.load`: auditors and clerks browsing, clerks uploading audit files.

    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:PORT \\
        --users 55 --spawn-rate 5 --run-time 300s

`bench.load` creates the accounts this file signs in with and runs it. Read from the
environment: BENCH_LOAD_BROWSERS (50; two fifths auditors, the rest clerks),
BENCH_LOAD_UPLOADERS (5), BENCH_LOAD_MUNICIPALITIES (slugs, comma-separated; the demo's
five), BENCH_LOAD_ROWS (rows per uploaded file, 200), BENCH_LOAD_UPLOADS (a file that
gets one JSON line per upload the portal accepted, for the lost-upload check) and
BENCH_LOAD_STATS (a JSON file that gets the final figures of each request type).

Browsers move on after a think time of 1 to 5 seconds, as people reading a page do;
uploaders post a generated Flock network audit, follow its progress bar as the page's
script does (one poll a second) until it is loaded, then wait 5 to 15 seconds.
"""

import csv
import io
import itertools
import json
import os
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from apps.demo import data as demo
from bench.ingest import HEADER, REASONS, TYPES, flock_time
from bench.load import PASSWORD, auditor_username, clerk_username

BROWSERS = int(os.environ.get("BENCH_LOAD_BROWSERS", "50"))
UPLOADERS = int(os.environ.get("BENCH_LOAD_UPLOADERS", "5"))
MUNICIPALITIES = os.environ.get(
    "BENCH_LOAD_MUNICIPALITIES", ",".join(item.slug for item in demo.MUNICIPALITIES)
).split(",")
ROWS = int(os.environ.get("BENCH_LOAD_ROWS", "200"))
UPLOADS_LOG = os.environ.get("BENCH_LOAD_UPLOADS")
STATS_FILE = os.environ.get("BENCH_LOAD_STATS")
PROGRESS_LIMIT = 180  # seconds an uploader follows one progress bar before moving on

AGENCIES = [f"Town{n} IL PD" for n in range(40)] + [
    "Ward County TX SO", "Harris County TX SO", "Phoenix AZ PD", "ICE ERO Chicago [Federal]",
    "HSI Chicago [Federal]", "Pleasant Valley IL Police Department",
]  # fmt: skip

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FLOCK_OPTION = re.compile(r'<option value="(\d+)"[^>]*>Flock')


def network_audit(rows: int) -> bytes:
    """A Flock network audit whose every search ID is new, so each file loads in full."""
    searched_from = datetime.now(UTC) - timedelta(days=30)
    target = io.StringIO()
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow(HEADER)
    for _ in range(rows):
        searched = searched_from + timedelta(seconds=random.randrange(30 * 86400))
        writer.writerow([
            str(uuid.uuid4()), "Ofc. K. Brandt", random.choice(AGENCIES),
            random.randrange(2500),
            f"{flock_time(searched - timedelta(days=30))}\n{flock_time(searched)}",
            f"{random.randrange(36**6):06X}", random.choice(REASONS), "", "",
            flock_time(searched), random.choice(TYPES), "", "",
        ])  # fmt: skip
    return target.getvalue().encode()


@events.quitting.add_listener
def write_stats(environment, **kwargs) -> None:
    """The final figures; locust's own CSV is written on a timer and may miss the last ones."""
    if not STATS_FILE:
        return

    def figures(entry) -> dict:
        return {
            "name": entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            **{f"p{round(share * 100)}": entry.get_response_time_percentile(share)
               for share in (0.5, 0.95, 0.99)},
        }  # fmt: skip

    stats = environment.stats
    errors = [f"{error.occurrences} x {error.method} {error.name}: {error.error}"
              for error in stats.errors.values()]  # fmt: skip
    Path(STATS_FILE).write_text(json.dumps({
        "requests": [figures(entry) for entry in stats.entries.values()],
        "total": figures(stats.total),
        "errors": errors,
    }))  # fmt: skip


class PortalUser(HttpUser):
    """A signed-in person; pages that answer other than 200 or land on sign-in fail."""

    abstract = True
    wait_time = between(1, 5)
    username = ""

    def on_start(self) -> None:
        # One connection per request, as a reverse proxy in front of gunicorn opens them
        # (nginx's default). Kept alive, a connection idle for gunicorn's 2 s keep-alive
        # can be closed just as the next request arrives: a reset no browser would show.
        self.client.headers["Connection"] = "close"
        self.seen: dict[str, set[str]] = {}
        page = self.client.get("/accounts/login/", name="sign-in page")
        token = CSRF_FIELD.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD,
                  "csrfmiddlewaretoken": token},
            name="sign-in (POST)", allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"sign-in of {self.username} answered {response.status_code}")

    def page(self, path: str, name: str, links: dict[str, str] | None = None) -> str:
        """GET a page; remember the links of each `links` kind (a regex with one group)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code} {response.error or ''}")
                return ""
            if "/accounts/login/" in response.url:
                response.failure(f"{path} sent the user to sign in")
                return ""
            text = response.text
        for kind, pattern in (links or {}).items():
            self.seen.setdefault(kind, set()).update(re.findall(pattern, text))
        return text

    def pick(self, kind: str) -> str | None:
        found = self.seen.get(kind)
        return random.choice(sorted(found)) if found else None


class ClerkBrowser(PortalUser):
    """Municipal staff walking their own municipality's pages."""

    fixed_count = BROWSERS - BROWSERS * 2 // 5

    def on_start(self) -> None:
        self.slug = random.choice(MUNICIPALITIES)
        self.username = clerk_username(self.slug)
        super().on_start()
        self.base = f"/m/{self.slug}"
        self.finding_link = rf'href="{self.base}/findings/(\d+)/"'
        self.export_link = rf'href="{self.base}/exports/(\d+)/"'

    @task(3)
    def dashboard(self) -> None:
        self.page(f"{self.base}/", "municipality dashboard",
                  {"finding": self.finding_link, "export": self.export_link})  # fmt: skip

    @task(2)
    def findings(self) -> None:
        self.page(f"{self.base}/findings/", "municipality findings",
                  {"finding": self.finding_link})  # fmt: skip

    @task(2)
    def finding(self) -> None:
        if finding := self.pick("finding"):
            self.page(f"{self.base}/findings/{finding}/", "municipality finding")

    @task(1)
    def declarations(self) -> None:
        self.page(f"{self.base}/declarations/", "municipality declarations")

    @task(2)
    def uploads(self) -> None:
        self.page(f"{self.base}/exports/", "municipality uploads", {"export": self.export_link})

    @task(1)
    def upload(self) -> None:
        if export := self.pick("export"):
            self.page(f"{self.base}/exports/{export}/", "municipality upload")

    @task(1)
    def findings_csv(self) -> None:
        self.page(f"{self.base}/findings/?export=csv", "municipality findings CSV")


class AuditorBrowser(PortalUser):
    """A state auditor working across municipalities."""

    fixed_count = BROWSERS * 2 // 5
    username = auditor_username()
    finding_link = r'href="/m/([\w-]+/findings/\d+)/"'
    agency_link = r'href="/state/agencies/(\d+)/"'

    @task(3)
    def statewide_dashboard(self) -> None:
        self.page("/state/", "statewide dashboard")

    @task(3)
    def findings(self) -> None:
        self.page("/state/findings/", "statewide findings", {"finding": self.finding_link})

    @task(1)
    def open_findings(self) -> None:
        self.page("/state/findings/?status=open&severity=high", "statewide findings, filtered",
                  {"finding": self.finding_link})  # fmt: skip

    @task(2)
    def finding(self) -> None:
        if finding := self.pick("finding"):
            self.page(f"/m/{finding}/", "municipality finding")

    @task(2)
    def agencies(self) -> None:
        self.page("/state/agencies/", "agencies", {"agency": self.agency_link})

    @task(2)
    def agency(self) -> None:
        if agency := self.pick("agency"):
            self.page(f"/state/agencies/{agency}/", "agency")

    @task(2)
    def municipality(self) -> None:
        self.page(f"/m/{random.choice(MUNICIPALITIES)}/", "municipality dashboard")

    @task(1)
    def uploads(self) -> None:
        self.page(f"/m/{random.choice(MUNICIPALITIES)}/exports/", "municipality uploads")

    @task(1)
    def findings_csv(self) -> None:
        self.page("/state/findings/?export=csv", "statewide findings CSV")

    @task(1)
    def engagements(self) -> None:
        self.page("/state/engagements/", "engagements")


class UploadingClerk(PortalUser):
    """Municipal staff uploading this month's network audit and watching it load."""

    fixed_count = UPLOADERS
    wait_time = between(5, 15)
    numbers = itertools.count()

    def on_start(self) -> None:
        # One uploader per municipality while they last, as each clerk uploads their own.
        self.slug = MUNICIPALITIES[next(self.numbers) % len(MUNICIPALITIES)]
        self.username = clerk_username(self.slug)
        super().on_start()

    @task
    def upload_and_follow(self) -> None:
        base = f"/m/{self.slug}/exports/"
        form = self.page(base, "municipality uploads")
        if not form:
            return
        token = CSRF_FIELD.search(form).group(1)
        vendor = FLOCK_OPTION.search(form).group(1)
        name = f"network-audit-{uuid.uuid4().hex[:12]}.csv"
        with self.client.post(
            base,
            data={"vendor": vendor, "kind": "network_audit", "csrfmiddlewaretoken": token},
            files={"file": (name, network_audit(ROWS), "text/csv")},
            name="upload (POST)", allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            detail = re.fullmatch(rf"{base}(\d+)/", response.headers.get("Location", ""))
            if response.status_code != 302 or detail is None:
                response.failure(f"upload answered {response.status_code}")
                return
        export_id = int(detail.group(1))
        if UPLOADS_LOG:
            with open(UPLOADS_LOG, "a") as log:
                log.write(json.dumps({"export": export_id, "municipality": self.slug,
                                      "name": name, "rows": ROWS}) + "\n")  # fmt: skip
        self.page(f"{base}{export_id}/", "municipality upload")
        deadline = time.monotonic() + PROGRESS_LIMIT
        while time.monotonic() < deadline:
            time.sleep(1)
            with self.client.get(
                f"{base}{export_id}/progress/", name="upload progress (JSON)",
                catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code != 200:
                    response.failure(f"progress answered {response.status_code}")
                    return
                if response.json()["finished"]:
                    break
        self.page(f"{base}{export_id}/", "municipality upload")
