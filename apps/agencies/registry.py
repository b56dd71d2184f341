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
# Kinds of place whose names repeat from county to county within a state.
_SHARED_PLACE_NAMES = {"township", "twp"}

# The fields an import compares and sets: the row as published.
PUBLISHED_FIELDS = (
    "agency", "state", "agency_name", "agency_type", "county", "support_model",
    "support_text", "signed_on", "moa_label", "addendum_label",
)  # fmt: skip


def support_model(text: str) -> str:
    return _SUPPORT_MODELS.get(normalize_words(text), ImmigrationAgreement.SupportModel.OTHER)


def _model_part(model: str, text: str) -> str:
    """The support model as keys and pairings compare it: ICE's own words when it is
    none of the three."""
    if model == ImmigrationAgreement.SupportModel.OTHER:
        return f"other:{normalize_words(text)}"
    return model


def _county_bound(row: PublishedRow) -> bool:
    """A municipality's (or a tribe's) agency is told apart by its county: Pennsylvania
    alone has many "Union Township Police Department"s, one per county that has a Union
    Township. A county's or the state's agency is not."""
    level = directory_level(row)
    return level not in (Agency.Level.COUNTY, Agency.Level.STATE) and bool(
        normalize_words(row.county)
    )


def agreement_key(row: PublishedRow) -> str:
    """What a later list is compared on: the state, the agency's normalised name (with
    its normalised county for a municipality's, `_county_bound`) and the support model."""
    model = _model_part(support_model(row.support_text), row.support_text)
    name = parse_agency_name(row.agency_name).normalized
    if _county_bound(row):
        name = f"{name}|{normalize_words(row.county)}"
    return f"{row.state}|{name}|{model}"[:400]


def directory_level(row: PublishedRow) -> str:
    return _LEVELS.get(normalize_words(row.agency_type), "")


def name_to_match(row: PublishedRow, *, repeated: bool = False) -> str:
    """The name the directory is asked for.

    A county agency's name should name its county ("Harris County Sheriff's Office",
    county "Harris County"). When it does not (the name or the county misspelt,
    "Jacksonville Sheriff's Office" in Duval County), the match is uncertain: the name
    is asked for with its county, which no vendor writes, so it waits in the agency
    review queue. Merging it there into the right agency keeps that spelling as an
    alias, and later lists match through it.

    So is a township's, whose name many counties share (a confirmed "Union Township
    PD" is one of them, not any), and a municipality's whose name the list gives in
    more than one county of its state (`repeated`): each county's is its own agency.
    """
    county_words = set(normalize_words(row.county).split()) - _PLACE_WORDS
    if not county_words:
        return row.agency_name
    if _county_bound(row):
        words = set(normalize_words(row.agency_name).split())
        if repeated or words & _SHARED_PLACE_NAMES:
            return f"{row.agency_name} ({row.county})"
        return row.agency_name
    if directory_level(row) != Agency.Level.COUNTY:
        return row.agency_name
    if county_words <= set(normalize_words(row.agency_name).split()):
        return row.agency_name
    return f"{row.agency_name} ({row.county})"


def names_to_match(rows: list[PublishedRow]) -> dict[PublishedRow, str]:
    """`name_to_match` of each row. The resolver knows a name once per load: a name
    listed in several states ("Franklin County Sheriff's Office") carries its state
    code as vendors write it ("… TX"), which the resolver reads as the state."""
    counties: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        if _county_bound(row):
            name = (row.state, parse_agency_name(row.agency_name).normalized)
            counties.setdefault(name, set()).add(normalize_words(row.county))
    names = {
        row: name_to_match(
            row,
            repeated=len(counties.get((row.state, parse_agency_name(row.agency_name).normalized),
                                      ())) > 1,
        )
        for row in rows
    }  # fmt: skip
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


def _unique_pairs(agreements, rows, agreement_signature, row_signature) -> list[tuple]:
    by_agreement: dict = {}
    for agreement in agreements:
        by_agreement.setdefault(agreement_signature(agreement), []).append(agreement)
    by_row: dict = {}
    for row in rows:
        by_row.setdefault(row_signature(row), []).append(row)
    return [
        (found[0], by_row[signature][0])
        for signature, found in by_agreement.items()
        if None not in signature and len(found) == 1 and len(by_row.get(signature, ())) == 1
    ]


def renamed_pairs(
    ending: list[ImmigrationAgreement], new: list[tuple[PublishedRow, int | None]]
) -> list[tuple[ImmigrationAgreement, PublishedRow]]:
    """The agreements a list would end paired with the rows it would add that are the
    same agreement renamed (ICE fixed "Dogulas County Sheriff's Office" to "Douglas…";
    or a key as this import reads it is not the one it was kept under): the same state,
    county, type, support model and signing date, or the same agency (`new` gives each
    row's resolved agency) and support model. Only a pairing unique on both sides is
    one; any other stays an end and an addition."""

    def published(row: PublishedRow) -> tuple:
        return (
            row.state, normalize_words(row.county), normalize_words(row.agency_type),
            _model_part(support_model(row.support_text), row.support_text), row.signed_on,
        )  # fmt: skip

    def kept(agreement: ImmigrationAgreement) -> tuple:
        return (
            agreement.state, normalize_words(agreement.county),
            normalize_words(agreement.agency_type),
            _model_part(agreement.support_model, agreement.support_text), agreement.signed_on,
        )  # fmt: skip

    agencies = dict(new)
    pairs = _unique_pairs(ending, agencies, kept, published)
    paired_agreements = {agreement.pk for agreement, _ in pairs}
    paired_rows = {row for _, row in pairs}
    pairs += _unique_pairs(
        [agreement for agreement in ending if agreement.pk not in paired_agreements],
        [row for row in agencies if row not in paired_rows],
        lambda agreement: (
            agreement.agency_id, _model_part(agreement.support_model, agreement.support_text)
        ),
        lambda row: (agencies[row], _model_part(support_model(row.support_text),
                                                row.support_text)),
    )  # fmt: skip
    return pairs
