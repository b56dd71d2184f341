from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import Resolver404, resolve

from .scoping import municipality_scope, statewide_scope
from .selectors import municipality_visible_to


class TenantScopeMiddleware:
    """Run each request in the tenant scope its URL asks for, after checking the user.

    - `/m/<municipality_slug>/…`: the municipality's scope, for its members and state
      staff; anybody else gets 404, so outsiders cannot even learn a slug exists.
    - the `state` namespace: every municipality, for auditors and administrators only
      (403 otherwise); `state:administration` for administrators only.
    - Django's admin: every municipality, for superusers only.
    - anything else runs with no scope, so a tenant query there raises.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)

        user = request.user
        slug = match.kwargs.get("municipality_slug")
        if slug is not None:
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            municipality = municipality_visible_to(user=user, slug=slug)
            if municipality is None:
                raise Http404("No such municipality.")
            request.municipality = municipality
            with municipality_scope(municipality):
                return self.get_response(request)

        namespaces = match.namespaces
        if namespaces[:1] == ["state"]:
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_state_staff:
                raise PermissionDenied("State staff only.")
            if "administration" in namespaces and not user.is_state_administrator:
                raise PermissionDenied("State administrators only.")
            with statewide_scope():
                return self.get_response(request)

        if namespaces[:1] == ["admin"] and user.is_authenticated:
            if not user.is_superuser:
                raise Http404
            with statewide_scope():
                return self.get_response(request)

        return self.get_response(request)
