"""Role checks for views. The middleware checks the same by URL; views check again so a
view mounted in the wrong place still refuses."""

from django.core.exceptions import PermissionDenied


class StateStaffRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_state_staff:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StateAdministratorRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_state_administrator:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
