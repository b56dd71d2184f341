"""Make the Motorola LEARN "Agency Data Sharing Report" samples.

    .venv/bin/python tests/ingest/samples/make_learn_reports.py

Writes, next to this script:
- `learn_sharing_report.pdf`: a 4-page report of Oak Prairie Police Department, the four
  sections with their names set in two columns, page footers, long names wrapped onto
  a second, indented line;
- `learn_sharing_report_ocr.pdf`: one scanned page (a drawn image) under an invisible
  OCR text layer (render mode 3) with the damage OCR does to names;
- `learn_sharing_report_image_only.pdf`: the same scan without any text layer;
- `learn_sharing_report.xlsx`: the records-request workbook mirroring the first PDF,
  one sheet per section with a single `ORGANIZATION NAME` column (trailing spaces as
  such workbooks have them).

Names are fictional but for federal components and generic names. `report_pdf` also
makes the bench's 40-page report (bench/ingest_learn.py).
"""

import io
import random
from pathlib import Path

import openpyxl
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

HERE = Path(__file__).parent
AGENCY = "Oak Prairie Police Department"
CREATED = "03-02-20"
FONT, SIZE = "Helvetica", 10
LEFT, RIGHT, COLUMN_WIDTH = 54, 318, 240
WRAP_INDENT = 12
ROW = 17
BOTTOM = 64

SECTIONS: dict[str, list[str]] = {
    "Detections Shared": [
        "DHS-HSI (Newark NJ)",
        "CBP-NTC",
        "San Diego Sector Border Patrol (CA)",
        "ATF National Account",
        "U.S. Marshals Service - NDIL",
        "ICE LESC (Williston VT)",
        "Ward County Sheriff's Office (TX)",
        "Harris Point Police Department (TX)",
        "Maricopa Flats Police Department (AZ)",
        "Kenosha Ridge Police Department (WI)",
        "Lake Haven County Sheriff's Office (IN)",
        "Riverbend Police Department (IL)",
        "Maple Grove Police Department (IL)",
        "Prairie Haven Police Department (IL)",
        "Pleasant Valley Police Department (IL)",
        "Kettle County Sheriff's Office (IL)",
        "Prairie Region Metropolitan Enforcement Group Auto Theft and Burglary Task Force (IL)",
        "Northern Illinois Regional Fusion and Crime Information Sharing Center (IL)",
        "Brazos Ridge County Sheriff's Office (TX)",
        "El Paso Junction Police Department (TX)",
        "Laredo Crossing Police Department (TX)",
        "Tulsa Creek Police Department (OK)",
        "Madison Lakes Police Department (WI)",
        "Lansing Police Department (MI)",
        "Juniper Falls Police Department (IL)",
        "Elm Crossing Police Department (IL)",
        "Old Town Police Department (IL)",
        "Harlow Police Department (IL)",
        "Prairie State University Police (IL)",
        "Kettle River Tribal Police (WI)",
        "Stone Creek Police Department (IL)",
        "Cedar Bluff Police Department (IL)",
        "Willow Springs Heights Police Department (IL)",
        "Granite Falls County Sheriff's Office (IA)",
        "Sioux Prairie Police Department (IA)",
        "Blue Mound Police Department (MO)",
        "Saint Clair Landing Police Department (MO)",
        "Lowe's Home Centers",
        "Simon Property Group",
        "Similar Laws Group (IL)",
        "Oakwood Terrace Police Department (IL)",
        "Fox Meadow Police Department (IL)",
        "Rock Valley College Police Department (IL)",
        "West Prairie Township Police Department (IL)",
        "Bluestem County Sheriff's Office (KS)",
        "Hawthorn Police Department (IN)",
        "Greenfield Commons Police Department (IN)",
        "Marion Flats Police Department (OH)",
        "Dayton Heights Police Department (OH)",
        "Lakeshore Metropolitan Narcotics and Violent Crimes Interagency Task Force (WI)",
        "Ashford Police Department (KY)",
        "Bowling Ridge Police Department (KY)",
        "Coal Valley Police Department (IL)",
        "Silver Lake Police Department (IL)",
    ],
    "Detections Received": [
        "Riverbend Police Department (IL)",
        "Maple Grove Police Department (IL)",
        "Kettle County Sheriff's Office (IL)",
        "Prairie Haven Police Department (IL)",
        "Stone Creek Police Department (IL)",
        "Cedar Bluff Police Department (IL)",
        "Northern Illinois Regional Fusion and Crime Information Sharing Center (IL)",
        "Fox Meadow Police Department (IL)",
        "Harlow Police Department (IL)",
        "Coal Valley Police Department (IL)",
        "Silver Lake Police Department (IL)",
        "Lansing Police Department (MI)",
        "Hawthorn Police Department (IN)",
    ],
    "Hot List Sharing": [
        "DHS-HSI (Newark NJ)",
        "National Sharing (All LEARN Agencies)",
        "Riverbend Police Department (IL)",
        "Maple Grove Police Department (IL)",
        "Kettle County Sheriff's Office (IL)",
        "Prairie Region Metropolitan Enforcement Group Auto Theft and Burglary Task Force (IL)",
        "Ward County Sheriff's Office (TX)",
    ],
    "Hot-List Received": [
        "Riverbend Police Department (IL)",
        "Kettle County Sheriff's Office (IL)",
        "Illinois State Police - District 2 (IL)",
        "Prairie State University Police (IL)",
        "Stone Creek Police Department (IL)",
    ],
}

