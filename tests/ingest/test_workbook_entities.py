"""An uploaded workbook's XML may declare entities: openpyxl reads it through defusedxml,
so no entity is expanded, neither a billion laughs nor one harmless-looking word, and the
upload is refused instead of loaded with text the file does not hold."""

import zipfile
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest
from defusedxml.common import EntitiesForbidden

from apps.vendors.parsing import FileRejected, parse_export

PARTNERS = [f"Partner {number} PD" for number in range(3)]

# Ten levels of ten: the last entity would expand to 10**9 "lol"s.
BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 10))
    + "]>"
)
# One entity of a few words: far below the expansion limit of Python's own XML parser,
# which would expand it without a word.
SMALL_ENTITY = '<!DOCTYPE sst [<!ENTITY partner "Hidden Partner PD">]>'


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
        '<sheet name="Sharing" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    ),
}


def sharing_list_workbook(path: Path, *, doctype: str = "", part: str = "", reference: str = ""):
    """A sharing list workbook written part by part, as Excel does: its text in the shared
    strings. With `doctype`, that part (the shared strings or the sheet) declares it, and
    the first partner's name is `reference` there instead."""
    rows = [["partner_agency", "mode", "status"]]
    rows += [[partner, "one_to_one", "accepted"] for partner in PARTNERS]
    strings = list(dict.fromkeys(text for row in rows for text in row))
    items = [f"<si><t>{text}</t></si>" for text in strings]
    cells = [
        [
            f'<c r="{"ABC"[column]}{line}" t="s"><v>{strings.index(text)}</v></c>'
            for column, text in enumerate(row)
        ]
        for line, row in enumerate(rows, start=1)
    ]
    if part == "xl/sharedStrings.xml":
        items[strings.index(PARTNERS[0])] = f"<si><t>{reference}</t></si>"
    elif part == "xl/worksheets/sheet1.xml":
        cells[1][0] = f'<c r="A2" t="inlineStr"><is><t>{reference}</t></is></c>'
    sheet_rows = "".join(
        f'<row r="{line}">{"".join(row)}</row>' for line, row in enumerate(cells, start=1)
    )
    parts = {
        **PARTS,
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{MAIN}"><sheetData>{sheet_rows}</sheetData></worksheet>'
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{MAIN}" count="{len(items)}" uniqueCount="{len(items)}">'
            f"{''.join(items)}</sst>"
        ),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, xml in parts.items():
            declared = doctype if name == part else ""
            archive.writestr(name, f'<?xml version="1.0" encoding="UTF-8"?>{declared}{xml}')
    return path


def loaded_partners(path: Path) -> list[str]:
    export = parse_export(path)
    try:
        return [item.partner_name for item in export.items]
    finally:
        export.table.close()


def test_openpyxl_reads_workbooks_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_the_unaltered_workbook_loads_every_partner(tmp_path):
    path = sharing_list_workbook(tmp_path / "sharing.xlsx")

    assert loaded_partners(path) == PARTNERS


@pytest.mark.parametrize(
    "part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"], ids=["shared-strings", "sheet"]
)
@pytest.mark.parametrize(
    ("doctype", "reference"),
    [(BILLION_LAUGHS, "&lol9;"), (SMALL_ENTITY, "&partner;")],
    ids=["billion-laughs", "small-entity"],
)
def test_a_workbook_declaring_an_xml_entity_is_refused_unexpanded(
    tmp_path, part, doctype, reference
):
    path = sharing_list_workbook(
        tmp_path / "entities.xlsx", doctype=doctype, part=part, reference=reference
    )

    with pytest.raises(FileRejected) as refused:
        loaded_partners(path)

    assert refused.value.code == "binary"
    # defusedxml's own refusal, behind the portal's and openpyxl's: Python's parser would
    # have stopped the billion laughs itself (with a ParseError), and expanded the small
    # entity.
    assert any(isinstance(error, EntitiesForbidden) for error in causes(refused.value))


def causes(error: BaseException) -> list[BaseException]:
    """`error` and the exceptions it was raised from or while handling."""
    chain = []
    while error is not None and error not in chain:
        chain.append(error)
        error = error.__cause__ or error.__context__
    return chain
