"""The reason terms by category (issue 16): what each category catches and must not, that
every term carries a valid category, and that migration 0009 leaves the database's terms
as ``DEFAULT_TERMS`` has them, both ways."""

import importlib

import pytest
from django.apps import apps as current_apps
from django.core.exceptions import ValidationError
from django.db import migrations

from apps.compliance.classifier import TERM_CATEGORIES, ReasonClassifier
from apps.compliance.default_terms import CANCEL_WORDS_WIDENED, DEFAULT_TERMS
from apps.compliance.models import ReasonTerm
from apps.compliance.terms import reason_classifier

MIGRATION = importlib.import_module("apps.compliance.migrations.0009_reason_term_categories")
WIDENING = importlib.import_module("apps.compliance.migrations.0011_reason_term_cancel_words")
FIELDS = ("label", "phrase", "match", "unless_near", "category", "source", "note")


@pytest.fixture(scope="module")
def classifier() -> ReasonClassifier:
    return ReasonClassifier(DEFAULT_TERMS)


def of_category(category: str) -> ReasonClassifier:
    return ReasonClassifier([term for term in DEFAULT_TERMS if term.category == category])


# --- every term has a category ------------------------------------------------------------


def test_the_classifier_knows_the_categories_the_model_offers():
    assert set(TERM_CATEGORIES) == set(ReasonTerm.Category.values)


def test_every_default_term_has_a_valid_category():
    wrong = [t.phrase for t in DEFAULT_TERMS if t.category not in ReasonTerm.Category.values]
    assert wrong == []
    assert [t.phrase for t in DEFAULT_TERMS if t.category == "other"] == []


def test_every_default_term_fits_the_source_column():
    assert all(len(term.source) <= 500 for term in DEFAULT_TERMS)


@pytest.mark.parametrize("category", ["operation", "handoff", "health_law", "agency"])
def test_named_operations_laws_hand_offs_and_agencies_say_where_they_come_from(category):
    terms = [term for term in DEFAULT_TERMS if term.category == category]
    assert terms
    assert [term.phrase for term in terms if not term.source] == []


# --- what each category catches ------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "reason"),
    [
        ("status_law", "entered without inspection - locate"),
        ("status_law", "subj EWI 2019"),
        ("status_law", "final order - locate subject"),
        ("status_law", "reinstated order"),
        ("status_law", "previously removed, re-entered"),
        ("status_law", "unlawful re-entry after removal"),
        ("status_law", "Title 8 violation"),
        ("status_law", "INA 212(a)(6)(A)"),
        ("status_law", "TPS terminated - locate"),
        ("status_law", "humanitarian parole terminated"),
        ("status_law", "DACA expired"),
        ("status_law", "A# 212-345-678"),
        ("status_law", "A212345678 locate"),
        ("status_law", "subject is removable"),
        ("status_law", "no lawful status"),
        ("status_law", "admin warrant service"),
        ("status_law", "granted voluntary departure, did not leave"),
        ("operation", "Operation Midway Blitz"),
        ("operation", "midwya blitz assist"),
        ("operation", "Broadview processing center transport"),
        ("operation", "vehicle seen at 1930 Beach St"),
        ("operation", "Charlotte's Web"),
        ("operation", "transfer to Alligator Alcatraz"),
        ("handoff", "federal pickup"),
        ("handoff", "fed pick-up 10-4"),
        ("handoff", "locate for fed partners"),
        ("handoff", "hold for feds"),
        ("handoff", "turned over to feds"),
        ("handoff", "transfer to federal custody"),
    ],
)
def test_immigration_categories_catch_purpose_without_the_agency(classifier, category, reason):
    assert of_category(category).classify(reason).label == "immigration"
    assert classifier.classify(reason).label == "immigration"


@pytest.mark.parametrize(
    ("category", "reason"),
    [
        ("health_law", "Texas SB 8 suit"),
        ("health_law", "heartbeat act investigation"),
        ("health_law", "Idaho HB 242"),
        ("health_law", "Human Life Protection Act violation"),
        ("health_law", "transporting pregnant minor across state line"),
        ("health_law", "Comstock Act - pills by mail"),
        ("clinic", "Whole Woman's Health patient"),
        ("clinic", "Hope Clinic Granite City visit"),
        ("clinic", "Choices Center Carbondale"),
        ("clinic", "Aid Access package"),
        ("clinic", "Just the Pill van"),
        ("clinic", "carafem patient"),
        ("health_care", "D&E - dilation and evacuation"),
        ("health_care", "family planning visit"),
    ],
)
def test_health_categories_catch_laws_and_clinics(classifier, category, reason):
    assert of_category(category).classify(reason).label == "health_care"
    assert classifier.classify(reason).label == "health_care"