# More departments, as a real report lists hundreds: fictional towns, real state codes.
TOWNS = ("Ash", "Birch", "Clear", "Deer", "Elk", "Fern", "Glen", "Hazel", "Iron", "Jade")
PLACES = ("Hollow", "Ridge", "Point", "Bend", "Harbor", "Meadow")
STATES = ("IL", "IN", "WI", "IA", "MO", "TX")
SECTIONS["Detections Shared"] += [
    f"{town} {place} Police Department ({state})"
    for number, (town, place) in enumerate((t, p) for t in TOWNS for p in PLACES)
    for state in [STATES[number % len(STATES)]]
]

SENTENCES = {
    "Detections Shared": "The {agency} Agency is Sharing its Detection data with the "
    "following Agencies:",
    "Detections Received": "The following Agencies are Sharing their Detection data with "
    "the {agency} Agency:",
    "Hot List Sharing": "The {agency} Agency is Sharing its Hot-List data with the following "
    "Agencies:",
    "Hot-List Received": "The following Agencies are Sharing their Hot-List data with the "
    "{agency} Agency:",
}

# What OCR made of a scanned report: the damaged spellings and what they stand for.
OCR_DAMAGED = {
    "CEP NTC": "CBP-NTC",
    "Riverbend Potice Department (IL)": "Riverbend Police Department (IL)",
    "Lansing Police Department (Ml)": "Lansing Police Department (MI)",
}
OCR_SECTION = [
    "DHS-HSI (Newark NJ)",
    "CEP NTC",
    "San Diego Sector Border Patrol (CA)",
    "Riverbend Potice Department (IL)",
    "Lansing Police Department (Ml)",
    "Maple Grove Police Department (IL)",
]


