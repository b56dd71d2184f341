"""The shared vocabulary of rule SQL: one reading of "out of state", "blocked" and
"federal" for the rules, the dashboards and the grants list; choice values bound from
the models' choices; table and column names from `_meta`."""

import re
from enum import Enum

import pytest
from django.apps import apps as django_apps
from django.db import connection

from apps.agencies.models import Agency
from apps.audits import evaluation
from apps.audits import rollups as audit_rollups
from apps.audits.dashboards import municipality_summary
from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.compliance import classifier, learned, vocabulary
from apps.municipalities.scoping import municipality_scope
from apps.sharing import rollups as search_rollups
from apps.sharing.forms import DeclarationForm
from apps.sharing.models import SharingGrant
from tests.audits.factories import AgencyFactory, SharingGrantFactory

pytestmark = pytest.mark.django_db

STATES = ["", "IL", "WI"]


def every_choice_value() -> set[str]:
    """Every value any model field offers as a choice, and the classifier's labels."""
    values = set(classifier.PRIORITY)
    for model in django_apps.get_models():
        for field in model._meta.get_fields():
            for value, _ in getattr(field, "flatchoices", None) or []:
                values.add(str(value))
    return values


def hand_written_sql() -> dict[str, str]:
    """Every query the rules and the rollups run, as it is sent (names filled in)."""
    return {
        "grant rules": evaluation._GRANT_QUERY,
        **{f"search rules {name}": sql for name, sql in evaluation._SEARCH_QUERIES.items()},
        "rule BULK_ACCEPTANCE": evaluation._BULK_QUERY,
        "status rollup": audit_rollups._REFRESH_QUERY,
        "status rows": audit_rollups._STATUS_ROWS,
        "finding days": audit_rollups._DAYS_INSERT,
        "rollups missing": audit_rollups._ROLLUPS_MISSING,
        **{f"search days {n}": sql for n, sql in enumerate(search_rollups._DAYS_RECOUNT)},
        **{f"search days rebuild {k}": sql for k, sql in search_rollups._REBUILD_COUNT.items()},
    }


# --- choices -----------------------------------------------------------------------------


def test_every_choice_the_sql_binds_is_one_its_model_offers():
    assert vocabulary.choices_unknown() == {}
    for name, choice in vocabulary.CHOICES.items():
        bound = choice.value if isinstance(choice.value, tuple) else (choice.value,)
        # The model's own enum members (or the classifier's labels), never a copy.
        labels = (*classifier.PRIORITY, *learned.REVIEW_LABELS.values())
        assert all(isinstance(v, Enum) or v in labels for v in bound), name


def test_a_renamed_choice_is_caught_not_bound_silently(monkeypatch):
    status = SharingGrant._meta.get_field("status")
    renamed = [("approved" if v == "accepted" else v, label) for v, label in status.choices]
    monkeypatch.setattr(status, "choices", renamed)

    assert vocabulary.choices_unknown() == {"accepted": ["accepted"]}


def test_a_renamed_reason_label_is_caught(monkeypatch):
    monkeypatch.setattr(classifier, "PRIORITY", ("immigrant", *classifier.PRIORITY[1:]))

    assert vocabulary.choices_unknown() == {"immigration": ["immigration"]}


def test_the_rules_and_rollups_write_no_choice_value_by_hand():
    choices = every_choice_value()
    for name, sql in hand_written_sql().items():
        literals = set(re.findall(r"'([^']*)'", sql))
        assert not literals & choices, (name, literals & choices)
        for param in re.findall(r"%\((\w+)\)s", sql):
            if param in choices:  # a parameter named after a choice is bound from CHOICES
                assert param in vocabulary.CHOICES, (name, param)


def test_the_rules_and_rollups_take_table_names_from_the_models():
    tables = {model._meta.db_table for model in django_apps.get_models()}
    for name, sql in hand_written_sql().items():
        unquoted = {word for word in re.findall(r'(?<!")\b(\w+)\b(?!")', sql) if word in tables}
        assert not unquoted, (name, unquoted)


def test_names_follow_the_models_meta():
    grant = vocabulary.Names(SharingGrant)
    assert str(grant) == connection.ops.quote_name(SharingGrant._meta.db_table)
    assert grant.agency == grant.agency_id == '"agency_id"'
    assert vocabulary.sql_template("{grant.status}") == '"status"'
    with pytest.raises(Exception, match="no field named 'statuss'"):
        vocabulary.sql_template("{grant.statuss}")