# --- what they must not flag ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "near"),
    [
        ("ice fishing", "fishing"),
        ("Ice arena burglary", "arena"),
        ("Reddy Ice delivery truck", "reddy"),
        ("winter - ice on bridge, crash", "winter"),
        ("hate crime at immigrant-owned store", "owned"),
        ("final order of protection violation", "protection"),
        ("previously removed from store - trespass", "store"),
        ("removable plates", "plates"),
        ("inadmissible evidence - motion", "evidence"),
        ("parole terminated - IDOC warrant", "idoc"),
        ("federal pickup - USMS prisoner", "usms"),
        ("for federal partners - bank robbery", "bank"),
        ("hold for feds ATF gun case", "atf"),
        ("Title 8 MCC violation", "mcc"),
        ("admin warrant - housing code inspection", "housing"),
        ("Comstock Ave burglary", "ave"),
        ("shield law - reporter's sources", "reporters"),
        ("Hope Clinic burglary", "burglary"),
    ],
)
def test_hard_negatives_are_cancelled_by_their_context(classifier, reason, near):
    result = classifier.classify(reason)
    assert result.label == "none"
    assert f'next to "{near}"' in result.explanation


@pytest.mark.parametrize(
    "reason",
    ["Midway airport theft", "Broadview PD request", "TPS report", "a 2019 Honda stolen",
     "fed up neighbour - criminal damage", "IL DL A123-4567-8901 suspended"],
)  # fmt: skip
def test_look_alikes_of_the_new_terms(classifier, reason):
    assert classifier.classify(reason).label in ("none", "sensitive_data")


def test_a_licence_number_is_not_read_as_an_a_number(classifier):
    assert classifier.classify("IL DL A123-4567-8901 suspended").label == "sensitive_data"


# --- terms as the database holds them -----------------------------------------------------------


def db_terms() -> set[tuple]:
    return {
        (t.label, t.phrase, t.match, tuple(t.unless_near), t.category, t.source, t.note)
        for t in ReasonTerm.objects.all()
    }


def default_terms() -> set[tuple]:
    return {tuple(getattr(term, field) for field in FIELDS) for term in DEFAULT_TERMS}


@pytest.mark.django_db
def test_the_migrated_database_holds_the_default_terms_with_categories_and_sources():
    assert db_terms() == default_terms()


@pytest.mark.django_db
def test_migration_0009_takes_a_database_from_0008_to_the_default_terms_and_back():
    # Back to 0008: the later migration's words first.
    WIDENING.words_remove(current_apps, None)
    MIGRATION.terms_uncategorise(current_apps, None)
    added = {(label, phrase, match) for label, phrase, match, *_ in MIGRATION.ADDED}
    assert not added & set(ReasonTerm.objects.values_list("label", "phrase", "match"))
    assert set(ReasonTerm.objects.values_list("category", "source")) == {("other", "")}
    ice = ReasonTerm.objects.get(label="immigration", phrase="ice", match="word")
    assert "fishing" not in ice.unless_near and "possession" in ice.unless_near
    assert ReasonTerm.objects.count() == len(MIGRATION.CATEGORISED)

    MIGRATION.terms_categorise(current_apps, None)
    WIDENING.words_add(current_apps, None)

    assert db_terms() == default_terms()


@pytest.mark.django_db
def test_migration_0009_keeps_what_an_administrator_changed():
    MIGRATION.terms_uncategorise(current_apps, None)
    ice = ReasonTerm.objects.get(label="immigration", phrase="ice", match="word")
    ice.unless_near = [*ice.unless_near, "zamboni", "glacier"]
    ice.category, ice.note = "other", "ICE, as our administrator words it"
    ice.save()
    ReasonTerm.objects.filter(phrase="ero").update(category="status_law", source="our own")

    MIGRATION.terms_categorise(current_apps, None)

    ice.refresh_from_db()
    assert ice.unless_near.count("zamboni") == 1
    assert "glacier" in ice.unless_near and "fishing" in ice.unless_near
    assert ice.note == "ICE, as our administrator words it"
    assert ice.category == "agency"
    ero = ReasonTerm.objects.get(phrase="ero")
    assert (ero.category, ero.source) == ("status_law", "our own")


@pytest.mark.django_db
def test_the_classifier_built_from_the_database_carries_category_and_source():
    ReasonTerm.objects.create(
        label="immigration",
        phrase="operation frostbite",
        category="operation",
        source="a news report",
        note="test",
    )
    built = {term.phrase: term for term in reason_classifier().terms}
    assert built["operation frostbite"].category == "operation"
    assert built["operation frostbite"].source == "a news report"
    assert built["midway blitz"].category == "operation"


@pytest.mark.django_db
def test_an_administrator_cannot_save_a_cancel_word_reaching_too_far():
    term = ReasonTerm(label="immigration", phrase="migrante", unless_near=["victima ~12"])
    with pytest.raises(ValidationError, match="may reach 1 to 8 words"):
        term.full_clean()


# --- cancel words widened after the training corpus (migration 0011) -------------------------


