"""Gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

https://docs.gunicorn.org/en/stable/settings.html
"""

import os

from gunicorn.http import wsgi

# A browser's connection kept open longer than the 2 s default: with the default, a
# reused connection is now and then reset under the browser (seen in the load run).
keepalive = 75

# Proxies whose X-Forwarded-Proto gunicorn believes; the same list the portal uses to
# read the client's address (PORTAL_TRUSTED_PROXIES). Gunicorn's default, loopback only,
# stays when the list is empty.
if os.environ.get("PORTAL_TRUSTED_PROXIES", "").strip():
    forwarded_allow_ips = os.environ["PORTAL_TRUSTED_PROXIES"]


# Gunicorn writes "Server: gunicorn" on every response and has no setting to leave it
# out; naming the server only helps someone looking for a known hole. The header is
# dropped where gunicorn writes it, for every worker class that answers through
# gunicorn.http.wsgi.Response.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server
