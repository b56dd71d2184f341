"""How a row of ICE's 287(g) list is compared with the agreements kept, and which name of
the directory it is matched on (the import itself is `services.registry_import`)."""

from .models import Agency, ImmigrationAgreement
from .naming import normalize_words, parse_agency_name
from .registry_file import PublishedRow

_SUPPORT_MODELS = {
    "jail enforcement": ImmigrationAgreement.SupportModel.JAIL_ENFORCEMENT,
    "jail enforcement model": ImmigrationAgreement.SupportModel.JAIL_ENFORCEMENT,
    "task force": ImmigrationAgreement.SupportModel.TASK_FORCE,
    "task force model": ImmigrationAgreement.SupportModel.TASK_FORCE,
    "warrant service officer": ImmigrationAgreement.SupportModel.WARRANT_SERVICE_OFFICER,
    "warrant service officer model": ImmigrationAgreement.SupportModel.WARRANT_SERVICE_OFFICER,
}
# ICE's TYPE column, as the directory's level.
_LEVELS = {
    "county": Agency.Level.COUNTY,
    "municipality": Agency.Level.LOCAL,
    "state agency": Agency.Level.STATE,
    "state": Agency.Level.STATE,
    "tribal": Agency.Level.TRIBAL,
}
# The words that say a county-like place is one, in COUNTY and in agency names.
_PLACE_WORDS = {"county", "parish", "borough", "district", "city", "and"}

# The fields an import compares and sets: the row as published.
PUBLISHED_FIELDS = (
    "agency", "state", "agency_name", "agency_type", "county", "support_model",
    "support_text", "signed_on", "moa_label", "addendum_label",
)  # fmt: skip


def support_model(text: str) -> str:
    return _SUPPORT_MODELS.get(normalize_words(text), ImmigrationAgreement.SupportModel.OTHER)


def agreement_key(row: PublishedRow) -> str:
    """What a later list is compared on: the state, the agency's normalised name and the
    support model (ICE's own words when it is none of the three)."""
    model = support_model(row.support_text)
    if model == ImmigrationAgreement.SupportModel.OTHER:
        model = f"other:{normalize_words(row.support_text)}"
    return f"{row.state}|{parse_agency_name(row.agency_name).normalized}|{model}"[:400]


def directory_level(row: PublishedRow) -> str:
    return _LEVELS.get(normalize_words(row.agency_type), "")


def name_to_match(row: PublishedRow) -> str:
    """The name the directory is asked for.

    A county agency's name should name its county ("Harris County Sheriff's Office",
    county "Harris County"). When it does not (the name or the county misspelt,
    "Jacksonville Sheriff's Office" in Duval County), the match is uncertain: the name
    is asked for with its county, which no vendor writes, so it waits in the agency
    review queue. Merging it there into the right agency keeps that spelling as an
    alias, and later lists match through it.
    """
    county_words = set(normalize_words(row.county).split()) - _PLACE_WORDS
    if directory_level(row) != Agency.Level.COUNTY or not county_words:
        return row.agency_name
    if county_words <= set(normalize_words(row.agency_name).split()):
        return row.agency_name
    return f"{row.agency_name} ({row.county})"


def names_to_match(rows: list[PublishedRow]) -> dict[PublishedRow, str]:
    """`name_to_match` of each row. The resolver knows a name once per load: a name
    listed in several states ("Franklin County Sheriff's Office") carries its state
    code as vendors write it ("… TX"), which the resolver reads as the state."""
    names = {row: name_to_match(row) for row in rows}
    states: dict[str, set[str]] = {}
    for row, name in names.items():
        states.setdefault(name, set()).add(row.state)
    return {
        row: name if len(states[name]) == 1 else f"{name} {row.state}"
        for row, name in names.items()
    }


def published_values(row: PublishedRow, *, agency_id: int) -> dict:
    return {
        "agency": agency_id,
        "state": row.state,
        "agency_name": row.agency_name,
        "agency_type": row.agency_type,
        "county": row.county,
        "support_model": support_model(row.support_text),
        "support_text": row.support_text,
        "signed_on": row.signed_on,
        "moa_label": row.moa_label,
        "addendum_label": row.addendum_label,
    }


def differs(agreement: ImmigrationAgreement, values: dict) -> bool:
    return any(
        getattr(agreement, "agency_id" if name == "agency" else name) != value
        for name, value in values.items()
    )
