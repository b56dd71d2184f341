"""The migrations that load the rulebook read it as it is today: a key the rulebook
gains later (a field added by a later migration) must not break a database migrated from
scratch."""

import importlib

import pytest
from django.apps import apps as current_apps

from apps.compliance import rulebook
from apps.compliance.models import Rule

LATER = "added_by_a_later_migration"


class _Editor:
    def execute(self, sql):
        pass


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("module", "function", "created"),
    [
        ("0006_rule_packs", "packs_load", {"pack__state__in": ["CA", "VA"]}),
        ("0007_immigration_partner_rules", "rules_add", {"code__startswith": "IMMIGRATION_PA"}),
    ],
)
def test_a_rulebook_key_the_rule_does_not_have_yet_is_left_out(
    monkeypatch, module, function, created
):
    monkeypatch.setattr(rulebook, "RULES", [{**rule, LATER: 1} for rule in rulebook.RULES])
    monkeypatch.setattr(
        rulebook,
        "PACKS",
        [{**pack, "rules": [{**rule, LATER: 1} for rule in pack["rules"]]}
         for pack in rulebook.PACKS],
    )  # fmt: skip
    expected = Rule.objects.filter(**created).count()
    Rule.objects.filter(**created).delete()
    migration = importlib.import_module(f"apps.compliance.migrations.{module}")

    getattr(migration, function)(current_apps, _Editor())

    assert expected > 0
    assert Rule.objects.filter(**created).count() == expected