def wrapped(text: str, width: float) -> list[str]:
    """`text` cut at spaces into lines no wider than `width` (a word never splits)."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and stringWidth(candidate, FONT, SIZE) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current]


class Report:
    """Draws the report page by page; footers are written once the page count is known."""

    def __init__(self, *, invisible: bool = False, scanned: bool = False):
        self.pages: list[list[tuple[float, float, str, str]]] = [[]]  # x, y, font, text
        self.y = 720.0
        self.invisible = invisible
        self.scanned = scanned

    def text(self, x: float, font: str, text: str) -> None:
        self.pages[-1].append((x, self.y, font, text))

    def room(self, lines: int) -> None:
        if self.y - lines * ROW < BOTTOM:
            self.pages.append([])
            self.y = 740.0

    def title(self) -> None:
        self.text(LEFT, "Helvetica-Bold", "Agency Data Sharing Report")
        self.y -= 18
        self.text(LEFT, FONT, f"{AGENCY} (IL)")
        self.y -= 26

    def section(self, title: str, names: list[str]) -> None:
        sentence = wrapped(SENTENCES.get(title, "{agency}:").format(agency=AGENCY), 400)
        self.room(3 + len(sentence))
        self.text(LEFT, "Helvetica-Bold", title)
        self.y -= ROW + 4
        for line in sentence:
            self.text(LEFT, FONT, line)
            self.y -= ROW
        self.y -= 4
        for start in range(0, len(names), 2):
            pair = [wrapped(name, COLUMN_WIDTH - WRAP_INDENT) for name in names[start : start + 2]]
            height = max(len(lines) for lines in pair)
            self.room(height)
            for x, lines in zip((LEFT, RIGHT), pair, strict=False):
                for number, line in enumerate(lines):
                    indent = WRAP_INDENT if number else 0
                    self.pages[-1].append((x + indent, self.y - number * ROW, FONT, line))
            self.y -= height * ROW
        self.y -= 12

    def save(self, path: Path | io.BytesIO) -> None:
        pdf = canvas.Canvas(path if isinstance(path, io.BytesIO) else str(path), pagesize=letter,
                            invariant=1)  # fmt: skip
        pdf.setTitle("Agency Data Sharing Report")
        total = len(self.pages)
        for number, lines in enumerate(self.pages, start=1):
            footer = (f"Date Created: {CREATED}    LEARN Agency Data Sharing Report    "
                      f"Page {number} of {total}")  # fmt: skip
            lines = [*lines, (LEFT, 36, FONT, footer)]
            if self.scanned:
                draw_scan(pdf, lines)
            draw_lines(pdf, lines, invisible=self.invisible)
            pdf.showPage()
        pdf.save()


def draw_lines(pdf: canvas.Canvas, lines, *, invisible: bool) -> None:
    # OCR software lays its words over the image, slightly off the printed baseline.
    jitter = random.Random(len(lines))
    for x, y, font, text in lines:
        layer = pdf.beginText()
        if invisible:
            layer.setTextRenderMode(3)
            x, y = x + jitter.uniform(-1.5, 1.5), y + jitter.uniform(-1, 1)
        layer.setFont(font, SIZE if font == FONT else 12)
        layer.setTextOrigin(x, y)
        layer.textOut(text)
        pdf.drawText(layer)


def draw_scan(pdf: canvas.Canvas, lines) -> None:
    """A page image as a scanner makes it: grey paper with dark bars where text was."""
    from PIL import Image, ImageDraw

    scale = 2
    image = Image.new("L", (int(letter[0]) * scale, int(letter[1]) * scale), 236)
    draw = ImageDraw.Draw(image)
    noise = random.Random(7)
    for _ in range(3000):
        x, y = noise.randrange(image.width), noise.randrange(image.height)
        draw.point((x, y), fill=noise.randrange(150, 230))
    for x, y, font, text in lines:
        width = stringWidth(text, font, SIZE)
        top = (letter[1] - y - SIZE) * scale
        draw.rectangle((x * scale, top, (x + width) * scale, top + SIZE * scale * 0.8), fill=60)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    buffer.seek(0)
    pdf.drawImage(ImageReader(buffer), 0, 0, width=letter[0], height=letter[1])


def report_pdf(path: Path, sections: dict[str, list[str]] | None = None) -> None:
    report = Report()
    report.title()
    for title, names in (sections or SECTIONS).items():
        report.section(title, names)
    report.save(path)


def ocr_pdf(path: Path) -> None:
    report = Report(invisible=True, scanned=True)
    report.title()
    report.section("Detections Shared", OCR_SECTION)
    report.save(path)


def image_only_pdf(path: Path) -> None:
    # The scan without its text layer: nothing in the file can be read as text.
    pdf = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    lines = [(LEFT, 720 - 13 * n, FONT, "x" * (20 + n % 30)) for n in range(40)]
    draw_scan(pdf, lines)
    pdf.showPage()
    pdf.save()


def workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, names in SECTIONS.items():
        sheet = book.create_sheet(title)
        sheet.append(["ORGANIZATION NAME"])
        for name in names:
            sheet.append([name + " "])
    book.properties.creator = AGENCY
    book.save(path)


if __name__ == "__main__":
    report_pdf(HERE / "learn_sharing_report.pdf")
    ocr_pdf(HERE / "learn_sharing_report_ocr.pdf")
    image_only_pdf(HERE / "learn_sharing_report_image_only.pdf")
    workbook(HERE / "learn_sharing_report.xlsx")
