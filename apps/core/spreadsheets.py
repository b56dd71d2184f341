"""Files people open in Excel: every cell is made safe against formula injection."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.text import slugify

from . import activity

# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
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
    from openpyxl import Workbook

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
            values = table.as_values()
            header = [str(cell) for cell in next(values)]
            filename = f"{slugify(self.export_name)}.{export}"
            activity.record_download(self.request, what=self.export_name, file_format=export)
            return self.export_formats[export](filename, header, values)
        return super().render_to_response(context, **response_kwargs)
