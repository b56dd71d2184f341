from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.text import slugify
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.accounts.permissions import StateStaffRequiredMixin
from apps.compliance.blocklist import blocked_agency_ids
from apps.core.activity import record_download
from apps.core.files import download_name, field_file_download
from apps.core.spreadsheets import csv_response, xlsx_response
from apps.municipalities.views import MunicipalityViewMixin

from .filters import GrantFilter, SearchFilter, StatewideGrantFilter, StatewideSearchFilter
from .forms import DeclarationForm
from .keyset import BadCursor, KeysetOrder, Page, keyset_page, rows_in_order
from .models import Declaration, SharingGrant
from .selectors import (
    grant_answers,
    grant_declarations,
    grant_findings,
    grant_sources,
    grant_timeline,
    grants_listed,
    searches_listed,
)
from .services import declaration_add
from .tables import GrantTable, SearchTable, StatewideGrantTable, StatewideSearchTable


class DeclarationListView(MunicipalityViewMixin, FormView):
    """The municipality's register of out-of-state partners' declarations (2-130(c))."""

    template_name = "sharing/declaration_list.html"
    form_class = DeclarationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["declarations"] = Declaration.objects.select_related("agency", "entered_by")
        return context

    def form_valid(self, form):
        declaration = form.save(commit=False)
        declaration.municipality = self.municipality
        declaration_add(declaration=declaration, entered_by=self.request.user)
        messages.success(self.request, f"Declaration of {declaration.agency} recorded.")
        return redirect(self.request.path)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DeclarationFileView(MunicipalityViewMixin, View):
    """The declaration document as filed."""

    def load_url_objects(self) -> None:
        self.declaration = (
            Declaration.objects.select_related("agency")
            .filter(pk=self.kwargs["declaration_id"])
            .exclude(document="")
            .first()
        )
        if self.declaration is None:
            raise Http404("No such declaration file.")

    def get(self, request, *args, **kwargs):
        declaration = self.declaration
        return field_file_download(
            request, declaration.document, subject=declaration, what="declaration",
            name=download_name(f"declaration-{declaration.agency.name}-{declaration.received_on}",
                               f"declaration-{declaration.pk}"),
        )  # fmt: skip


# --- the grants and searches lists, and a grant's timeline ------------------------------

PAGE_SIZE = 50
# Rows a download may hold: a larger one is refused with a request to narrow the filters.
DOWNLOAD_LIMIT = 50_000


