"""Which rule pack judges a municipality: its own state's, or the home state's.

A municipality in a state with a pack is judged by that pack; one in a state without a
pack (or with no state recorded) by the pack of the portal's home state,
`PORTAL_HOME_STATE`. "Out of state" always means outside the municipality's own state
(`apps.compliance.vocabulary`), whichever pack judges it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from .models import Rule, RulePack


@dataclass(frozen=True)
class Packs:
    """Every pack and its rules, read once (a few packs of a dozen rules each)."""

    by_state: dict[str, RulePack]
    rules: dict[str, dict[str, Rule]]  # per pack's state, its rules by code

    def state_for(self, municipality_state: str) -> str:
        """The state whose pack judges a municipality of `municipality_state`."""
        if municipality_state in self.by_state:
            return municipality_state
        return settings.PORTAL_HOME_STATE

    def rule(self, municipality_state: str, code: str) -> Rule | None:
        return self.rules.get(self.state_for(municipality_state), {}).get(code)


def packs_read(*, active_only: bool = False) -> Packs:
    """The packs with their rules (only the active rules if `active_only`)."""
    rules = Rule.objects.select_related("pack")
    if active_only:
        rules = rules.filter(is_active=True)
    by_state = {pack.state: pack for pack in RulePack.objects.all()}
    grouped: dict[str, dict[str, Rule]] = {state: {} for state in by_state}
    for rule in rules:
        grouped[rule.pack.state][rule.code] = rule
    return Packs(by_state=by_state, rules=grouped)


def pack_states_judged(pack: RulePack, *, all_states: Iterable[str]) -> set[str]:
    """Of `all_states` (municipalities' states), those `pack` judges."""
    packs = set(RulePack.objects.values_list("state", flat=True))
    return {
        state
        for state in all_states
        if state == pack.state or (state not in packs and pack.state == settings.PORTAL_HOME_STATE)
    }
