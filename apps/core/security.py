"""Response headers and session limits that every page gets.

- A Content-Security-Policy with no `unsafe-inline` anywhere: the portal's templates
  carry no inline script, style or event handler, and its scripts and styles are its
  own files under /static/. A response that set its own policy (a sandboxed download)
  keeps it.
- Sessions end after PORTAL_SESSION_IDLE_MINUTES without a request and, whatever the
  activity, PORTAL_SESSION_MAX_HOURS after signing in.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # Pages with audit data are never kept by the browser or a proxy (static files
        # come with their own Cache-Control, which this leaves alone).
        response.headers.setdefault("Cache-Control", "no-store, private")
        return response


# Paths that must answer without reading the session: the health check says whether the
# database is up, so it cannot depend on it.
UNGUARDED_PATHS = frozenset({"/healthz"})

SIGNED_IN_AT = "portal_signed_in_at"
SEEN_AT = "portal_seen_at"


class SessionLimitsMiddleware:
    """Sign out a session idle too long or older than the day's limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.path_info in UNGUARDED_PATHS:
            return self.get_response(request)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in = session.setdefault(SIGNED_IN_AT, now)
            seen = session.get(SEEN_AT, now)
            idle_limit = settings.PORTAL_SESSION_IDLE_MINUTES * 60
            if (
                now - seen > idle_limit
                or now - signed_in > settings.PORTAL_SESSION_MAX_HOURS * 3600
            ):
                logout(request)
                messages.info(request, "You were signed out after a period without activity.")
                return redirect_to_login(request.get_full_path())
            # Written at most once a minute: not a session save on every request.
            if now - seen > 60 or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, asking the view first: it reads the signed-in
    user (the session, in the database) before it looks whether the view needs one, so
    a health check sent with a session cookie failed with the database it reports on."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
