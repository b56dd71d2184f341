import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_is_public_and_ok_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_names_the_broker_when_redis_is_down(client, settings, unused_tcp_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{unused_tcp_port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


def test_healthz_names_the_database_when_postgres_is_down(client, unused_tcp_port):
    original = connection.settings_dict.copy()
    connection.close()
    connection.settings_dict.update(
        HOST="127.0.0.1", PORT=str(unused_tcp_port), OPTIONS={"connect_timeout": 2}
    )
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "broker": "ok"}
