"""The learned signal in the portal: a reason only the model reads as immigration or
health care is stored with a review label, makes a finding for review (never critical)
that shows what drove the score, and each distinct reason is read by the model once.

Everything runs for real: the shipped model artifact, the term lists the migrations load,
PostgreSQL, the upload and evaluation services.
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.compliance.learned import reason_model
from apps.compliance.models import LearnedReading, Rule
from apps.compliance.reading import digest, learned_readings_purge, reasons_read
from apps.compliance.terms import reason_classifier
from apps.municipalities.scoping import municipality_scope
from apps.sharing.models import SearchEvent
from apps.sharing.services import reasons_reclassify_all
from tests.audits.factories import SearchEventFactory
from tests.ingest.test_loading import upload

pytestmark = pytest.mark.django_db

# No term matches these reasons; the model reads the purpose in them.
IMMIGRATION_UNSEEN = "veh of subj w/ out of country status, locate for feds"
HEALTH_CARE_UNSEEN = "TX civil suit - woman traveled for termination"
# A term matches this one: the critical finding, not the review.
TERM_IMMIGRATION = "ICE detainer"
ORDINARY = "stolen vehicle, armed robbery suspect"

HEADER = ["search_id", "searched_at", "searching_agency", "searching_ori", "searcher",
          "reason", "case_number", "networks_searched", "devices_searched", "search_type",
          "plate"]  # fmt: skip


def searches_file(tmp_path: Path, reasons: list[str]) -> Path:
    path = tmp_path / "searches.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number, reason in enumerate(reasons, start=1):
            writer.writerow([f"T-{number:04}", f"2025-10-{number:02}T14:12:09Z",
                             "Ward County TX SO", "", "Sgt. R. Delgado", reason, "", 10, 10,
                             "lookup", ""])  # fmt: skip
    return path


def labels_of(municipality) -> dict[str, set[str]]:
    with municipality_scope(municipality):
        found: dict[str, set[str]] = {}
        for reason, label in SearchEvent.objects.values_list("reason", "reason_label"):
            found.setdefault(reason, set()).add(label)
        return found


def test_the_chosen_reasons_are_what_the_tests_say():
    """Guards the constants: no term reads the unseen reasons; the model does."""
    terms = reason_classifier()
    model = reason_model()
    for reason, label in ((IMMIGRATION_UNSEEN, "immigration"),
                          (HEALTH_CARE_UNSEEN, "health_care")):  # fmt: skip
        assert terms.classify(reason).label in {"none", "vague"}, reason
        assert model.read(reason).label == label, reason
    assert terms.classify(TERM_IMMIGRATION).label == "immigration"
    assert model.read(ORDINARY).label == "none"


def test_a_reason_only_the_model_reads_makes_a_review_finding_showing_why(
    municipality_a, tmp_path, client, auditor
):
    reasons = [IMMIGRATION_UNSEEN, IMMIGRATION_UNSEEN, HEALTH_CARE_UNSEEN, TERM_IMMIGRATION,
               ORDINARY]  # fmt: skip
    upload(municipality_a, searches_file(tmp_path, reasons), vendor_slug="other")

    assert labels_of(municipality_a) == {
        IMMIGRATION_UNSEEN: {"immigration_review"},
        HEALTH_CARE_UNSEEN: {"health_care_review"},
        TERM_IMMIGRATION: {"immigration"},
        ORDINARY: {"none"},
    }
    with municipality_scope(municipality_a):
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        findings = {f.rule_code: f for f in Finding.objects.all()}
    review = findings["IMMIGRATION_REASON_REVIEW"]
    assert review.severity == "review"
    assert review.evidence["count"] == 2
    assert "review" in review.summary
    assert findings["HEALTH_CARE_REASON_REVIEW"].severity == "review"
    # The reason a term reads is critical, under its own rule, and not also for review.
    assert findings["IMMIGRATION_SEARCH"].severity == "critical"
    assert findings["IMMIGRATION_SEARCH"].evidence["count"] == 1

    client.force_login(auditor)
    page = client.get(f"/m/{municipality_a.slug}/findings/{review.pk}/").content.decode()
    assert 'id="learned-readings"' in page
    reading = reason_model().read(IMMIGRATION_UNSEEN)
    assert reading.drivers
    for text, _ in reading.drivers[:3]:
        assert f"<q>{text}</q>" in page.replace("&quot;", '"').replace("&#x27;", "'")


def test_a_review_rule_set_to_critical_still_makes_a_review_finding(municipality_a):
    Rule.objects.filter(code="IMMIGRATION_REASON_REVIEW").update(severity="critical")
    with municipality_scope(municipality_a):
        SearchEventFactory(
            municipality=municipality_a, reason=IMMIGRATION_UNSEEN,
            reason_label="immigration_review",
        )  # fmt: skip
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        finding = Finding.objects.get(rule_code="IMMIGRATION_REASON_REVIEW")
    assert finding.severity == "review"


def test_each_distinct_reason_is_read_by_the_model_once_and_cached(
    django_capture_on_commit_callbacks,
):
    version = reason_model().version
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = reasons_read([IMMIGRATION_UNSEEN, IMMIGRATION_UNSEEN, ORDINARY, TERM_IMMIGRATION])
    assert first == {IMMIGRATION_UNSEEN: "immigration_review", ORDINARY: "none",
                     TERM_IMMIGRATION: "immigration"}  # fmt: skip
    # The cache is written only once the caller's transaction commits, in its own.
    assert not LearnedReading.objects.exists()
    for callback in callbacks:
        callback()

    # A term decided TERM_IMMIGRATION: the model never read it.
    stored = {bytes(r.digest): r for r in LearnedReading.objects.filter(model_version=version)}
    assert set(stored) == {digest(IMMIGRATION_UNSEEN), digest(ORDINARY)}
    assert (stored[digest(IMMIGRATION_UNSEEN)].label, stored[digest(ORDINARY)].label) == (
        "immigration",
        "none",
    )
    # Nothing of the reasons' text is kept, only their digest, label and score.
    for row in LearnedReading.objects.values():
        kept = " ".join(str(value) for value in row.values()).lower()
        assert not any(word in kept for word in ("feds", "country", "robbery", "veh"))

    # The cache answers, not the model: a reading changed in the table is what comes back.
    LearnedReading.objects.filter(digest=digest(ORDINARY)).update(label="health_care")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert reasons_read([ORDINARY]) == {ORDINARY: "health_care_review"}
    assert callbacks == []
    assert LearnedReading.objects.count() == 2


def test_personal_data_does_not_hide_the_purpose_the_model_reads():
    reason = f"{IMMIGRATION_UNSEEN}, DOB 03/14/1985"
    assert reason_classifier().classify(reason).label == "sensitive_data"
    assert reasons_read([reason]) == {reason: "immigration_review"}


def test_retention_purges_the_cached_readings_of_its_time():
    LearnedReading.objects.create(model_version="v", digest=digest("old"), label="none", score=0.1)
    LearnedReading.objects.create(model_version="v", digest=digest("new"), label="none", score=0.1)
    LearnedReading.objects.filter(digest=digest("old")).update(
        read_at=timezone.now() - timedelta(days=400)
    )

    assert learned_readings_purge(before=timezone.now() - timedelta(days=365)) == 1

    assert [bytes(r.digest) for r in LearnedReading.objects.all()] == [digest("new")]


def test_the_statewide_table_has_a_cell_under_every_heading(client, auditor, municipality_a):
    client.force_login(auditor)
    page = client.get("/state/").content.decode()
    # The municipalities' table: the one headed by "Last evaluation".
    table = page[page[: page.index("Last evaluation")].rindex("<table") :]
    table = table[: table.index("</table>")]
    head = table[table.index("<thead") : table.index("</thead>")]
    first_row = table[table.index("<tbody") :]
    first_row = first_row[first_row.index("<tr") : first_row.index("</tr>")]
    assert len(re.findall(r"<th[\s>]", head)) == len(re.findall(r"<td[\s>]", first_row)) == 10
    assert "For review" in head


def test_relabelling_stored_searches_reads_them_with_the_model(municipality_a):
    with municipality_scope(municipality_a):
        search = SearchEventFactory(
            municipality=municipality_a, reason=IMMIGRATION_UNSEEN, reason_label="none"
        )
    assert reasons_reclassify_all() == [municipality_a.pk]
    with municipality_scope(municipality_a):
        relabelled = SearchEvent.objects.get(vendor_search_id=search.vendor_search_id)
        assert relabelled.reason_label == "immigration_review"


def test_the_reclassify_command_relabels_and_says_how_many_municipalities(municipality_a):
    with municipality_scope(municipality_a):
        SearchEventFactory(municipality=municipality_a, reason=TERM_IMMIGRATION,
                           reason_label="none")  # fmt: skip
    out = io.StringIO()

    call_command("reasons_reclassify", stdout=out)

    assert out.getvalue().startswith("1 municipality relabelled")
    assert labels_of(municipality_a) == {TERM_IMMIGRATION: {"immigration"}}
    out = io.StringIO()
    call_command("reasons_reclassify", stdout=out)
    assert out.getvalue().startswith("0 municipalities relabelled")
