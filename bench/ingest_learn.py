"""LEARN PDF benchmark: read a 40-page Agency Data Sharing Report into grants.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/ingest_learn.py --pages 40

Draws a two-column report like the test sample (tests/ingest/samples/
make_learn_reports.py) with enough names for `--pages` pages, then times
`parse_export` to the last grant in this fresh process and reports its peak memory.
Targets (issue 11): under 10 s and under 200 MB for 40 pages. The database load of the
grants is not included: it is the sharing-list path every vendor's list takes.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=40)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from apps.vendors.parsing import GrantRecord, parse_export
    from tests.ingest.samples.make_learn_reports import report_pdf

    # About 80 names a page in two columns; every 7th long enough to wrap.
    names = [
        f"Agency {number:05} Police Department (IL)"
        + (" Regional Enforcement and Intelligence Task Force" if number % 7 == 0 else "")
        for number in range(options.pages * 70)
    ]
    sections = {"Detections Shared": names[: len(names) // 2],
                "Detections Received": names[len(names) // 2 :]}  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "learn.pdf"
        report_pdf(path, sections)
        started = time.monotonic()
        parsed = parse_export(path)
        grants = sum(isinstance(item, GrantRecord) for item in parsed.items)
        seconds = time.monotonic() - started
        import pypdfium2

        pdf = pypdfium2.PdfDocument(path)
        pages = len(pdf)
        pdf.close()
        size = path.stat().st_size
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{pages} pages, {size:,} bytes, {grants} grants (of {len(names)} names)")
    print(f"parse: {seconds:.2f} s, peak RSS {peak_mb:.0f} MB (whole process)")


if __name__ == "__main__":
    main()
