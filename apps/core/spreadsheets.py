"""Files people open in Excel: every cell is made safe against formula injection, and
every time is written in ISO 8601 with its offset, in the portal's time zone."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import django_tables2 as tables
from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import slugify
from openpyxl import Workbook

from . import activity

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def iso_time(value: datetime) -> str:
    """`2025-09-23T14:05:00-05:00`: the portal's zone (TIME_ZONE), with its offset that
    day, so a reader or a program gets the same instant the pages show."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value).isoformat()


def safe_cell(value) -> str:
    if isinstance(value, datetime):
        return iso_time(value)
    text = value.isoformat() if isinstance(value, date) else "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


def xlsx_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        # Written as text, and escaped as in CSV: the file may be re-saved as CSV.
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class TableExportMixin:
    """`?export=csv` or `?export=xlsx` on a list page returns its rows as a file.

    The rows are the table's, built from the same filtered queryset in the same tenant
    scope as the page, all pages of it, with the columns the page shows.
    """

    export_name = "export"
    export_formats = {"csv": csv_response, "xlsx": xlsx_response}

    def render_to_response(self, context, **response_kwargs):
        export = self.request.GET.get("export")
        if export in self.export_formats:
            table = self.get_table(**self.get_table_kwargs())
            values = table_values(table)
            header = [str(cell) for cell in next(values)]
            filename = f"{slugify(self.export_name)}.{export}"
            activity.record_download(self.request, what=self.export_name, file_format=export)
            return self.export_formats[export](filename, header, values)
        return super().render_to_response(context, **response_kwargs)


def table_values(table: tables.Table) -> Iterator[list]:
    """`table.as_values()`, but a date or time column gives its value itself, not the
    page's wording of it (Sep 23, 2025) nor django-tables2's UTC text, so that
    `safe_cell` writes it in ISO 8601. A table's own `value_<column>` still wins."""
    columns = [
        column for column in table.columns.iterall() if not column.column.exclude_from_export
    ]
    for column in columns:
        own_value = hasattr(table, f"value_{column.name}")
        if isinstance(column.column, tables.DateTimeColumn | tables.DateColumn) and not own_value:
            column.value = _as_is
    yield [force_str(column.header, strings_only=True) for column in columns]
    for row in table.rows:
        yield [force_str(row.get_cell_value(column.name), strings_only=True) for column in columns]


def _as_is(value=None, **kwargs):
    return value
