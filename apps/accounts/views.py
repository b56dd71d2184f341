from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.core.spreadsheets import TableExportMixin

from .filters import UserFilter
from .permissions import StateAdministratorRequiredMixin
from .selectors import users_with_memberships
from .tables import UserTable


class UserListView(StateAdministratorRequiredMixin, TableExportMixin, SingleTableMixin, FilterView):
    """Accounts and their memberships, for state administrators."""

    export_name = "accounts"

    template_name = "accounts/user_list.html"
    table_class = UserTable
    filterset_class = UserFilter
    paginate_by = 50

    def get_queryset(self):
        return users_with_memberships()
