from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .filters import UserFilter
from .permissions import StateAdministratorRequiredMixin
from .selectors import users_with_memberships
from .tables import UserTable


class UserListView(StateAdministratorRequiredMixin, SingleTableMixin, FilterView):
    """Accounts and their memberships, for state administrators."""

    template_name = "accounts/user_list.html"
    table_class = UserTable
    filterset_class = UserFilter
    paginate_by = 50

    def get_queryset(self):
        return users_with_memberships()