# --- the three terms: SQL and ORM agree --------------------------------------------------


@pytest.fixture
def agencies():
    """One agency for every (state, level) pair: unknown, home and another state."""
    return {
        (state, level): AgencyFactory(name=f"Agency {state or 'xx'} {level}", state=state,
                                      level=level)
        for state in STATES for level in Agency.Level.values
    }  # fmt: skip


def sql_ids(fragment: vocabulary.Fragment, ids: list[int]) -> set[int]:
    sql = vocabulary.sql_template("SELECT a.id FROM {agency} a WHERE a.id = ANY(%(ids)s) AND ")
    with connection.cursor() as cursor:
        cursor.execute(sql + fragment.sql, {**fragment.params, "ids": ids})
        return {row[0] for row in cursor.fetchall()}


def q_ids(q, ids: list[int]) -> set[int]:
    return set(Agency.objects.filter(q, pk__in=ids).values_list("pk", flat=True))


def test_out_of_state_is_another_states_agency_neither_federal_nor_tribal(agencies, settings):
    settings.PORTAL_HOME_STATE = "IL"
    ids = [a.pk for a in agencies.values()]
    expected = {
        a.pk for (state, level), a in agencies.items()
        if state == "WI" and level not in ("federal", "tribal")
    }  # fmt: skip

    assert sql_ids(vocabulary.out_of_state_sql("a"), ids) == expected
    assert q_ids(vocabulary.out_of_state_q(""), ids) == expected
    in_state = {a.pk for (state, _), a in agencies.items() if state in ("", "IL")}
    assert sql_ids(vocabulary.in_home_state_sql("a"), ids) == in_state
    assert q_ids(vocabulary.in_home_state_q(""), ids) == in_state


def test_federal_and_blocked_read_the_same_in_sql_and_orm(agencies):
    ids = [a.pk for a in agencies.values()]
    federal = {a.pk for (_, level), a in agencies.items() if level == "federal"}
    blocked = [agencies["WI", "local"].pk, agencies["", "federal"].pk]

    assert sql_ids(vocabulary.federal_sql("a"), ids) == federal
    assert q_ids(vocabulary.federal_q(""), ids) == federal
    assert sql_ids(vocabulary.blocked_sql("a.id", blocked=blocked), ids) == set(blocked)
    assert q_ids(vocabulary.blocked_q("id", blocked=blocked), ids) == set(blocked)


# --- the rule, the dashboard and the grants list count the same grants -------------------


def test_rule_dashboard_and_grants_list_agree_on_out_of_state(client, clerk_a, municipality_a):
    partners = {
        "kenosha": AgencyFactory(name="Kenosha WI PD", state="WI"),
        "ho-chunk": AgencyFactory(name="Ho-Chunk Nation WI PD", state="WI", level="tribal"),
        "fbi": AgencyFactory(name="FBI Milwaukee WI", state="WI", level="federal"),
        "riverbend": AgencyFactory(name="Riverbend IL PD", state="IL"),
        "unknown": AgencyFactory(name="Metro Task Force", state=""),
    }
    with municipality_scope(municipality_a):
        grants = {
            key: SharingGrantFactory(municipality=municipality_a, agency=agency)
            for key, agency in partners.items()
        }
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        flagged = set(
            Finding.objects.filter(rule_code="OUT_OF_STATE_NO_DECLARATION").values_list(
                "grant_id", flat=True
            )
        )
        summary = municipality_summary(municipality=municipality_a)
    client.force_login(clerk_a)
    listed = client.get(f"/m/{municipality_a.slug}/grants/?out_of_state=yes").content.decode()
    listed_ids = {int(n) for n in re.findall(r'<tr data-row="(\d+)"', listed)}

    assert flagged == {grants["kenosha"].pk}
    assert summary["grants"]["out_of_state"] == 1
    assert listed_ids == {grants["kenosha"].pk}
    # The declarations register offers exactly the partners the rule wants one from.
    with municipality_scope(municipality_a):
        offered = set(DeclarationForm().fields["agency"].queryset.values_list("pk", flat=True))
    assert offered == {partners["kenosha"].pk}
