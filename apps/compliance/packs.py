"""Which rule pack judges a municipality: its own state's, or the home state's.

A municipality in a state with a pack is judged by that pack; one in a state without a
pack (or with no state recorded) by the pack of the portal's home state,
`PORTAL_HOME_STATE`. "Out of state" always means outside the municipality's own state
(`apps.compliance.vocabulary`), whichever pack judges it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from apps.municipalities.models import Municipality

from .models import Rule, RulePack
from .rulebook import PACKS


@dataclass(frozen=True)
class Packs:
    """Every pack and its rules, read once (a few packs of a dozen rules each)."""

    by_state: dict[str, RulePack]
    rules: dict[str, dict[str, Rule]]  # per pack's state, its rules by code

    def state_for(self, municipality_state: str) -> str:
        """The state whose pack judges a municipality of `municipality_state`."""
        if municipality_state in self.by_state:
            return municipality_state
        if settings.PORTAL_HOME_STATE not in self.by_state:
            # Fail closed: judging nobody would close every finding as "no longer holds".
            raise ImproperlyConfigured(
                f"PORTAL_HOME_STATE is {settings.PORTAL_HOME_STATE!r}, which has no rule pack"
                f" (packs: {', '.join(sorted(self.by_state)) or 'none'})."
            )
        return settings.PORTAL_HOME_STATE

    def rule(self, municipality_state: str, code: str) -> Rule | None:
        return self.rules.get(self.state_for(municipality_state), {}).get(code)


def packs_read(*, active_only: bool = False) -> Packs:
    """The packs with their rules (only the active rules if `active_only`), in one query:
    an evaluation reads them on every run. A pack is known by its rules: a pack without
    any rule (active or not) judges nobody."""
    by_state: dict[str, RulePack] = {}
    grouped: dict[str, dict[str, Rule]] = {}
    for rule in Rule.objects.select_related("pack"):
        by_state.setdefault(rule.pack.state, rule.pack)
        rules = grouped.setdefault(rule.pack.state, {})
        if rule.is_active or not active_only:
            rules[rule.code] = rule
    return Packs(by_state=by_state, rules=grouped)


def pack_municipality_ids(pack: RulePack) -> list[int]:
    """The municipalities `pack` judges: those of its state, and for the home state's
    pack, those of a state without a pack (or with no state recorded)."""
    judged = Q(state=pack.state)
    if pack.state == settings.PORTAL_HOME_STATE:
        judged |= ~Q(state__in=Rule.objects.values("pack__state"))
    return sorted(Municipality.objects.filter(judged).values_list("pk", flat=True))


@register()
def home_state_has_a_pack(app_configs, **kwargs) -> list[Error]:
    """The home state's pack judges every municipality of a state without one: a home
    state the rulebook has no pack for would leave them unjudged."""
    states = sorted(spec["state"] for spec in PACKS)
    if settings.PORTAL_HOME_STATE in states:
        return []
    return [
        Error(
            f"PORTAL_HOME_STATE is {settings.PORTAL_HOME_STATE!r}, which has no rule pack.",
            hint=f"Set it to one of {', '.join(states)}, or add the state's pack to"
            " apps/compliance/rulebook.py with a data migration (README: 'Using the portal in"
            " another state').",
            id="compliance.E001",
        )
    ]
