"""Browser tests: Playwright drives Debian's Chromium against the live test server."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / ".data" / "node" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath) and not Path(CHROMIUM).exists():
            item.add_marker(pytest.mark.skip(reason="Chromium missing: apt-get install chromium"))


@pytest.fixture(autouse=True)
def _migrated_rows(live_server, transactional_db):
    """Put back the rows data migrations made, which an earlier transactional test's flush
    removed: Django's own restore misses them under Playwright (see tests/conftest.py)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers

    from apps.vendors.models import Vendor
    from tests.conftest import MIGRATED_ROWS

    if "default" not in MIGRATED_ROWS or Vendor.objects.exists():
        return
    for item in serializers.deserialize("json", MIGRATED_ROWS["default"]):
        # Content types and permissions are made again by the flush's post_migrate.
        if not isinstance(item.object, ContentType | Permission):
            item.save()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }  # fmt: skip


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shoot(page):
    """Save a full-page screenshot under docs/screenshots/ for readers of the repository."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def check_accessibility(page):
    """Run axe-core on the page; fail on serious or critical violations."""

    def check(label: str) -> None:
        if not AXE.exists():
            pytest.fail(f"axe-core is not installed at {AXE}; run make test (it installs it).")
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # does not govern (an injected <script> would be refused, as it should be).
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(AXE.read_text() + "\n;undefined")
        result = page.evaluate("async () => await axe.run(document)")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{label}: " + "; ".join(bad)

    return check


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(autouse=True)
def no_content_security_policy_violations(page):
    """Fail a journey in which the browser refused anything under the portal's CSP."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    yield
    assert not refused, refused