@pytest.mark.parametrize(
    ("reason", "near"),
    [
        ("Ice House tavern - battery", "house"),
        ("fight outside Center Ice", "center"),
        ("fake ICE agent robbed a family", "fake"),
        ("man posing as immigration officer - theft", "posing"),
        ("suspect threatened to call immigration on tenant", "threatened"),
        ("robbery of immigrant day laborer", "robbery"),
        ("HSI child exploitation lead", "child"),
        ("CBP fentanyl seizure at port", "fentanyl"),
        ("undocumented firearm recovered", "firearm"),
        ("green card stolen in car burglary", "stolen"),
        ("arson at abortion clinic", "arson"),
        ("bomb threat to Planned Parenthood", "threat"),
        ("federal pickup of evidence", "evidence"),
    ],
)
def test_widened_cancel_words_keep_victims_businesses_and_other_federal_work_out(
    classifier, reason, near
):
    result = classifier.classify(reason)
    assert result.label == "none", result
    assert f'"{near}"' in result.explanation.lower()


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("ICE at house on Elm - locate subj for removal", "immigration"),
        ("HSI ERO locate removable subj", "immigration"),
        ("plates seen at Planned Parenthood lot", "health_care"),
        ("subj in custody - hold for feds, ICE detainer", "immigration"),
    ],
)
def test_purpose_next_to_the_new_cancel_words_still_reads(classifier, reason, label):
    assert classifier.classify(reason).label == label


def test_every_widened_term_exists_and_the_migration_copies_the_words():
    keys = {(t.label, t.phrase, t.match) for t in DEFAULT_TERMS}
    assert {(label, phrase, match) for label, phrase, match, _ in WIDENING.WIDENED} <= keys
    assert {key: tuple(words) for key, words in CANCEL_WORDS_WIDENED.items()} == {
        (label, phrase, match): tuple(words) for label, phrase, match, words in WIDENING.WIDENED
    }


@pytest.mark.django_db
def test_migration_0011_takes_the_words_out_and_back():
    WIDENING.words_remove(current_apps, None)
    ice = ReasonTerm.objects.get(label="immigration", phrase="ice", match="word")
    assert "tavern" not in ice.unless_near and "fishing" in ice.unless_near

    WIDENING.words_add(current_apps, None)

    assert db_terms() == default_terms()


@pytest.mark.django_db
def test_reversing_0009_keeps_an_added_term_an_administrator_created_or_edited():
    WIDENING.words_remove(current_apps, None)
    (kept_label, kept_phrase, kept_match, *_), (edited_label, edited_phrase, edited_match, *_) = (
        MIGRATION.ADDED[:2]
    )
    # As an administrator would have it had they created it before the upgrade: the
    # forward get_or_create found it and left its note and cancel words alone.
    ReasonTerm.objects.filter(label=kept_label, phrase=kept_phrase, match=kept_match).update(
        note="our own wording", unless_near=["asylum office"]
    )
    edited = ReasonTerm.objects.get(label=edited_label, phrase=edited_phrase, match=edited_match)
    edited.unless_near = [*edited.unless_near, "lawyer"]
    edited.save()

    MIGRATION.terms_uncategorise(current_apps, None)

    left = set(ReasonTerm.objects.values_list("label", "phrase", "match"))
    added = {(label, phrase, match) for label, phrase, match, *_ in MIGRATION.ADDED}
    assert left & added == {
        (kept_label, kept_phrase, kept_match),
        (edited_label, edited_phrase, edited_match),
    }


def terms_as_of_0008() -> list[ReasonTerm]:
    """The terms a database held at 0008, rebuilt from the data 0009 and 0011 carry: the
    terms 0009 categorised, with the cancel words 0009 and 0011 added taken back out and
    the note 0009 replaced put back, without category or source."""
    defaults = {(t.label, t.phrase, t.match): t for t in DEFAULT_TERMS}
    widened_0009 = {(label, phrase, match): (words, before) for label, phrase, match, words,
                    before, _ in MIGRATION.WIDENED}  # fmt: skip
    widened_0011 = {
        (label, phrase, match): words for label, phrase, match, words in WIDENING.WIDENED
    }
    rows = []
    for label, phrase, match, _, _ in MIGRATION.CATEGORISED:
        default = defaults[label, phrase, match]
        words, note = widened_0009.get((label, phrase, match), ((), default.note))
        later = (*words, *widened_0011.get((label, phrase, match), ()))
        rows.append(
            ReasonTerm(
                label=label,
                phrase=phrase,
                match=match,
                unless_near=[word for word in default.unless_near if word not in later],
                note=note,
            )
        )
    return rows


@pytest.mark.django_db
def test_migrations_0009_and_0011_take_a_database_as_of_0008_to_the_default_terms():
    ReasonTerm.objects.all().delete()
    ReasonTerm.objects.bulk_create(terms_as_of_0008())
    assert ReasonTerm.objects.count() == len(MIGRATION.CATEGORISED) == 173
    assert set(ReasonTerm.objects.values_list("category", "source")) == {("other", "")}

    MIGRATION.terms_categorise(current_apps, None)
    WIDENING.words_add(current_apps, None)

    assert db_terms() == default_terms()


def test_migration_0011_runs_its_functions_both_ways():
    (operation,) = WIDENING.Migration.operations
    assert isinstance(operation, migrations.RunPython)
    assert operation.code is WIDENING.words_add
    assert operation.reverse_code is WIDENING.words_remove