class PagingForm(forms.Form):
    """The list's order, its page (a keyset cursor) and a download, read from the query."""

    sort = forms.CharField(required=False, max_length=40)
    after = forms.CharField(required=False, max_length=4000)
    before = forms.CharField(required=False, max_length=4000)
    download = forms.ChoiceField(required=False, choices=[("csv", "CSV"), ("xlsx", "Excel")])

    def __init__(self, *args, orders: dict[str, KeysetOrder], default_sort: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = orders
        self.default_sort = default_sort

    def clean_sort(self) -> str:
        sort = self.cleaned_data["sort"] or self.default_sort
        if sort.removeprefix("-") not in self.orders:
            raise forms.ValidationError("This list cannot be sorted that way.")
        return sort

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["after"] and data["before"]:
            raise forms.ValidationError("A page link names one position, not two.")
        order = self.order()
        for name in ("after", "before"):
            if data[name]:
                try:
                    order.decode(data[name])
                except BadCursor:
                    self.add_error(name, "This page link is not one of this list's.")
        return data

    def order(self) -> KeysetOrder:
        sort = self.cleaned_data["sort"]
        order = self.orders[sort.removeprefix("-")]
        return order.reversed() if sort.startswith("-") else order


class KeysetListView(SingleTableMixin, FilterView):
    """A list read a page at a time by keyset (see `apps.sharing.keyset`), filterable,
    sortable by the columns in `orders`, downloadable as CSV or Excel (`?download=`)."""

    # Sorts by column name; "-name" is the other way. A column's first click sorts it in
    # its `first_direction` ("-" for newest first).
    orders: dict[str, KeysetOrder] = {}
    first_direction: dict[str, str] = {}
    default_sort = ""
    export_name = ""
    noun = "rows"
    # Counted up to this many: a count beyond would read the whole filtered list, and a
    # rare filter's count reads about count_limit / (share of rows matching) rows.
    count_limit = 1_000
    table_pagination = False

    def get_filterset_kwargs(self, filterset_class):
        # Bound even without a query: the first page is the list with no filter set.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.paging = PagingForm(request.GET, orders=self.orders, default_sort=self.default_sort)
        filters_valid = self.filterset.is_valid()
        if not (self.paging.is_valid() and filters_valid):
            for error in self.paging.errors.values():
                messages.error(request, " ".join(error))
            self.object_list, self.page = [], Page(rows=[])
            context = self.get_context_data(filter=self.filterset, object_list=[], counted=None)
            return self.render_to_response(context, status=400)
        order = self.paging.order()
        file_format = self.paging.cleaned_data["download"]
        if file_format:
            return self.download(order, file_format)
        self.page = self.read_page(order)
        self.object_list = self.page.rows
        context = self.get_context_data(
            filter=self.filterset, object_list=self.object_list, counted=self.counted()
        )
        return self.render_to_response(context)

    def read_page(self, order: KeysetOrder) -> Page:
        data = self.paging.cleaned_data
        return keyset_page(self.filterset.qs, order=order, after=data["after"],
                           before=data["before"], size=PAGE_SIZE)  # fmt: skip

    def counted(self) -> tuple[int, bool] | None:
        """(how many rows match, whether there are more than that), up to `count_limit`."""
        data = self.paging.cleaned_data
        if not (data["after"] or data["before"] or self.page.next_cursor):
            return len(self.page.rows), False
        found = self.filterset.qs.order_by().values("pk")[: self.count_limit + 1].count()
        return min(found, self.count_limit), found > self.count_limit

    def get_table(self, **kwargs):
        # The rows are already in order: the table must not sort them again (its own
        # sorting would reorder a page in Python, by another collation).
        return self.get_table_class()(data=self.get_table_data(), **kwargs)

    def get_table_kwargs(self):
        if not hasattr(self, "_blocked"):
            self._blocked = set(blocked_agency_ids())
        return {"blocked": self._blocked}

    def link(self, **changes) -> str:
        """This page's query string with `changes` (None removes a name)."""
        query = self.request.GET.copy()
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path

    def headers(self, table) -> list[dict]:
        sort = self.paging.cleaned_data.get("sort") or self.default_sort
        headers = []
        for column in table.columns:
            header = {"column": column, "url": None, "sorted": None}
            if column.name in self.orders:
                if sort == column.name:
                    header["sorted"], next_sort = "ascending", f"-{column.name}"
                elif sort == f"-{column.name}":
                    header["sorted"], next_sort = "descending", column.name
                else:
                    next_sort = self.first_direction.get(column.name, "") + column.name
                header["url"] = self.link(sort=next_sort, after=None, before=None, download=None)
            headers.append(header)
        return headers

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = self.page
        table = context["table"]
        # What the table's own template needs besides its rows.
        table.headers = self.headers(table)
        context.update(
            page=page,
            noun=self.noun,
            page_size=PAGE_SIZE,
            first_url=self.link(after=None, before=None, download=None),
            next_url=page.next_cursor
            and self.link(after=page.next_cursor, before=None, download=None),
            previous_url=page.previous_cursor
            and self.link(before=page.previous_cursor, after=None, download=None),
            on_first_page=not (self.request.GET.get("after") or self.request.GET.get("before")),
            download_csv=self.link(download="csv", after=None, before=None),
            download_xlsx=self.link(download="xlsx", after=None, before=None),
            download_limit=DOWNLOAD_LIMIT,
        )  # fmt: skip
        return context

    def download(self, order: KeysetOrder, file_format: str):
        """Every filtered row (not only this page's) as a file, through the formula-safe
        spreadsheet writers; refused with a message beyond DOWNLOAD_LIMIT rows."""
        queryset = self.filterset.qs.order_by(*order.order_by())
        keys = list(queryset.values_list("pk", flat=True)[: DOWNLOAD_LIMIT + 1])
        if len(keys) > DOWNLOAD_LIMIT:
            messages.error(
                self.request,
                f"A download holds at most {DOWNLOAD_LIMIT:,} {self.noun}: narrow the filters "
                "(a period, a municipality, an agency) and download again.",
            )
            return redirect(self.link(download=None))
        rows = [
            row
            for start in range(0, len(keys), 1_000)
            for row in rows_in_order(self.get_queryset(), keys[start : start + 1_000])
        ]
        table = self.get_table_class()(data=rows, **self.get_table_kwargs())
        values = table.as_values()
        header = [str(cell) for cell in next(values)]
        record_download(self.request, what=self.export_name, file_format=file_format)
        writer = csv_response if file_format == "csv" else xlsx_response
        return writer(f"{slugify(self.export_name)}.{file_format}", header, values)


GRANT_ORDERS = {
    "partner_name": KeysetOrder(("partner_name", "id"), ("text", "int")),
    "status_changed_at": KeysetOrder(("status_changed_at", "id"), ("datetime", "int")),
}


class GrantListMixin:
    template_name = "sharing/grant_list.html"
    orders = GRANT_ORDERS
    first_direction = {"status_changed_at": "-"}
    default_sort = "partner_name"
    export_name = "grants"
    noun = "grants"

    def get_queryset(self):
        return grants_listed()


class GrantListView(MunicipalityViewMixin, GrantListMixin, KeysetListView):
    """A municipality's sharing grants, every one of them, for its staff and state staff."""

    table_class = GrantTable
    filterset_class = GrantFilter


class StatewideGrantListView(StateStaffRequiredMixin, GrantListMixin, KeysetListView):
    """Every municipality's sharing grants (400,000 and more): state staff only."""

    table_class = StatewideGrantTable
    filterset_class = StatewideGrantFilter


class SearchListMixin:
    template_name = "sharing/search_list.html"
    orders = {"searched_at": KeysetOrder(("searched_at", "id"), ("datetime", "int"))}
    first_direction = {"searched_at": "-"}
    default_sort = "-searched_at"
    export_name = "searches"
    noun = "searches"
    # Rows a page reads at most for the filters no index serves (see keyset_page): about
    # 50 ms of PostgreSQL's time per page.
    scan_limit = 50_000

    def get_queryset(self):
        return searches_listed()

    def read_page(self, order: KeysetOrder) -> Page:
        filterset, data = self.filterset, self.paging.cleaned_data
        scanned = filterset.apply_scanned if filterset.scanned_filters_set() else None
        return keyset_page(
            filterset.indexed_qs(), order=order, after=data["after"], before=data["before"],
            size=PAGE_SIZE, scanned=scanned, scan_limit=self.scan_limit,
        )  # fmt: skip

    def counted(self):
        # With a bounded scan the page says how far it looked instead.
        if self.filterset.scanned_filters_set() and self.page.next_cursor:
            return None
        return super().counted()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stopped = self.page.scan_stopped_at
        context.update(scan_stopped_at=stopped[0] if stopped else None, scan_limit=self.scan_limit)
        return context


class SearchListView(MunicipalityViewMixin, SearchListMixin, KeysetListView):
    """Searches of a municipality's data (and by its staff), for its staff and state staff."""

    table_class = SearchTable
    filterset_class = SearchFilter


class StatewideSearchListView(StateStaffRequiredMixin, SearchListMixin, KeysetListView):
    """Every municipality's searches (millions): state staff only."""

    table_class = StatewideSearchTable
    filterset_class = StatewideSearchFilter


class GrantDetailView(MunicipalityViewMixin, TemplateView):
    """One grant's life: requested, accepted (when, by whom), each change, its end; the
    declarations on file for its agency; every upload and line that shows it; its
    findings."""

    template_name = "sharing/grant_detail.html"

    def load_url_objects(self) -> None:
        self.grant = (
            SharingGrant.objects.select_related("agency__parent", "vendor", "source_export")
            .filter(pk=self.kwargs["grant_id"])
            .first()
        )
        if self.grant is None:
            raise Http404("No such grant.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant = self.grant
        entries = grant_timeline(grant=grant)
        context.update(
            grant=grant,
            timeline=entries,
            answers=grant_answers(grant=grant, entries=entries),
            sources=grant_sources(grant=grant, entries=entries),
            declarations=grant_declarations(grant=grant),
            findings=grant_findings(grant=grant),
            blocked=grant.agency_id in blocked_agency_ids(),
        )
        return context
