import os
import subprocess
import sys

from django.conf import settings

FILE_KEY = "aW52ZW50ZWQtZm9yLXRoZS1kZXBsb3ktY2hlY2stMzI="


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x7!kq2-production-check-" + "p" * 40,
        "DJANGO_ALLOWED_HOSTS": "portal.example.gov",
        "PORTAL_PLATE_HASH_KEY": "plate-key-for-the-check",
        "PORTAL_FILE_KEYS": FILE_KEY,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_ALLOWED_HOSTS="x",
        PORTAL_PLATE_HASH_KEY="k",
        PORTAL_FILE_KEYS=FILE_KEY,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_file_keys():
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_FILE_KEYS"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x7!kq2-production-check-" + "p" * 40,
        DJANGO_ALLOWED_HOSTS="x",
        PORTAL_PLATE_HASH_KEY="k",
    )
    for keys in (None, "", "not-a-fernet-key"):
        if keys is not None:
            env["PORTAL_FILE_KEYS"] = keys
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0, keys
        assert "PORTAL_FILE_KEYS" in result.stderr, keys
