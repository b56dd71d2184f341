"""Make the Flock SharedNetworks samples, in the layout Flock produces (see
../shared/DOMAIN.md "Vendor exports" and docs/vendor-formats.md section 3).

    .venv/bin/python tests/ingest/samples/make_flock_sharing_list.py

writes, next to this script:
- flock_sharing_list.csv / .xlsx: Maple Grove IL PD's list, the demo's 40 partners;
- flock_shared_networks.xlsx / .csv: a large list (400 partner rows, a dozen own
  networks repeated on every sharing row), sheet `SharedNetworks_2025_December_30`.

`partner_rows` makes the lists of a California and a Virginia department (the rule packs'
tests write them where they run).

Every name is fictional except the federal components' own names. Tests import this
file (by path) to make further snapshots of the large list.
"""

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
HEADER = ["Organization Name", "Networks Shared With Me", "Networks I'm Sharing"]

# --- the demo's list: Maple Grove IL PD -------------------------------------------------

MAPLE_GROVE_NETWORKS = [
    "Maple Grove IL PD - LPR ",
    "Maple Grove IL PD - Downtown",
    "Maple Grove IL Public Works ",
]
# Partners in the order of the demo's story; those marked True also share with Maple Grove.
MAPLE_GROVE_PARTNERS = [
    ("Riverbend IL PD ", True), ("Oak Prairie IL PD", True),
    ("Pleasant Valley IL Police Department ", True), ("Kettle County IL SO", True),
    ("Prairie Haven IL PD ", True), ("Cedar Bluff IL PD", True), ("Fox Hollow IL PD", True),
    ("Lakeshore Bend IL PD ", True), ("North Ashford IL PD", False),
    ("Stonebridge IL PD", True), ("Willow Ridge IL PD ", False),
    ("Brookhaven Township IL PD", False), ("Prairie State University Police", False),
    ("Prairie Region IL Fusion Center ", True), ("Old Town IL PD [Inactive]", False),
    ("Elm Crossing IL PD [turned off] ", False), ("Harlow IL PD - DNU", False),
    ("Kettle County IL SO - Duplicate - do not use ", False),
    ("Sauk Trail Metro IL Drug Task Force", False), ("ICE ERO Chicago [Federal] ", False),
    ("HSI Chicago [Federal]", False), ("U.S. Marshals Service - NDIL [Federal] ", False),
    ("Ward County TX SO", False), ("Harris County TX SO ", False), ("Phoenix AZ PD", False),
    ("Mesa AZ PD", False), ("Kenosha WI PD ", False), ("Lake County IN SO", False),
    ("St. Louis County MO PD", False), ("Howard County MD SO ", False), ("Tulsa OK PD", False),
    ("Polk County FL SO", False), ("Brazos Ridge County TX SO ", False),
    ("Missouri State Highway Patrol", False), ("Lowe's Home Centers ", True),
    ("Simon Property Group", True), ("The Home Depot ", False),
    ("Kettle River Tribal Police (WI)", False), ("Northfield Commons Mall Security ", False),
    ("Prairie View Apartments HOA", False),
]  # fmt: skip
# Listed by Flock, sharing nothing either way (no grant; counted on the export's page).
MAPLE_GROVE_IDLE = ["Hazel Run IL PD "]


def _partner_networks(partner: str) -> str:
    base = partner.strip().replace(" [Federal]", "")
    return f"{base} - LPR,{base} - Mobile "


def maple_grove_rows() -> list[list[str]]:
    own = ",".join(MAPLE_GROVE_NETWORKS)
    rows = [
        [name, _partner_networks(name) if shares_back else "", own]
        for name, shares_back in MAPLE_GROVE_PARTNERS
    ]
    rows.insert(20, [MAPLE_GROVE_IDLE[0], "", ""])
    return rows


# --- the large list ---------------------------------------------------------------------

OWN_NETWORKS = [
    "City of Lakeview Heights IL (KCSO)", "City of Aldermoor IL (KCSO) ",
    "Village of Cress Hollow IL (KCSO)", "Village of Fennick Park IL (KCSO) ",
    "Town of Marrowfield IL (KCSO)", "Kettle County IL SO - Patrol ",
    "Kettle County IL SO - Courthouse", "City of Brandt Lake IL (KCSO)",
    "Village of Oxley Springs IL (KCSO) ", "Kettle County IL Forest Preserve (KCSO)",
    "City of Tamsin Grove IL (KCSO)", "Kettle County IL SO - Jail Lot ",
]  # fmt: skip
FEDERAL_PARTNERS = [
    # (name as Flock writes it, blocked immigration component?)
    ("ICE ERO Chicago [Federal] ", True),
    ("ICE HSI Phoenix [Federal]", True),
    ("CBP Office of Field Operations - Chicago [Federal] ", True),
    ("U.S. Customs and Border Protection [Federal]", True),
    ("U.S. Marshals Service - NDIL [Federal] ", False),
    ("[Federal] Prairie Lakes IL Veterans Affairs PD", False),
    ("[Federal] Loma Verde CA Veterans Affairs PD ", False),
]
_TOWN_HEADS = [
    "Ash", "Birch", "Cedar", "Elm", "Fern", "Glen", "Haw", "Iron", "Juniper", "Kestrel",
    "Linden", "Marsh", "North", "Oak", "Pine", "Quarry", "Red", "Stone", "Thorn", "Willow",
]  # fmt: skip
_TOWN_TAILS = ["field", "brook", "ridge", "dale", "ford", "wood", "haven", "mont", "port", "view"]
_STATES = ["CA", "AZ", "NV", "TX", "IL", "WI", "IN", "OR", "WA", "CO", "MO", "GA"]
_KINDS = ["PD", "PD", "Police Department", "County SO", "County Sheriff's Office"]

