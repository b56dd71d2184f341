"""The term editor's Preview: which labelled corpus rows a change would flip, before the
administrator saves it, and nothing saved or recorded by looking."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
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


# --- corpus files that cannot be read --------------------------------------------------------


def test_a_corpus_file_that_cannot_be_read_is_reported_and_the_others_still_read(
    client, administrator, tmp_path
):
    good = write_corpus(tmp_path / "dev.csv", [("frobnicate run", "immigration")])
    latin = tmp_path / "latin.csv"
    latin.write_bytes("reason,label,note\nfrobnicate à la carte,none,\n".encode("latin-1"))
    headless = tmp_path / "headless.csv"
    headless.write_text("why,what\nfrobnicate it,none\n", encoding="utf-8")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    corpora = {"development": [good, latin, headless, folder]}
    client.force_login(administrator)

    with override_settings(PORTAL_REASON_CORPORA=corpora):
        response = client.post(NEW, {**term_form(), "preview": "1"})

    assert response.status_code == 200
    (corpus,) = response.context["preview"]
    assert corpus.rows == 1 and len(corpus.flips) == 1
    page = response.content.decode()
    assert "latin.csv could not be read: it is not UTF-8 text" in page
    assert "headless.csv could not be read: no reason or label column in its header" in page
    assert "folder.csv could not be read: it is a folder, not a file" in page


def test_a_corpus_no_file_of_which_can_be_read_says_so_in_the_summary(
    client, administrator, tmp_path
):
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    client.force_login(administrator)

    with override_settings(PORTAL_REASON_CORPORA={"held-out": [folder]}):
        page = client.post(NEW, {**term_form(), "preview": "1"}).content.decode()

    assert "0 rows flip in held-out (not read)" in page


def test_a_corpus_file_saved_with_a_byte_order_mark_is_read(client, administrator, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("reason,label,note\nfrobnicate run,immigration,\n", encoding="utf-8-sig")
    client.force_login(administrator)

    with override_settings(PORTAL_REASON_CORPORA={"development": [path]}):
        response = client.post(NEW, {**term_form(), "preview": "1"})

    (corpus,) = response.context["preview"]
    assert [(flip.line, flip.reason) for flip in corpus.flips] == [(2, "frobnicate run")]


def test_rows_with_an_unknown_label_are_skipped_and_counted(client, administrator, tmp_path):
    path = write_corpus(
        tmp_path / "dev.csv",
        [("frobnicate run", "immigration"), ("frobnicate walk", "immigraton"), ("x", "")],
    )
    client.force_login(administrator)

    with override_settings(PORTAL_REASON_CORPORA={"development": [path]}):
        response = client.post(NEW, {**term_form(), "preview": "1"})

    (corpus,) = response.context["preview"]
    assert corpus.rows == 1 and [flip.reason for flip in corpus.flips] == ["frobnicate run"]
    assert "2 rows with an unknown label skipped" in response.content.decode()


# --- the form around the preview -----------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "why"),
    [
        ("victim ~9", "may reach 1 to 8 words, not 9"),
        ("~3", "has no words"),
        ("word ~-1", '"~" may only end an entry'),
        ("word~3.5", '"~" may only end an entry'),
        ("ice ~ cream", '"~" may only end an entry'),
        ("!!", "has no words"),
    ],
)
def test_a_cancel_word_the_classifier_would_misread_is_refused_under_its_own_field(
    client, administrator, entry, why
):
    client.force_login(administrator)

    response = client.post(NEW, term_form(unless_near=f"festival, {entry}"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "phrase" not in form.errors
    (error,) = form.errors["unless_near"]
    assert entry in error and why in error
    assert not ReasonTerm.objects.filter(phrase="frobnicate").exists()


def test_a_cancel_word_with_a_reach_in_range_is_accepted(client, administrator):
    client.force_login(administrator)

    response = client.post(NEW, term_form(unless_near="festival, hate crime ~6, victim~8"))

    assert response.status_code == 302
    term = ReasonTerm.objects.get(phrase="frobnicate")
    assert term.unless_near == ["festival", "hate crime ~6", "victim~8"]


def test_preview_needs_no_reason_for_the_change_but_save_does(client, administrator, tiny_corpora):
    client.force_login(administrator)

    preview = client.post(NEW, {**term_form(change_reason=""), "preview": "1"})
    save = client.post(NEW, term_form(change_reason=""))

    assert preview.status_code == 200 and "preview" in preview.context
    assert save.status_code == 200 and "change_reason" in save.context["form"].errors
    assert not ReasonTerm.objects.filter(phrase="frobnicate").exists()


def test_the_heading_names_the_stored_term_not_the_previewed_edit(
    client, administrator, tiny_corpora
):
    term = ReasonTerm.objects.create(label="immigration", phrase="frobnicate", note="slang")
    client.force_login(administrator)

    response = client.post(
        f"/state/administration/rules/terms/{term.pk}/",
        {**term_form(phrase="defrobnicate"), "preview": "1"},
    )

    page = response.content.decode()
    assert "<h1>Reason term: Immigration: frobnicate</h1>" in page
    assert "<title>Edit reason term" in page
    assert 'value="defrobnicate"' in page


def test_preview_lists_at_most_200_flips_per_corpus_and_counts_them_all(
    client, administrator, tmp_path
):
    path = write_corpus(
        tmp_path / "dev.csv", [(f"frobnicate run {n}", "immigration") for n in range(205)]
    )
    client.force_login(administrator)

    with override_settings(PORTAL_REASON_CORPORA={"development": [path]}):
        response = client.post(NEW, {**term_form(), "preview": "1"})

    page = response.content.decode()
    assert "205 rows flip in development: 205 fixed, 0 broken" in page
    assert "205 of the 205 development rows would change label" in page
    assert "frobnicate run 199<" in page and "frobnicate run 200<" not in page
    assert "And 5 more rows not listed here" in page


@pytest.mark.parametrize("entry", ["~3", "word ~-1", "victim ~9"])
def test_a_term_saved_without_the_form_refuses_a_bad_cancel_entry_on_that_field(entry):
    term = ReasonTerm(label="immigration", phrase="frobnicate", unless_near=["ok", entry])

    with pytest.raises(ValidationError) as raised:
        term.full_clean()

    assert set(raised.value.message_dict) == {"unless_near"}
    assert entry in raised.value.message_dict["unless_near"][0]
