import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.edit import FormMixin
from django_tables2 import SingleTableMixin

from apps.core.activity import record_download
from apps.core.files import download_name, file_download
from apps.core.spreadsheets import XLSX_TYPE, TableExportMixin, csv_response, xlsx_response
from apps.municipalities.views import MunicipalityViewMixin

from . import format_guide, selectors
from .forms import ExportUploadForm, OriginalDownloadForm
from .models import Vendor, VendorExport
from .services import UploadRefused, export_receive
from .storage import export_open, export_path
from .tables import ExportTable


class ExportListView(
    MunicipalityViewMixin, TableExportMixin, SingleTableMixin, FormMixin, TemplateView
):
    """The municipality's uploads, and the form to upload another."""

    export_name = "uploads"

    template_name = "vendors/export_list.html"
    table_class = ExportTable
    form_class = ExportUploadForm
    table_pagination = {"per_page": 25}

    def get_table_data(self):
        return selectors.exports_list()

    def get_table_kwargs(self):
        return {"municipality_slug": self.municipality.slug}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upload_limit_mb"] = settings.PORTAL_UPLOAD_MAX_BYTES // 1024**2
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        try:
            received = export_receive(
                municipality=self.municipality,
                vendor=form.cleaned_data["vendor"],
                kind=form.cleaned_data["kind"],
                original_name=upload.name,
                chunks=upload.chunks(),
                uploaded_by=request.user,
            )
        except UploadRefused as refusal:
            form.add_error("file", refusal.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        export = received.export
        if received.already_uploaded:
            messages.warning(
                request,
                f"This file was already uploaded on {export.received_at:%b %-d, %Y} as "
                f"“{export.original_name}”; it was not loaded again.",
            )
        elif not received.queued:
            messages.warning(
                request,
                f"“{export.original_name}” was received, but the processing queue is "
                "unavailable right now. It will load automatically once the queue is back; "
                "there is no need to upload it again.",
            )
        else:
            messages.success(request, f"“{export.original_name}” was received and is loading.")
        return redirect(_detail_url(export, self.municipality.slug))


def _detail_url(export: VendorExport, slug: str) -> str:
    return reverse(
        "municipality:export_detail", kwargs={"municipality_slug": slug, "export_id": export.pk}
    )


class ExportMixin(MunicipalityViewMixin):
    def load_url_objects(self) -> None:
        try:
            self.export = selectors.export_get(export_id=self.kwargs["export_id"])
        except VendorExport.DoesNotExist:
            raise Http404("No such export.") from None


@dataclass(frozen=True)
class PagedRows:
    """One section of an export's page: its rows and the links to its other pages."""

    prefix: str  # of the section's query parameters and of its anchor
    noun: str
    page: selectors.RowsPage
    line: str
    first_url: str
    previous_url: str
    next_url: str
    kept_params: list[tuple[str, str]]  # the other sections' places, for the line form

    @property
    def rows(self) -> list:
        return self.page.rows

    @property
    def first_line(self) -> int | None:
        return getattr(self.rows[0], self.line) if self.rows else None

    @property
    def last_line(self) -> int | None:
        return getattr(self.rows[-1], self.line) if self.rows else None


_CURSOR = re.compile(r"(\d{1,10})\.(\d{1,19})")
_LINE = re.compile(r"\d{1,10}")


def _cursor(value: str | None) -> tuple[int, int] | None:
    found = _CURSOR.fullmatch(value or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


class ExportDetailView(ExportMixin, TemplateView):
    template_name = "vendors/export_detail.html"
    page_size = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        export = self.export
        changes = self.paged(
            "changes", "sharing changes", selectors.export_changes(export=export), "source_line"
        )
        # A sharing list's changes say what its grants are; other lists show the grants.
        grants = None
        if not changes.rows and not changes.page.has_previous:
            grants = self.paged(
                "grants", "sharing grants", selectors.export_grants(export=export), "source_line"
            )
        original_stored = export.original_purged_at is None and export_path(export.sha256).exists()
        context.update(
            export=export,
            row_errors=self.paged(
                "errors", "rejected rows", selectors.export_row_errors(export=export), "line"
            )
            if export.rows_rejected
            else None,
            searches=self.paged(
                "searches", "searches", selectors.export_searches(export=export), "source_line"
            ),
            grants=grants,
            changes=changes,
            page_size=self.page_size,
            original_stored=original_stored,
            original_downloadable=original_stored and not self.request.user.is_state_administrator,
            message=_with_guide_link(export.message, self.municipality.slug),
        )
        return context

    def paged(self, prefix: str, noun: str, rows: QuerySet, line: str) -> PagedRows:
        params = self.request.GET
        own = (f"{prefix}_after", f"{prefix}_before", f"{prefix}_line")
        line_asked = params.get(f"{prefix}_line", "").strip()
        page = selectors.export_rows_page(
            rows,
            line=line,
            size=self.page_size,
            after=_cursor(params.get(own[0])),
            before=_cursor(params.get(own[1])),
            from_line=int(line_asked) if _LINE.fullmatch(line_asked) else None,
        )

        def url(**place: str) -> str:
            query = QueryDict(mutable=True)
            for name, values in params.lists():
                if name not in own:
                    query.setlist(name, values)
            query.update({f"{prefix}_{name}": value for name, value in place.items()})
            return f"?{query.urlencode()}#{prefix}"

        def cursor(row) -> str:
            row_line, row_id = selectors.row_key(row, line=line)
            return f"{row_line}.{row_id}"

        has_previous, has_next = page.has_previous, page.has_next
        return PagedRows(
            prefix=prefix,
            noun=noun,
            page=page,
            line=line,
            first_url=url() if has_previous else "",
            previous_url=url(before=cursor(page.rows[0])) if has_previous and page.rows else "",
            next_url=url(after=cursor(page.rows[-1])) if has_next else "",
            kept_params=[
                (name, value)
                for name, values in params.lists()
                if name not in own
                for value in values
            ],
        )


def _with_guide_link(message: str, slug: str) -> str | SafeString:
    """A rejection's message with its "format guide" made a link to the guide."""
    before, found, after = message.partition("format guide")
    if not found:
        return message
    url = reverse("municipality:format_guide", kwargs={"municipality_slug": slug})
    return format_html('{}<a href="{}">format guide</a>{}', before, url, after)


class ExportProgressView(ExportMixin, View):
    """What the progress bar reads while an export loads."""

    def get(self, request, *args, **kwargs):
        export = self.export
        return JsonResponse(
            {
                "status": export.status,
                "status_label": export.status_label,
                "percent": export.progress_percent,
                "rows_processed": export.rows_processed,
                "finished": export.is_finished,
            }
        )


class ExportFileView(ExportMixin, TemplateView):
    """The uploaded file itself, as it was received: evidence, for state auditors and
    the municipality's own staff. GET asks why; POST with a reason streams the file and
    logs the reason with the download."""

    template_name = "vendors/export_file.html"

    def load_url_objects(self) -> None:
        super().load_url_objects()
        # Administrators manage the directory and the rules, not evidence. Checked after
        # the lookup, so another municipality's export is a 404 for them as for anyone.
        if self.request.user.is_state_administrator:
            raise PermissionDenied

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", OriginalDownloadForm())
        context["export"] = self.export
        return context

    def post(self, request, *args, **kwargs):
        export = self.export
        if export.original_purged_at:
            raise Http404("The original file was purged.")
        form = OriginalDownloadForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            opened = export_open(export.sha256)
        except FileNotFoundError:
            raise Http404("The file is no longer stored.") from None
        name = download_name(export.original_name, f"export-{export.pk}")
        response = file_download(request, opened=opened, name=name, what="uploaded file",
                                 subject=export, reason=form.cleaned_data["reason"])  # fmt: skip
        # The stream is decrypted as it goes: the length lets a client notice a cut.
        response["Content-Length"] = export.size
        return response


class ExportErrorReportView(ExportMixin, View):
    """Every rejected row of an export, as CSV, to fix and upload again."""

    def get(self, request, *args, **kwargs):
        export = self.export
        record_download(request, what="rejected rows", file_format="csv", subject=export)
        rows = selectors.export_row_errors(export=export).values_list(
            "line", "column", "value", "message"
        )
        return csv_response(
            f"export-{export.pk}-errors.csv", ["line", "column", "value", "problem"], rows
        )


class FormatGuideView(MunicipalityViewMixin, TemplateView):
    """Every layout the portal reads, with its columns and a template to download."""

    template_name = "vendors/format_guide.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names = dict(Vendor.objects.values_list("slug", "name"))
        context["entries"] = [
            (entry, names.get(entry.format.vendor, entry.format.vendor) if entry.format.vendor
             else "Any vendor (choose the one whose data it is)")
            for entry in format_guide.guide_entries()
        ]  # fmt: skip
        context["upload_limit_mb"] = settings.PORTAL_UPLOAD_MAX_BYTES // 1024**2
        return context


class FormatTemplateView(MunicipalityViewMixin, View):
    """A layout's template: its header row only, as CSV or XLSX. It holds no data of
    anyone's, so its download is not an activity-log entry."""

    def get(self, request, *args, **kwargs):
        entry = format_guide.guide_entry(kwargs["key"])
        extension = kwargs["ext"]
        if entry is None or extension not in entry.template_types:
            raise Http404("No such template.")
        filename = f"{entry.key}-template.{extension}"
        if entry.format is format_guide.LEARN_WORKBOOK:
            response = HttpResponse(format_guide.learn_workbook_template(), content_type=XLSX_TYPE)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        write = csv_response if extension == "csv" else xlsx_response
        return write(filename, format_guide.template_header(entry), [])