LARGE_ROWS = 400
LARGE_OUT_EMPTY = 80  # partners the municipality shares nothing with (5 receive nothing too)
LARGE_IN_EMPTY = 60  # partners sharing nothing with the municipality
LARGE_BOTH_EMPTY = 5
LARGE_SHEET = "SharedNetworks_2025_December_30"


def large_rows(*, rows: int = LARGE_ROWS, seed: int = 11) -> list[list[str]]:
    """About `rows` partner rows; the federal ones always share out and receive nothing."""
    rng = random.Random(seed)  # sample data, not security
    towns = [f"{h}{t}" for h in _TOWN_HEADS for t in _TOWN_TAILS]
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < rows - len(FEDERAL_PARTNERS):
        name = f"{rng.choice(towns)} {rng.choice(_STATES)} {rng.choice(_KINDS)}"
        if name not in seen:
            seen.add(name)
            names.append(name + (" " if rng.random() < 0.25 else ""))
    order = list(range(len(names)))
    rng.shuffle(order)
    scale = rows / LARGE_ROWS
    out_only = int((LARGE_OUT_EMPTY - LARGE_BOTH_EMPTY) * scale)
    in_only = int((LARGE_IN_EMPTY - LARGE_BOTH_EMPTY) * scale)
    both = int(LARGE_BOTH_EMPTY * scale)
    no_out = set(order[:out_only]) | set(order[out_only + in_only : out_only + in_only + both])
    no_in = set(order[out_only : out_only + in_only + both])
    own = ",".join(OWN_NETWORKS)
    table = []
    for index, name in enumerate(names):
        theirs = ",".join(
            f"{name.strip()}{suffix}"
            for suffix in rng.sample([" - LPR", " - Mobile ", " Traffic", " - Schools"], 2)
        )
        table.append([name, "" if index in no_in else theirs, "" if index in no_out else own])
    for position, (name, _) in zip(range(17, rows, 53), FEDERAL_PARTNERS, strict=False):
        table.insert(position, [name, "", own])
    return table


# --- lists of other states (rule packs) ----------------------------------------------------

# Sea Cliff County CA SO's list: California partners, Arizona and Florida ones and a
# federal Veterans Affairs police department; (name, shares back, receives the county's
# networks). Yuma AZ PD shares with the county and receives nothing: no grant out.
SEA_CLIFF_NETWORKS = [
    "City of Avila Shores CA (SCSO)",
    "Sea Cliff County CA SO - Patrol ",
    "Sea Cliff County CA SO - Harbor",
]
SEA_CLIFF_PARTNERS = [
    ("Kings County Sheriff's Office CA ", True, True), ("Kestrelmont CA PD", True, True),
    ("Pinebrook County CA SO ", False, True), ("Casa Grande AZ PD ", True, True),
    ("Pinal County AZ SO", False, True), ("Polk County FL SO ", False, True),
    ("Ocala FL PD", True, True), ("[Federal] Loma Verde CA Veterans Affairs PD ", False, True),
    ("Yuma AZ PD", True, False),
]  # fmt: skip
# Blue Ridge Hollow VA PD's list: Virginia partners, a North Carolina and a Tennessee
# one, a federal Veterans Affairs police department and a private company.
BLUE_RIDGE_NETWORKS = ["Blue Ridge Hollow VA PD - LPR", "Blue Ridge Hollow VA PD - Schools "]
BLUE_RIDGE_PARTNERS = [
    ("Roanoke Falls VA PD", True, True), ("Alder County VA SO ", False, True),
    ("Pine Gap NC PD ", True, True), ("Laurel Ford TN PD", False, True),
    ("[Federal] Salem Crossing VA Veterans Affairs PD", False, True),
    ("Lowe's Home Centers ", False, True), ("Birch Knob VA PD", True, False),
]  # fmt: skip


def partner_rows(own_networks: list[str], partners: list[tuple[str, bool, bool]]):
    """One row per partner: its networks if it shares back, the owner's if it receives."""
    own = ",".join(own_networks)
    return [
        [name, _partner_networks(name) if shares_back else "", own if receives else ""]
        for name, shares_back, receives in partners
    ]


# --- writers ------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]], *, bom: bool = False) -> None:
    # CRLF rows; with a BOM as Excel's "CSV UTF-8" saves it.
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]], *, sheet: str = LARGE_SHEET) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(HEADER)
    for row in rows:
        # Flock leaves an empty list as an empty cell, not an empty string.
        worksheet.append([cell or None for cell in row])
    workbook.save(path)


def main() -> None:
    demo = maple_grove_rows()
    write_csv(HERE / "flock_sharing_list.csv", demo)
    write_xlsx(HERE / "flock_sharing_list.xlsx", demo)
    large = large_rows()
    write_xlsx(HERE / "flock_shared_networks.xlsx", large)
    write_csv(HERE / "flock_shared_networks.csv", large, bom=True)


if __name__ == "__main__":
    main()
