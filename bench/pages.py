"""Dashboard and list response times on the generated state, against the bare SQL they
need.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m bench.pages [--clients 8 --requests 200] [--only lists] \\
        [--database portal_bench_state]

Uses the state of `bench.evaluate` (1,300 municipalities, 399,100 grants, 5,000,000
searches; built if missing, in `--database`). Starts gunicorn (2 workers) on loopback,
signs in one client per thread as an auditor, and has the clients fetch each page for a
bounded number of requests: the statewide and one municipality's dashboards, and the
grants and searches lists, statewide and of that municipality, on their first page and
50 pages in (reached by following the lists' own "next" links, as a person would), with
and without filters. In the same run it renders each page once in process to capture
the SQL it runs, and times those statements alone (median of five) as the floor any
implementation of the page pays.
"""

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-auditor-password-1"  # noqa: S105 - a benchmark account on loopback


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


def bench_user(slug: str):
    from apps.accounts.models import User

    user, _ = User.objects.get_or_create(username="bench.auditor", defaults={"role": "auditor"})
    user.set_password(PASSWORD)
    user.save()
    return user


def deep_page(path: str, user, pages: int = 50) -> tuple[str, int]:
    """The page `pages` pages after `path`'s first, following its "next" links in process
    (or its last page, if it has fewer), and how many pages in it is."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for walked in range(pages):
        html = client.get(path).content.decode()
        found = re.search(r'<a href="([^"]+)" rel="next"', html)
        if found is None:
            return path, walked
        path = found.group(1).replace("&amp;", "&")
    return path, pages


def list_pages(slug: str, user) -> dict[str, str]:
    """The grants and searches lists' pages the benchmark loads: first pages and 50 pages
    in, statewide and of one municipality, plain and filtered."""
    first = {
        "grants, statewide": "/state/grants/",
        "grants, statewide, revoked": "/state/grants/?status=revoked&sort=-status_changed_at",
        "grants, statewide, agency": "/state/grants/?agency=Agency+200",
        "grants, municipality": f"/m/{slug}/grants/",
        "searches, statewide": "/state/searches/",
        "searches, statewide, vague": "/state/searches/?reason_label=vague",
        "searches, statewide, reason text": "/state/searches/?reason=detainer",
        "searches, municipality": f"/m/{slug}/searches/",
        "searches, municipality, reason text": f"/m/{slug}/searches/?reason=vehicle",
    }
    deep = {
        "grants, statewide": first["grants, statewide"],
        "grants, statewide, revoked": first["grants, statewide, revoked"],
        # A municipality has about 300 grants: its last page, 6 pages in.
        "grants, municipality": first["grants, municipality"],
        "searches, statewide": first["searches, statewide"],
        "searches, statewide, vague": first["searches, statewide, vague"],
        "searches, municipality": first["searches, municipality"],
        "searches, municipality, reason text": first["searches, municipality, reason text"],
    }
    pages = {f"{name}, first page": path for name, path in first.items()}
    for name, path in deep.items():
        deep_path, walked = deep_page(path, user)
        pages[f"{name}, {walked} pages in"] = deep_path
    return pages


def bare_sql_seconds(path: str, user) -> float:
    """Render `path` once in process, then time the SQL it ran on its own (median of 5)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get(path)  # warm caches, as the served page is after its first request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    statements = [
        query["sql"] for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        and "django_session" not in query["sql"]
    ]  # fmt: skip
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def vacuum_lists() -> None:
    """VACUUM ANALYZE the lists' tables, as autovacuum does after a large load (the
    generated state is written in one transaction): index-only scans then read no heap."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("sharing_searchevent", "sharing_sharinggrant", "sharing_sharingchange"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def status_refresh_ms(count: int = 200) -> tuple[float, float]:
    """What the status rollup adds to each evaluation: median and p95 of refreshing one
    municipality's status row (its own transaction), over `count` municipalities."""
    from django.db import transaction

    from apps.audits.rollups import statuses_refresh
    from apps.compliance.blocklist import blocked_agency_ids
    from apps.municipalities.models import Municipality

    blocked = blocked_agency_ids()
    timings = []
    for pk in Municipality.objects.order_by("id").values_list("id", flat=True)[:count]:
        started = time.perf_counter()
        with transaction.atomic():
            statuses_refresh([pk], blocked=blocked)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000, statistics.quantiles(timings, n=20)[-1] * 1000


def sign_in(base: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"username": "bench.auditor", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(urllib.request.Request(base + "/accounts/login/", data=body,
                                       headers={"Referer": base}))  # fmt: skip
    return opener


def load(base: str, path: str, clients: int, requests: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    per_client = max(1, requests // clients)

    def run() -> None:
        opener = sign_in(base)
        for _ in range(per_client):
            started = time.perf_counter()
            with opener.open(base + path, timeout=60) as response:
                response.read()
                assert response.status == 200
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="per page, all clients")
    parser.add_argument("--only", choices=["dashboards", "lists"], help="one kind of page")
    parser.add_argument("--database", default=None, help="database of the generated state")
    args = parser.parse_args()

    from bench import evaluate

    if args.database:
        evaluate.BENCH_DB = args.database
    evaluate.prepare(argparse.Namespace(
        municipalities=1300, grants=400_000, searches=5_000_000, rebuild=False,
    ))  # fmt: skip
    database_url = evaluate.database_url()
    setup_django(database_url)
    from apps.municipalities.models import Municipality
    from apps.municipalities.scoping import statewide_scope

    municipality = Municipality.objects.order_by("id")[650]
    user = bench_user(municipality.slug)
    vacuum_lists()
    pages = {}
    if args.only != "lists":
        pages.update({"statewide dashboard": "/state/",
                      "municipality dashboard": f"/m/{municipality.slug}/"})  # fmt: skip
    if args.only != "dashboards":
        with statewide_scope():
            pages.update(list_pages(municipality.slug, user))
    with statewide_scope():
        floors = {name: bare_sql_seconds(path, user) for name, path in pages.items()}

    refresh = status_refresh_ms() if args.only != "lists" else None
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        print(f"{args.clients} concurrent clients, {args.requests} requests per page")
        for name, path in pages.items():
            load(base, path, args.clients, args.clients)  # warm-up round
            latencies = load(base, path, args.clients, args.requests)
            median = statistics.median(latencies) * 1000
            p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
            floor = floors[name] * 1000
            print(f"{name:<52} median {median:6.0f} ms  p95 {p95:6.0f} ms  (its SQL alone: "
                  f"{floor:5.0f} ms; target median < 300 ms)", flush=True)  # fmt: skip
        if refresh is not None:
            print(f"status rollup refresh, one municipality: median {refresh[0]:.1f} ms, "
                  f"p95 {refresh[1]:.1f} ms (what each evaluation and load adds)")  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
