"""The portal under gunicorn with the production server settings (config/gunicorn.conf.py)."""

import http.client

import pytest

from tests.faults.servers import WebServer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_gunicorn_does_not_name_itself_in_a_server_header(tmp_path, test_database_env):
    web = WebServer(test_database_env, tmp_path / "web.log")
    try:
        for path in ("/accounts/login/", "/no-such-page/", "/static/no-such-file.css"):
            connection = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            connection.close()
            assert response.status in (200, 302, 404), path
            assert response.getheader("Server") is None, f"{path}: {response.getheader('Server')}"
            assert response.getheader("Date"), "gunicorn's other headers are still written"
    finally:
        web.stop()
