"""The term editor's Preview: which labelled corpus rows a change would flip, before the
administrator saves it, and nothing saved or recorded by looking."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from apps.compliance.classifier import ReasonClassifier, Term
from apps.compliance.corpora import load
from apps.compliance.models import ReasonTerm
from apps.compliance.preview import term_change_flips
from apps.core.models import ChangeRecord

pytestmark = pytest.mark.django_db

NEW = "/state/administration/rules/terms/new/"
PREVIEW = "What this change would flip"


def term_form(**changes) -> dict[str, str]:
    return {
        "label": "immigration", "category": "other", "phrase": "frobnicate", "match": "word",
        "unless_near": "", "note": "slang for a removal pickup", "source": "",
        "is_active": "on", "change_reason": "Seen in two reports", **changes,
    }  # fmt: skip


def write_corpus(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = ["reason,label,note"] + [f"{reason},{label}," for reason, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tiny_corpora(tmp_path):
    """Two corpora whose rows the tests know literally; a third file is not installed."""
    development = write_corpus(
        tmp_path / "dev.csv",
        [
            ("frobnicate run for the boss", "immigration"),  # line 2: fixed by the term
            ("stolen car", "none"),  # line 3: no change
            ("frobnicate festival traffic", "none"),  # line 4: broken by it
        ],
    )
    held_out = write_corpus(
        tmp_path / "blind.csv", [("burglary suspect", "none"), ("frobnicate run", "immigration")]
    )
    corpora = {
        "development": [development, tmp_path / "train.csv"],
        "held-out": [held_out],
    }
    with override_settings(PORTAL_REASON_CORPORA=corpora):
        yield corpora


def flipped(response) -> dict[str, list[tuple]]:
    return {
        corpus.name: [
            (flip.file, flip.line, flip.reason, flip.gold, flip.before, flip.after, flip.effect)
            for flip in corpus.flips
        ]
        for corpus in response.context["preview"]
    }


def test_preview_of_a_new_term_lists_exactly_the_rows_it_flips_in_both_corpora(
    client, administrator, tiny_corpora
):
    client.force_login(administrator)

    response = client.post(NEW, {**term_form(), "preview": "1"})

    assert response.status_code == 200
    assert flipped(response) == {
        "development": [
            ("dev.csv", 2, "frobnicate run for the boss", "immigration", "none",
             "immigration", "fixes"),
            ("dev.csv", 4, "frobnicate festival traffic", "none", "none", "immigration",
             "breaks"),
        ],
        "held-out": [
            ("blind.csv", 3, "frobnicate run", "immigration", "none", "immigration", "fixes"),
        ],
    }  # fmt: skip
    page = response.content.decode()
    assert "2 rows flip in development: 1 fixed, 1 broken; 1 in held-out: 1 fixed, 0 broken" in (
        page
    )
    assert "frobnicate festival traffic" in page and "Breaks" in page and "Fixes" in page
    assert "stolen car" not in page
    assert "Not installed, so not read: train.csv" in page


def test_preview_saves_nothing_and_records_nothing(client, administrator, tiny_corpora):
    client.force_login(administrator)
    changes = ChangeRecord.objects.count()

    client.post(NEW, {**term_form(), "preview": "1"})

    assert not ReasonTerm.objects.filter(phrase="frobnicate").exists()
    assert ChangeRecord.objects.count() == changes


def test_save_after_a_preview_still_saves_and_records_the_term(client, administrator, tiny_corpora):
    client.force_login(administrator)
    client.post(NEW, {**term_form(), "preview": "1"})

    response = client.post(NEW, term_form())

    assert response.status_code == 302
    term = ReasonTerm.objects.get(phrase="frobnicate")
    assert ChangeRecord.objects.filter(
        subject_type="compliance.reasonterm", subject_id=term.pk, action="created"
    ).exists()


def test_preview_of_deactivating_a_term_lists_the_rows_it_unflags_and_keeps_it_active(
    client, administrator, tiny_corpora
):
    term = ReasonTerm.objects.create(label="immigration", phrase="frobnicate", note="slang")
    client.force_login(administrator)

    response = client.post(
        f"/state/administration/rules/terms/{term.pk}/",
        {**term_form(is_active=""), "preview": "1"},
    )

    assert flipped(response) == {
        "development": [
            ("dev.csv", 2, "frobnicate run for the boss", "immigration", "immigration",
             "none", "breaks"),
            ("dev.csv", 4, "frobnicate festival traffic", "none", "immigration", "none",
             "fixes"),
        ],
        "held-out": [
            ("blind.csv", 3, "frobnicate run", "immigration", "immigration", "none", "breaks"),
        ],
    }  # fmt: skip
    term.refresh_from_db()
    assert term.is_active


def test_preview_of_an_edited_term_replaces_its_stored_version(client, administrator, tiny_corpora):
    term = ReasonTerm.objects.create(label="immigration", phrase="frobnicate", note="slang")
    client.force_login(administrator)

    # Cancelled next to "festival": only that row changes, back to its correct label.
    response = client.post(
        f"/state/administration/rules/terms/{term.pk}/",
        {**term_form(unless_near="festival"), "preview": "1"},
    )

    assert flipped(response)["development"] == [
        ("dev.csv", 4, "frobnicate festival traffic", "none", "immigration", "none", "fixes")
    ]
    assert flipped(response)["held-out"] == []
    term.refresh_from_db()
    assert term.unless_near == []


def test_a_corpus_with_no_file_installed_is_named_as_not_installed(client, administrator, tmp_path):
    client.force_login(administrator)

    with override_settings(PORTAL_REASON_CORPORA={"held-out": [tmp_path / "absent.csv"]}):
        page = client.post(NEW, {**term_form(), "preview": "1"}).content.decode()

    assert "0 rows flip in held-out (not installed)" in page
    assert "The held-out corpus is not installed (absent.csv)" in page


def test_a_corpus_file_rewritten_on_disk_is_read_again(tmp_path):
    path = write_corpus(tmp_path / "dev.csv", [("stolen car", "none")])
    terms = [Term("immigration", "frobnicate")]

    with override_settings(PORTAL_REASON_CORPORA={"development": [path]}):
        first = term_change_flips(before=[], after=terms)
        write_corpus(path, [("stolen car", "none"), ("frobnicate it", "none")])
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        second = term_change_flips(before=[], after=terms)

    assert first == []
    assert [(flip.line, flip.reason) for flip in second] == [(3, "frobnicate it")]


def test_an_invalid_form_shows_its_errors_and_no_preview(client, administrator, tiny_corpora):
    client.force_login(administrator)

    response = client.post(NEW, {**term_form(match="regex", phrase="(unclosed"), "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "bad regular expression" in page
    assert PREVIEW not in page and "preview" not in response.context


@pytest.mark.parametrize("who", ["auditor", "anonymous"])
def test_only_administrators_may_preview(client, auditor, who, tiny_corpora):
    if who == "auditor":
        client.force_login(auditor)

    response = client.post(NEW, {**term_form(), "preview": "1"})

    assert response.status_code == (403 if who == "auditor" else 302)
    assert PREVIEW not in response.content.decode()


def test_preview_on_the_development_corpus_lists_the_rows_classified_differently(
    client, administrator
):
    """The real development corpus, the flips worked out here row by row."""
    development = settings.PORTAL_REASON_CORPORA["development"]
    rows = [row for path in development if path.exists() for row in load(path, path.name)]
    active = [
        Term(t.label, t.phrase, t.match, tuple(t.unless_near))
        for t in ReasonTerm.objects.filter(is_active=True)
    ]
    added = Term("immigration", "warrant")
    now, then = ReasonClassifier(active), ReasonClassifier([*active, added])
    expected = [
        (row.corpus, row.line)
        for row in rows
        if now.classify(row.reason).label != then.classify(row.reason).label
    ]
    client.force_login(administrator)

    with override_settings(PORTAL_REASON_CORPORA={"development": development}):
        response = client.post(NEW, {**term_form(phrase="warrant"), "preview": "1"})

    (corpus,) = response.context["preview"]
    assert len(rows) > 600 and corpus.rows == len(rows)
    assert expected and [(flip.file, flip.line) for flip in corpus.flips] == expected


def test_saving_a_terms_category_and_source_records_them_in_its_history(client, administrator):
    term = ReasonTerm.objects.create(label="immigration", phrase="frobnicate", note="slang")
    client.force_login(administrator)

    response = client.post(
        f"/state/administration/rules/terms/{term.pk}/",
        term_form(category="handoff", source="Tribune, 2025-10-04"),
    )

    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.category, term.source) == ("handoff", "Tribune, 2025-10-04")
    record = ChangeRecord.objects.get(
        subject_type="compliance.reasonterm", subject_id=term.pk, action="changed"
    )
    assert record.changes["category"] == ["other", "handoff"]
    assert record.changes["source"] == ["", "Tribune, 2025-10-04"]
    assert record.actor == administrator
