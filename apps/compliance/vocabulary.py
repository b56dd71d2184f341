"""The words the rules, the dashboards, the rollups and the lists share, each defined once.

- "Out of state" (625 ILCS 5/2-130(c); Cal. Civ. Code 1798.90.55(b); Va. Code 2.2-5517):
  an agency located outside a state: for a rule, the municipality's own state; for the
  lists and dashboards, the portal's home state (`PORTAL_HOME_STATE`, Illinois): the
  same for the home state's municipalities. Federal and tribal agencies are their own
  categories, wherever they sit; an agency whose state is unknown counts as in state.
- "Blocked": an agency the state blocklist covers (`blocked_agency_ids`).
- "Federal": an agency of the federal level.

Each term comes twice, as a SQL `Fragment` (text with named parameters, and the values
of those parameters) and as an ORM `Q`; tests hold the two to the same rows.

SQL written by hand binds choice values as parameters (`CHOICES`, taken from the models'
choices) and takes table and column names from `_meta` (`Names`), so renaming a choice
or a column changes the SQL with it, and a value no model offers any more fails a test.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Model, Q

from apps.agencies.models import Agency, ImmigrationAgreement
from apps.audits.models import EvaluationRun, Finding, FindingDay, MunicipalityStatus
from apps.compliance import classifier, learned
from apps.compliance.models import Severity
from apps.municipalities.models import Municipality
from apps.sharing.models import (
    Declaration,
    SearchDay,
    SearchEvent,
    SharingChange,
    SharingGrant,
    UngrantedSearchDay,
)
from apps.vendors.models import VendorExport

# Not "out of state" wherever they sit: 2-130 and the state's policy treat them apart.
LEVELS_APART = (Agency.Level.FEDERAL, Agency.Level.TRIBAL)
# Sharing modes that open the data to a pool of agencies rather than one partner.
BROAD_MODES = (
    SharingGrant.Mode.STATEWIDE,
    SharingGrant.Mode.NATIONAL,
    SharingGrant.Mode.SIMILAR_LAWS,
)
# Reason labels the dashboards count as flagged searches.
FLAGGED_LABELS = (classifier.IMMIGRATION, classifier.HEALTH_CARE)


class Names:
    """A model's table and column names for a SQL template: `{grant}` is the (quoted)
    table, `{grant.agency_id}` or `{grant.agency}` the column of a field."""

    def __init__(self, model: type[Model]) -> None:
        self._model = model

    def __str__(self) -> str:
        return connection.ops.quote_name(self._model._meta.db_table)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return connection.ops.quote_name(self._model._meta.get_field(name).column)


# The tables hand-written SQL reads, by the names its templates use.
TABLES = {
    "agency": Names(Agency),
    "agreement": Names(ImmigrationAgreement),
    "change": Names(SharingChange),
    "declaration": Names(Declaration),
    "export": Names(VendorExport),
    "finding": Names(Finding),
    "finding_day": Names(FindingDay),
    "grant": Names(SharingGrant),
    "municipality": Names(Municipality),
    "run": Names(EvaluationRun),
    "search": Names(SearchEvent),
    "search_day": Names(SearchDay),
    "status": Names(MunicipalityStatus),
    "ungranted": Names(UngrantedSearchDay),
}


def sql_template(template: str) -> str:
    """`template` with its `{table}` and `{table.field}` names filled in from `TABLES`."""
    return template.format(**TABLES)


@dataclass(frozen=True)
class Choice:
    """A choice value (or several) that SQL binds, and the field whose choices it must
    be among. A column without choices of its own names where its values come from."""

    value: str | tuple[str, ...]
    model: type[Model]
    field: str
    values: Callable[[], Iterable[str]] | None = None

    def allowed(self) -> set[str]:
        if self.values is not None:
            return {str(value) for value in self.values()}
        return {str(value) for value, _ in self.model._meta.get_field(self.field).flatchoices}

    def unknown(self) -> list[str]:
        """The values bound here that the field no longer offers."""
        bound = self.value if isinstance(self.value, tuple) else (self.value,)
        return [str(value) for value in bound if str(value) not in self.allowed()]

    @property
    def param(self) -> str | list[str]:
        return list(self.value) if isinstance(self.value, tuple) else self.value


def _grant_statuses() -> Iterable[str]:
    return SharingGrant.Status.values


def _reason_labels() -> Iterable[str]:
    return (*classifier.PRIORITY, *learned.REVIEW_LABELS.values())


# Every choice value hand-written SQL uses, by its parameter's name.
CHOICES: dict[str, Choice] = {
    "outgoing": Choice(SharingGrant.Direction.OUTGOING, SharingGrant, "direction"),
    "detections": Choice(SharingGrant.DataType.DETECTIONS, SharingGrant, "data_type"),
    "accepted": Choice(SharingGrant.Status.ACCEPTED, SharingGrant, "status"),
    "revoked": Choice(SharingGrant.Status.REVOKED, SharingGrant, "status"),
    "denied": Choice(SharingGrant.Status.DENIED, SharingGrant, "status"),
    "change_accepted": Choice(
        SharingGrant.Status.ACCEPTED, SharingChange, "new_status", _grant_statuses
    ),
    "national": Choice(SharingGrant.Mode.NATIONAL, SharingGrant, "mode"),
    "broad_modes": Choice(BROAD_MODES, SharingGrant, "mode"),
    "federal": Choice(Agency.Level.FEDERAL, Agency, "level"),
    "private": Choice(Agency.Level.PRIVATE, Agency, "level"),
    "levels_apart": Choice(LEVELS_APART, Agency, "level"),
    "network": Choice(SearchEvent.Origin.NETWORK, SearchEvent, "origin"),
    "immigration": Choice(classifier.IMMIGRATION, SearchEvent, "reason_label", _reason_labels),
    "health_care": Choice(classifier.HEALTH_CARE, SearchEvent, "reason_label", _reason_labels),
    "vague": Choice(classifier.VAGUE, SearchEvent, "reason_label", _reason_labels),
    "sensitive_data": Choice(
        classifier.SENSITIVE_DATA, SearchEvent, "reason_label", _reason_labels
    ),
    "immigration_review": Choice(
        learned.IMMIGRATION_REVIEW, SearchEvent, "reason_label", _reason_labels
    ),
    "health_care_review": Choice(
        learned.HEALTH_CARE_REVIEW, SearchEvent, "reason_label", _reason_labels
    ),
    "critical": Choice(Severity.CRITICAL, Finding, "severity"),
    "high": Choice(Severity.HIGH, Finding, "severity"),
    "medium": Choice(Severity.MEDIUM, Finding, "severity"),
    "low": Choice(Severity.LOW, Finding, "severity"),
    "review": Choice(Severity.REVIEW, Finding, "severity"),
    "loaded": Choice(VendorExport.Status.LOADED, VendorExport, "status"),
    # Runs that leave the findings up to date: evaluated, or found with nothing to evaluate.
    "checked": Choice(
        (EvaluationRun.Outcome.SUCCEEDED, EvaluationRun.Outcome.UNCHANGED), EvaluationRun, "outcome"
    ),
}


def choice_params() -> dict[str, str | list[str]]:
    """The parameters of `CHOICES`, to pass with any query that uses them."""
    return {name: choice.param for name, choice in CHOICES.items()}


def choices_unknown() -> dict[str, list[str]]:
    """The bound values no model offers any more, by parameter: empty while all hold."""
    return {name: bad for name, choice in CHOICES.items() if (bad := choice.unknown())}


@dataclass(frozen=True)
class Fragment:
    """A SQL condition and the values of its named parameters."""

    sql: str
    params: dict[str, object]


def _home_states() -> list[str]:
    # An agency whose state nobody knows is not taken for an out-of-state one.
    return ["", settings.PORTAL_HOME_STATE]


def in_home_state_sql(agency: str, *, state: str | None = None) -> Fragment:
    """The agency (`agency`: the agencies table's alias) sits in the home state, or its
    state is unknown: where an agency is, whatever its level. With `state`, a SQL
    expression of a state (the municipality's), in that state instead."""
    a = TABLES["agency"]
    if state is not None:
        return Fragment(f"{agency}.{a.state} IN ('', {state})", {})
    return Fragment(f"{agency}.{a.state} = ANY(%(home_states)s)", {"home_states": _home_states()})


def out_of_state_sql(agency: str, *, state: str | None = None) -> Fragment:
    """An out-of-state agency (see the module's docstring): outside the home state, or
    outside `state`, a SQL expression of the municipality's state."""
    a = TABLES["agency"]
    located = in_home_state_sql(agency, state=state)
    return Fragment(
        f"(NOT {located.sql} AND {agency}.{a.level} <> ALL(%(levels_apart)s))",
        {**located.params, "levels_apart": CHOICES["levels_apart"].param},
    )


def federal_sql(agency: str) -> Fragment:
    a = TABLES["agency"]
    return Fragment(f"{agency}.{a.level} = %(federal)s", {"federal": CHOICES["federal"].param})


def blocked_sql(agency_id: str, *, blocked: list[int]) -> Fragment:
    """`agency_id`: the column (with its alias) holding the agency; `blocked`: the ids
    of `blocked_agency_ids()`."""
    return Fragment(f"{agency_id} = ANY(%(blocked)s)", {"blocked": list(blocked)})


def in_home_state_q(agency: str = "agency__") -> Q:
    """`agency`: the lookup prefix of the agency ("" on agencies themselves)."""
    return Q(**{f"{agency}state__in": _home_states()})


def out_of_state_q(agency: str = "agency__") -> Q:
    return ~in_home_state_q(agency) & ~Q(**{f"{agency}level__in": LEVELS_APART})


def federal_q(agency: str = "agency__") -> Q:
    return Q(**{f"{agency}level": Agency.Level.FEDERAL})


def blocked_q(agency_id: str = "agency_id", *, blocked: list[int]) -> Q:
    return Q(**{f"{agency_id}__in": list(blocked)})


def sql_params(*, blocked: list[int]) -> dict[str, object]:
    """The parameters of `CHOICES` and of every term's fragment, for a query using any."""
    return {
        **choice_params(),
        **out_of_state_sql("a").params,
        **blocked_sql("agency_id", blocked=blocked).params,
    }
