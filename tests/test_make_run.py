"""`make run` end to end: embedded PostgreSQL and Redis, migrations, demo data, web,
worker and beat, the demo logins, Ctrl-C, and a second start on the same data."""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings

from apps.demo import data as demo

HOME_BY_ROLE = {
    "municipal": "/m/{slug}/",
    "auditor": "/state/",
    "administrator": "/state/administration/",
}


class Portal:
    """`scripts/portal.py run` as a child process whose output is collected."""

    def __init__(self, data_dir: Path, port: int):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
        }
        env.update(PORTAL_DATA_DIR=str(data_dir), PORTAL_PORT=str(port))
        self.output: list[str] = []
        self.up = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable, "scripts/portal.py", "run"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            if "Portal is up" in line:
                self.up.set()

    def wait_until_up(self, timeout: float) -> bool:
        """True once the portal announces itself; False if it exits or times out first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.up.wait(timeout=1):
                return True
            if self.process.poll() is not None:
                return False
        return False

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)

    @property
    def text(self) -> str:
        return "".join(self.output)


def sign_in(base_url: str, username: str, password: str) -> str:
    """Sign in through the real login form; return the path the portal lands on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + "accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        base_url + "accounts/login/", data=body, headers={"Referer": base_url}
    )
    response = opener.open(request)
    return urllib.parse.urlparse(response.geturl()).path


def test_make_run_serves_the_portal_with_demo_logins_and_restarts_on_its_data(
    tmp_path, unused_tcp_port
):
    data_dir = tmp_path / "data"
    base_url = f"http://127.0.0.1:{unused_tcp_port}/"

    first = Portal(data_dir, unused_tcp_port)
    try:
        assert first.wait_until_up(timeout=300), first.text
        assert "embedded PostgreSQL ready" in first.text
        assert "embedded Redis ready" in first.text
        for account in demo.ACCOUNTS:
            assert account.username in first.text and account.password in first.text
            slug = account.municipalities[0] if account.municipalities else ""
            landed = sign_in(base_url, account.username, account.password)
            assert landed == HOME_BY_ROLE[account.role].format(slug=slug), account.username
        for process_name in ("worker", "beat"):
            assert f"{process_name} started" in first.text
    finally:
        first.stop()
    assert "embedded PostgreSQL stopped" in first.text
    assert "embedded Redis stopped" in first.text
    assert not (data_dir / "postgres" / "postmaster.pid").exists()

    second = Portal(data_dir, unused_tcp_port)
    try:
        assert second.wait_until_up(timeout=120), second.text
        assert "Demo data ready (0 new records, 0 new exports)" in second.text
        assert "No migrations to apply" in second.text
    finally:
        second.stop()
