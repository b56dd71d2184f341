"""A second connection to the test database, for tests that need another session (a
concurrent load, a job holding a lock)."""

import psycopg
from django.db import connection

# What Django adds for its own cursors; the rest (host or socket directory, port, user,
# database, options) is how it reaches the server, embedded or not.
_DJANGO_ONLY = {"cursor_factory", "context", "prepare_threshold", "server_side_binding"}


def other_connection(*, autocommit: bool = False) -> psycopg.Connection:
    params = {
        key: value
        for key, value in connection.get_connection_params().items()
        if key not in _DJANGO_ONLY
    }
    return psycopg.connect(**params, autocommit=autocommit)
