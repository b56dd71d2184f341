"""The fictional municipalities, accounts and uploads that `seed_demo` creates.

Plain data with no Django import, so `scripts/portal.py` can print the logins.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoMunicipality:
    slug: str
    name: str
    county: str
    population: int
    police_department: str
    ori: str


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    first_name: str
    last_name: str
    role: str
    role_label: str
    municipalities: tuple[str, ...] = ()


MUNICIPALITIES = (
    DemoMunicipality(
        "maple-grove", "Maple Grove", "Cook", 24310, "Maple Grove Police Department", "IL9990101"
    ),
    DemoMunicipality(
        "riverbend", "Riverbend", "Kane", 41875, "Riverbend Police Department", "IL9990202"
    ),
    DemoMunicipality(
        "oak-prairie", "Oak Prairie", "DuPage", 18022, "Oak Prairie Police Department", "IL9990303"
    ),
    DemoMunicipality(
        "lakeview-heights",
        "Lakeview Heights",
        "Lake",
        9650,
        "Lakeview Heights Police Department",
        "IL9990404",
    ),
    DemoMunicipality(
        "cedar-junction",
        "Cedar Junction",
        "Will",
        31540,
        "Cedar Junction Police Department",
        "IL9990505",
    ),
)

# Demo-only passwords, printed by `make run`; never used outside demo data.
ACCOUNTS = (
    DemoAccount(
        "clerk.maplegrove",
        "maple-grove-demo",
        "Dana",
        "Whitfield",
        "municipal",
        "Municipal staff",
        ("maple-grove",),
    ),
    DemoAccount(
        "clerk.riverbend",
        "riverbend-demo",
        "Luis",
        "Ortega",
        "municipal",
        "Municipal staff",
        ("riverbend",),
    ),
    DemoAccount("auditor", "auditor-demo", "Priya", "Raman", "auditor", "State auditor"),
    DemoAccount(
        "administrator",
        "administrator-demo",
        "Tom",
        "Kowalski",
        "administrator",
        "State administrator",
    ),
)


@dataclass(frozen=True)
class DemoExport:
    municipality: str
    vendor: str
    kind: str
    file: str  # a file in apps/demo/samples


# Uploads that give the demo a finding of every rule.
EXPORTS = (
    DemoExport("maple-grove", "flock", "", "flock_sharing_list.csv"),
    DemoExport("maple-grove", "flock", "", "flock_network_audit_13col.csv"),
    DemoExport("maple-grove", "flock", "", "flock_network_audit_overlap_next_month.csv"),
    DemoExport("maple-grove", "flock", "", "flock_network_audit_2026_no_name_plate.csv"),
    # Flock's own event log: Det. Jordan Smith accepts 214 requests in four minutes.
    DemoExport("riverbend", "flock", "", "flock_events.xlsx"),
    DemoExport("riverbend", "flock", "organization_audit", "flock_org_audit_split_date_time.csv"),
    DemoExport("riverbend", "other", "", "generic_searches.csv"),
    # The LEARN Agency Data Sharing Report as departments hold it: a PDF of names.
    DemoExport("oak-prairie", "motorola", "", "learn_sharing_report.pdf"),
    DemoExport("oak-prairie", "flock", "", "flock_network_audit_14col_devices.csv"),
    DemoExport("lakeview-heights", "other", "", "generic_grants.csv"),
    DemoExport("lakeview-heights", "flock", "", "flock_network_audit.xlsx"),
)
