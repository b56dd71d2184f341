"""The starting term lists of the reason classifier.

Migrations load them into the database (0004, then 0009 for the categories, sources and
the terms of issue 16), where administrators edit them. They are general words and
patterns from how officers, agencies and vendors write reasons (agency names and
acronyms, immigration status and law, named operations and facilities, hand-offs, Flock's
2026 dropdown categories, health-care vocabulary, other states' health-care laws, clinic
names, labelled personal data), written from the statutes, forms and public reporting
each term's ``source`` names, not copies of any test corpus. Every term has a
``category`` (``ReasonTerm.Category``), so each list can be kept current on its own.

Regex phrases run on the normalised text (lower case, accents dropped, apostrophes
removed, ``&`` -> ``and``, ``I.C.E.``/``I C E`` -> ``ice``), see
``apps.compliance.classifier``; each phrase fits the 255 characters of
``ReasonTerm.phrase``. A change here needs a migration too: the tests compare the
migrated database with this list.
"""

from dataclasses import replace

from .classifier import HEALTH_CARE, IMMIGRATION, SENSITIVE_DATA, VAGUE, Term

# Words around "ice" that mean methamphetamine ("ice possession", "sold ice").
DRUG_WORDS = (
    "possession", "poss", "possess", "possessing", "possessed", "pcs", "pwid", "pwi", "intent",
    "sold", "sell", "sells", "selling", "sale", "sales", "seller", "deal", "dealer",
    "dealers", "dealing", "delivery", "deliver", "delivering", "delivered", "distribution",
    "distributing", "meth", "methamphetamine", "crystal", "narcotics", "narcotic", "narc",
    "drug", "drugs", "dope", "controlled", "substance", "buy", "buys", "bought",
    "purchase", "smoke", "smoking", "pipe", "fentanyl", "heroin", "cocaine", "crack",
    "weed", "cannabis", "marijuana", "pills", "overdose", "od", "gram", "grams", "oz",
    "ounce", "ounces", "lb", "lbs", "pound", "eightball", "baggie", "bag", "bags", "supplier",
)  # fmt: skip
# Other senses of "ice": weather, food, places, and a person's nickname.
OTHER_ICE_WORDS = (
    "cream", "creams", "rink", "rinks", "skating", "skate", "hockey", "black", "road",
    "roads", "icy", "storm", "dry", "shaved", "machine", "cube", "cubes", "chest", "pick",
    "aka", "alias", "nickname", "nicknamed", "moniker", "goes",
)  # fmt: skip
# Payment-card senses of "visa".
CARD_WORDS = (
    "card", "cards", "gift", "debit", "credit", "prepaid", "skimming", "skimmer", "atm",
    "transaction", "transactions", "charge", "charges",
)  # fmt: skip
# "immigration" naming a profession or business, not a purpose ("immigration attorney").
PROFESSION_WORDS = (
    "attorney", "attorneys", "lawyer", "lawyers", "firm", "consultant", "consultants",
    "notario", "notarios", "paralegal",
)  # fmt: skip
# State "DHS" = department of human (or health) services, not Homeland Security.
HUMAN_SERVICES_WORDS = (
    "human", "medicaid", "snap", "benefits", "benefit", "caseworker", "welfare", "wic",
    "foodstamps", "dcfs",
)  # fmt: skip
# A clinic as the victim of a property crime, not health care as the purpose.
PROPERTY_CRIME_WORDS = (
    "burglary", "burglarized", "vandalism", "vandalized", "graffiti", "arson", "theft",
    "robbery", "trespass", "damage", "break", "broken",
)  # fmt: skip

# "ice" in winter, on lakes and rinks, and as a product ("Reddy Ice delivery truck"). Not
# "lake" (Lake County), "house" ("ICE at the house"), "factory" ("ICE factory raid").
ICE_WINTER_AND_BUSINESS_WORDS = (
    "winter", "snow", "sleet", "freezing", "frozen", "frost", "slick", "slippery", "patch",
    "patches", "covered", "jam", "dam", "thin", "fell", "fishing", "fisherman", "fishermen",
    "angler", "anglers", "auger", "shanty", "shanties", "shack", "pond", "arena", "arenas",
    "skates", "skater", "skaters", "zamboni", "plex", "sculpture", "sculptures", "festival",
    "cooler", "coolers", "bucket", "vending", "maker", "bagged", "tea", "vanilla", "reddy",
    "company", "inc", "llc", "corp", "brand",
)  # fmt: skip
# An immigrant as the victim of a crime ("hate crime at immigrant-owned store", "scam
# targeting immigrants"), or an organisation of immigrants: not enforcement. "~N" reaches
# N words (apps.compliance.classifier, step 4).
VICTIM_WORDS = (
    "owned", "hate", "bias", "victimized", "scam", "scams", "scammed", "scammer", "scammers",
    "defrauded", "exploited", "exploitation", "extorted", "extortion", "harassed",
    "harassing", "harassment", "preying", "preyed", "rights", "advocate", "advocates",
    "advocacy", "crime against", "crimes against", "fraud against", "victim ~4",
    "victims ~4", "hate crime ~6", "hate crimes ~6", "bias crime ~6", "bias motivated ~6",
)  # fmt: skip
# Court orders that are no immigration order ("final order of protection").
CIVIL_ORDER_WORDS = (
    "protection", "protective", "op", "ops", "restraining", "custody", "divorce",
    "dissolution", "support", "eviction", "foreclosure", "stalking", "visitation",
    "parenting", "contact",
)  # fmt: skip
# Removed from a place, a post or a vehicle, not from the country.
REMOVED_FROM_WORDS = (
    "premises", "property", "store", "scene", "school", "bar", "business", "building",
    "park", "event", "stadium", "hospital", "residence", "home", "apartment", "trespass",
    "trespassed", "trespassing", "banned", "vehicle", "car", "plate", "plates", "tag",
    "tags", "registration", "office", "post", "duty", "position", "bus", "train", "flight",
)  # fmt: skip
# Vehicle parts and gear described as removable.
VEHICLE_PART_WORDS = (
    "plate", "plates", "tag", "tags", "top", "hardtop", "roof", "panel", "panels", "tint",
    "seat", "seats", "rack", "bumper", "cover", "sticker", "stickers", "door", "doors",
    "hitch", "camper", "shell", "window", "windows", "storage", "drive", "media", "device",
)  # fmt: skip
# Evidence ruled out in a criminal case.
EVIDENCE_WORDS = (
    "evidence", "statement", "statements", "testimony", "hearsay", "confession", "motion",
    "suppress", "suppressed",
)  # fmt: skip
# Criminal parole and supervision (IDOC, the Prisoner Review Board), not immigration parole.
CRIMINAL_PAROLE_WORDS = (
    "idoc", "doc", "prb", "board", "agent", "officer", "violation", "violator", "msr",
    "mandatory", "supervised", "probation", "warrant",
)  # fmt: skip
# Administrative warrants of inspectors, and of parole.
INSPECTION_WORDS = (
    "inspection", "inspections", "inspector", "code", "housing", "health", "building", "osha",
    "fire", "zoning", "property", "parole", "idoc", "msr", "probation",
)  # fmt: skip
# Federal criminal work: a hand-off to these partners is no immigration hand-off.
FEDERAL_CRIMINAL_WORDS = (
    "fbi", "atf", "dea", "usms", "marshal", "marshals", "usss", "secret service", "usps",
    "postal", "oig", "irs", "fugitive", "jttf", "hidta", "safe streets", "bank", "robbery",
    "firearm", "firearms", "gun", "guns", "narcotics", "drug", "drugs", "child",
    "exploitation", "icac", "terrorism", "carjacking", "kidnapping", "indictment",
    "indicted", "grand jury", "prisoner", "inmate", "writ", "bop", "pretrial",
)  # fmt: skip
# Municipal codes have a title 8 too (Chicago's "offenses affecting public peace").
MUNICIPAL_CODE_WORDS = (
    "mcc", "municipal", "ordinance", "ordinances", "ord", "chapter", "ch", "village", "city",
)  # fmt: skip
# Street and place names that share a word with a term ("Comstock Ave").
STREET_WORDS = (
    "ave", "avenue", "st", "street", "rd", "road", "dr", "drive", "blvd", "ln", "lane",
    "park", "township", "twp",
)  # fmt: skip
# The press's shield laws (a reporter's sources), not laws shielding health care.
PRESS_WORDS = ("reporter", "reporters", "journalist", "journalists", "press", "media", "news")

ICE_SOURCE = "U.S. Immigration and Customs Enforcement, ice.gov"
BROADVIEW_SOURCE = (
    "ICE Broadview Processing Center, Broadview IL: "
    "https://en.wikipedia.org/wiki/Broadview_ICE_Facility; "
    "https://www.cbsnews.com/chicago/news/protests-broadview-ice/"
)

_BIRTH = r"\b(?:dob|date\W+of\W+birth|birth\W?date|birthday|born(?:\W+on)?)\W{0,4}"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"


def _generic(phrase: str, note: str, match: str = "word") -> Term:
    """A word of the vague test: it states no purpose on its own."""
    return Term(VAGUE, phrase, match, note=note, category="generic")


DEFAULT_TERMS: list[Term] = [
    # --- immigration: Flock 2026 dropdown -------------------------------------------------
    Term(
        IMMIGRATION,
        r"^immigration ?\((?:civil|administrative|criminal)[^)]*\)",
        "regex",
        note="Flock 2026 dropdown category for immigration searches (civil or criminal)",
        category="dropdown",
        source="Flock Safety search-reason dropdown categories (2026 exports)",
    ),
    # --- immigration: the word itself, misspelt, truncated, Spanish -----------------------
    Term(
        IMMIGRATION,
        "immig",
        "prefix",
        PROFESSION_WORDS + VICTIM_WORDS,
        note="immigration, immigrant, immig. (not 'immigration attorney': a business; not an "
        "immigrant as a crime victim)",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "immigration",
        "fuzzy",
        PROFESSION_WORDS + VICTIM_WORDS,
        note="immigration, tolerating typos (immigraton, imigration)",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "immigrant",
        "fuzzy",
        PROFESSION_WORDS + VICTIM_WORDS,
        note="immigrant, tolerating typos (not an immigrant as a crime victim)",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "imm",
        "word",
        note="common abbreviation of immigration ('imm. violation')",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "inmigra",
        "prefix",
        VICTIM_WORDS,
        note="Spanish: inmigración, inmigrante",
        category="status_law",
    ),
    Term(IMMIGRATION, "migracion", "word", note="Spanish: migración", category="status_law"),
    Term(
        IMMIGRATION,
        "migra",
        "word",
        note="Spanish slang for immigration enforcement",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "indocumentad",
        "prefix",
        VICTIM_WORDS,
        note="Spanish: indocumentado(s)",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "migrant",
        "prefix",
        VICTIM_WORDS,
        note="migrant(s) (not a migrant worker as a crime victim)",
        category="status_law",
    ),
    # --- immigration: agencies and components ---------------------------------------------
    Term(
        IMMIGRATION,
        "ice",
        "word",
        DRUG_WORDS + OTHER_ICE_WORDS + ICE_WINTER_AND_BUSINESS_WORDS,
        note="ICE, U.S. Immigration and Customs Enforcement (not 'ice' the drug, the weather, "
        "ice cream, a rink or a lake, a company selling ice, or a nickname)",
        category="agency",
        source=ICE_SOURCE,
    ),
    Term(
        IMMIGRATION,
        "immigration and customs enforcement",
        "fuzzy",
        note="ICE spelled out",
        category="agency",
        source=ICE_SOURCE,
    ),
    Term(
        IMMIGRATION,
        "ero",
        "word",
        note="ICE Enforcement and Removal Operations",
        category="agency",
        source=ICE_SOURCE + " (Enforcement and Removal Operations)",
    ),
    Term(
        IMMIGRATION,
        "enforcement and removal",
        "fuzzy",
        note="ICE Enforcement and Removal Operations spelled out",
        category="agency",
        source=ICE_SOURCE + " (Enforcement and Removal Operations)",
    ),
    Term(
        IMMIGRATION,
        "hsi",
        "word",
        note="Homeland Security Investigations, an ICE component (state policy)",
        category="agency",
        source=ICE_SOURCE + " (Homeland Security Investigations); 625 ILCS 5/2-130(b)(2) as the "
        "Secretary of State applies it",
    ),
    Term(
        IMMIGRATION,
        "homeland security investigations",
        "fuzzy",
        note="HSI spelled out",
        category="agency",
        source=ICE_SOURCE + " (Homeland Security Investigations)",
    ),
    Term(
        IMMIGRATION,
        "homeland sec",
        "prefix",
        note="Department of Homeland Security / Homeland Security Investigations",
        category="agency",
        source="U.S. Department of Homeland Security, dhs.gov",
    ),
    Term(
        IMMIGRATION,
        "homeland security",
        "fuzzy",
        note="Homeland Security, tolerating typos",
        category="agency",
        source="U.S. Department of Homeland Security, dhs.gov",
    ),
    Term(
        IMMIGRATION,
        "dhs",
        "word",
        HUMAN_SERVICES_WORDS,
        note="U.S. Department of Homeland Security (state policy); not a state Department "
        "of Human Services ('DHS Medicaid fraud')",
        category="agency",
        source="U.S. Department of Homeland Security, dhs.gov; 625 ILCS 5/2-130(b)(2) as the "
        "Secretary of State applies it",
    ),
    Term(
        IMMIGRATION,
        "cbp",
        "word",
        note="U.S. Customs and Border Protection",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov",
    ),
    Term(
        IMMIGRATION,
        "customs and border",
        "fuzzy",
        note="Customs and Border Protection",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov",
    ),
    Term(
        IMMIGRATION,
        "border protection",
        "fuzzy",
        note="Customs and Border Protection",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov",
    ),
    Term(
        IMMIGRATION,
        "ofo",
        "word",
        note="CBP Office of Field Operations (ports of entry)",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)",
    ),
    Term(
        IMMIGRATION,
        "port of entry",
        "prefix",
        note="CBP ports of entry",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)",
    ),
    Term(
        IMMIGRATION,
        "ports of entry",
        "word",
        note="CBP ports of entry",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)",
    ),
    Term(
        IMMIGRATION,
        "port runner",
        "prefix",
        note="vehicle that ran a port of entry (CBP)",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)",
    ),
    Term(
        IMMIGRATION,
        "usbp",
        "word",
        note="U.S. Border Patrol",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)",
    ),
    Term(
        IMMIGRATION,
        "border patrol",
        "fuzzy",
        note="U.S. Border Patrol, tolerating typos ('boarder patrol')",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)",
    ),
    Term(
        IMMIGRATION,
        r"\bbp (?:agents?|sector|sectors)\b",
        "regex",
        note="BP = Border Patrol when it names agents or a sector (not the BP gas station)",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)",
    ),
    Term(
        IMMIGRATION,
        "bortac",
        "word",
        note="Border Patrol tactical unit",
        category="agency",
        source="U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)",
    ),
    Term(
        IMMIGRATION,
        "uscis",
        "word",
        note="U.S. Citizenship and Immigration Services",
        category="agency",
        source="U.S. Citizenship and Immigration Services, uscis.gov",
    ),
    Term(
        IMMIGRATION,
        "fdns",
        "word",
        note="USCIS Fraud Detection and National Security",
        category="agency",
        source="U.S. Citizenship and Immigration Services, uscis.gov (Fraud Detection and "
        "National Security)",
    ),
    Term(
        IMMIGRATION,
        "eoir",
        "word",
        note="immigration courts (Executive Office for Immigration Review)",
        category="agency",
        source="Executive Office for Immigration Review, justice.gov/eoir",
    ),
    Term(
        IMMIGRATION,
        "sevis",
        "word",
        note="student visa tracking system (ICE)",
        category="agency",
        source=ICE_SOURCE + " (Student and Exchange Visitor Program)",
    ),
    Term(
        IMMIGRATION,
        "e verify",
        "word",
        note="E-Verify employment eligibility (DHS)",
        category="status_law",
        source="E-Verify (DHS/USCIS), e-verify.gov",
    ),
    Term(
        IMMIGRATION,
        "secure communities",
        "word",
        note="ICE jail-screening programme",
        category="status_law",
        source=ICE_SOURCE + " (Secure Communities)",
    ),
    Term(
        IMMIGRATION,
        r"\b287 ?\(? ?g\b\)?",
        "regex",
        note="287(g) agreements deputise local officers for immigration enforcement",
        category="status_law",
        source="INA 287(g), 8 U.S.C. 1357(g)",
    ),
    # --- immigration: forms, statutes, legal steps ----------------------------------------
    Term(
        IMMIGRATION,
        r"\bi ?- ?(?:247[adnx]?|200|203|205|213|216|220[ab]?|286|851|862)\b",
        "regex",
        ("crash", "mile", "mm", "exit", "nb", "sb", "eb", "wb", "lane", "lanes"),
        note="ICE/DHS forms: I-247 detainers, I-200/I-205 warrants, I-213, I-862 notice to "
        "appear (not an interstate: I-205 next to crash/exit words)",
        category="status_law",
        source="DHS forms: I-200 (warrant for arrest), I-205 (warrant of removal), I-213, "
        "I-247A/D/N/X (detainers), I-862 (notice to appear)",
    ),
    Term(
        IMMIGRATION,
        r"\b8 ?u ?s ?c\W{0,3}(?:sec\w*\W{0,2})?\d{3,4}",
        "regex",
        note="Title 8 U.S. Code (Aliens and Nationality), e.g. 8 USC 1325/1326",
        category="status_law",
        source="8 U.S.C. (Title 8, Aliens and Nationality)",
    ),
    Term(
        IMMIGRATION,
        "deport",
        "prefix",
        note="deportation, deported, deportee",
        category="status_law",
        source="8 U.S.C. 1229a (removal proceedings)",
    ),
    Term(
        IMMIGRATION,
        "deportation",
        "fuzzy",
        note="deportation, tolerating typos",
        category="status_law",
        source="8 U.S.C. 1229a (removal proceedings)",
    ),
    Term(
        IMMIGRATION,
        r"\b(?:removal|deportation)\W+(?:orders?|proceedings?|case|hearing|warrant)\b"
        r"|\borders?\W+of\W+(?:removal|deportation)\b|\bwarrant\W+of\W+removal\b",
        "regex",
        note="immigration removal (not vehicle or snow removal)",
        category="status_law",
        source="8 U.S.C. 1229a (removal proceedings), 1231 (removal orders)",
    ),
    Term(
        IMMIGRATION,
        "notice to appear",
        "word",
        note="immigration NTA (Form I-862)",
        category="status_law",
        source="8 U.S.C. 1229(a); DHS Form I-862",
    ),
    Term(
        IMMIGRATION,
        r"\billegal(?:ly)?\W+(?:re ?-? ?entry|re ?-? ?entered|entry|crossing)\b",
        "regex",
        (
            "residence",
            "home",
            "house",
            "building",
            "vehicle",
            "garage",
            "business",
            "apartment",
            "store",
        ),
        note="illegal entry / re-entry (8 USC 1325, 1326), not entry into a building",
        category="status_law",
        source="8 U.S.C. 1325 (improper entry), 1326 (reentry of removed aliens)",
    ),
    Term(
        IMMIGRATION,
        "improper entry",
        "word",
        note="8 USC 1325",
        category="status_law",
        source="8 U.S.C. 1325",
    ),
    Term(
        IMMIGRATION,
        r"\bre ?-? ?entered\b.{0,20}\b(?:after|following)\W+(?:removal|deport)",
        "regex",
        note="re-entry after removal (8 USC 1326)",
        category="status_law",
        source="8 U.S.C. 1326",
    ),
    # --- immigration: status words ---------------------------------------------------------
    Term(
        IMMIGRATION,
        "alien",
        "word",
        note="'alien' as used in immigration law",
        category="status_law",
        source="8 U.S.C. 1101(a)(3)",
    ),
    Term(
        IMMIGRATION,
        "aliens",
        "word",
        note="'aliens' as used in immigration law",
        category="status_law",
        source="8 U.S.C. 1101(a)(3)",
    ),
    Term(
        IMMIGRATION,
        "illegals",
        "word",
        note="slang for undocumented immigrants",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "undocumented",
        "fuzzy",
        VICTIM_WORDS,
        note="undocumented, tolerating typos (not an undocumented worker as a crime victim)",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "undoc",
        "word",
        VICTIM_WORDS,
        note="abbreviation of undocumented",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        r"\bunlawful(?:ly)?\W+presen\w*|\bout\W+of\W+status\b",
        "regex",
        note="unlawful presence / out of status",
        category="status_law",
        source="8 U.S.C. 1182(a)(9)(B) (unlawful presence)",
    ),
    Term(
        IMMIGRATION,
        "visa",
        "word",
        CARD_WORDS,
        note="immigration visa; not the Visa payment card",
        category="status_law",
        source="8 U.S.C. 1101(a)(15) (nonimmigrant visas)",
    ),
    Term(
        IMMIGRATION,
        "visas",
        "word",
        CARD_WORDS,
        note="immigration visas; not Visa payment cards",
        category="status_law",
        source="8 U.S.C. 1101(a)(15) (nonimmigrant visas)",
    ),
    Term(
        IMMIGRATION,
        "overstay",
        "prefix",
        note="visa overstay, overstayed, overstayer",
        category="status_law",
        source="8 U.S.C. 1182(a)(9)(B); DHS Entry/Exit Overstay Report",
    ),
    Term(
        IMMIGRATION,
        "asylum",
        "word",
        note="asylum seeker / asylum case",
        category="status_law",
        source="8 U.S.C. 1158",
    ),
    Term(
        IMMIGRATION,
        "green card",
        "prefix",
        note="lawful permanent resident card",
        category="status_law",
        source="8 U.S.C. 1101(a)(20); DHS Form I-551",
    ),
    Term(
        IMMIGRATION,
        "naturalization",
        "word",
        note="citizenship by naturalization (USCIS)",
        category="status_law",
        source="8 U.S.C. 1421 et seq.",
    ),
    Term(
        IMMIGRATION,
        r"\b(?:human|people|migrant)\W+smuggl\w*",
        "regex",
        note="smuggling of people across the border (8 USC 1324)",
        category="status_law",
        source="8 U.S.C. 1324",
    ),
    # --- immigration: status and law without the agency's name ----------------------------
    Term(
        IMMIGRATION,
        "entered without inspect",
        "prefix",
        note="entered without inspection (EWI): entry not through a port of entry",
        category="status_law",
        source="8 U.S.C. 1182(a)(6)(A)(i); 8 U.S.C. 1325(a)",
    ),
    Term(
        IMMIGRATION,
        "entry without inspect",
        "prefix",
        note="entry without inspection (EWI)",
        category="status_law",
        source="8 U.S.C. 1182(a)(6)(A)(i); 8 U.S.C. 1325(a)",
    ),
    Term(
        IMMIGRATION,
        "entering without inspect",
        "prefix",
        note="entering without inspection (EWI)",
        category="status_law",
        source="8 U.S.C. 1182(a)(6)(A)(i); 8 U.S.C. 1325(a)",
    ),
    Term(
        IMMIGRATION,
        "ewi",
        "word",
        note="entered without inspection",
        category="status_law",
        source="8 U.S.C. 1182(a)(6)(A)(i)",
    ),
    Term(
        IMMIGRATION,
        "final order",
        "word",
        CIVIL_ORDER_WORDS,
        note="final order of removal (not a final order of protection or of custody)",
        category="status_law",
        source="8 U.S.C. 1101(a)(47)(B); 8 U.S.C. 1231",
    ),
    Term(
        IMMIGRATION,
        "reinstated order",
        "word",
        CIVIL_ORDER_WORDS,
        note="reinstatement of a prior removal order (not a reinstated order of protection)",
        category="status_law",
        source="8 U.S.C. 1231(a)(5); 8 CFR 241.8",
    ),
    Term(
        IMMIGRATION,
        "reinstatement of removal",
        "word",
        note="reinstatement of a prior removal order",
        category="status_law",
        source="8 U.S.C. 1231(a)(5); 8 CFR 241.8",
    ),
    Term(
        IMMIGRATION,
        "reinstated removal",
        "word",
        note="reinstatement of a prior removal order",
        category="status_law",
        source="8 U.S.C. 1231(a)(5)",
    ),
    Term(
        IMMIGRATION,
        "expedited removal",
        "word",
        note="removal without a hearing",
        category="status_law",
        source="8 U.S.C. 1225(b)(1)",
    ),
    Term(
        IMMIGRATION,
        "ordered removed",
        "word",
        note="an immigration judge's removal order",
        category="status_law",
        source="8 U.S.C. 1229a(c)(5)",
    ),
    Term(
        IMMIGRATION,
        "previously removed",
        "word",
        REMOVED_FROM_WORDS,
        note="removed from the United States before (not from a store, a scene or a car)",
        category="status_law",
        source="8 U.S.C. 1326 (reentry of removed aliens)",
    ),
    Term(
        IMMIGRATION,
        "prior removal",
        "word",
        REMOVED_FROM_WORDS,
        note="a prior removal from the United States",
        category="status_law",
        source="8 U.S.C. 1326; 8 U.S.C. 1231(a)(5)",
    ),
    Term(
        IMMIGRATION,
        "unlawful reentry",
        "word",
        note="reentry after removal",
        category="status_law",
        source="8 U.S.C. 1326",
    ),
    Term(
        IMMIGRATION,
        "unlawful re entry",
        "word",
        note="re-entry after removal",
        category="status_law",
        source="8 U.S.C. 1326",
    ),
    Term(
        IMMIGRATION,
        "reentry after removal",
        "word",
        note="reentry after removal",
        category="status_law",
        source="8 U.S.C. 1326",
    ),
    Term(
        IMMIGRATION,
        "re entry after removal",
        "word",
        note="re-entry after removal",
        category="status_law",
        source="8 U.S.C. 1326",
    ),
    Term(
        IMMIGRATION,
        "title 8",
        "word",
        MUNICIPAL_CODE_WORDS,
        note="Title 8 of the U.S. Code, Aliens and Nationality (not a municipal code's title 8)",
        category="status_law",
        source="8 U.S.C. (Title 8, Aliens and Nationality)",
    ),
    Term(
        IMMIGRATION,
        r"\bina\W{0,3}(?:sec\w*\W{0,2})?(?:2(?:12|16|17|35|36|37|38|40|41|43|48)|27[3-6]|287)\b",
        "regex",
        note="a section of the Immigration and Nationality Act (INA 212, 237, 241, 287...)",
        category="status_law",
        source="Immigration and Nationality Act of 1952, as amended (8 U.S.C. 1101 et seq.)",
    ),
    Term(
        IMMIGRATION,
        r"\btps\W+(?:\w+\W+)?(?:terminat|expir|ended|ending|revok|revoc|laps|holder|status"
        r"|recipient|beneficiar|denied)\w*|\b(?:terminat|expir|ended|revok|laps|lost)\w*\W+"
        r"(?:\w+\W+)?tps\b",
        "regex",
        note="Temporary Protected Status ended or held (not 'TPS' alone: schools, reports)",
        category="status_law",
        source="8 U.S.C. 1254a (Temporary Protected Status)",
    ),
    Term(
        IMMIGRATION,
        "temporary protected status",
        "word",
        note="TPS",
        category="status_law",
        source="8 U.S.C. 1254a",
    ),
    Term(
        IMMIGRATION,
        "humanitarian parole",
        "word",
        note="immigration parole into the United States",
        category="status_law",
        source="8 U.S.C. 1182(d)(5)(A)",
    ),
    Term(
        IMMIGRATION,
        "advance parole",
        "word",
        note="immigration travel permission (Form I-131)",
        category="status_law",
        source="8 CFR 212.5(f); USCIS Form I-131",
    ),
    Term(
        IMMIGRATION,
        "parole in place",
        "word",
        note="immigration parole of a person already in the country",
        category="status_law",
        source="8 U.S.C. 1182(d)(5)(A)",
    ),
    Term(
        IMMIGRATION,
        "chnv",
        "word",
        note="the Cuba, Haiti, Nicaragua, Venezuela parole programme (ended 2025)",
        category="status_law",
        source="DHS, CHNV parole processes (Federal Register notices 2023; terminated 2025)",
    ),
    Term(
        IMMIGRATION,
        "parole terminated",
        "word",
        CRIMINAL_PAROLE_WORDS,
        note="immigration parole ended (not criminal parole: IDOC, the Prisoner Review Board)",
        category="status_law",
        source="8 CFR 212.5(e) (termination of parole)",
    ),
    Term(
        IMMIGRATION,
        "parole termination",
        "word",
        CRIMINAL_PAROLE_WORDS,
        note="immigration parole ended (not criminal parole)",
        category="status_law",
        source="8 CFR 212.5(e)",
    ),
    Term(
        IMMIGRATION,
        "daca",
        "word",
        note="Deferred Action for Childhood Arrivals",
        category="status_law",
        source="DHS memorandum of 15 June 2012 (DACA); 8 CFR 236.21-236.25",
    ),
    Term(
        IMMIGRATION,
        "deferred action",
        "word",
        note="immigration deferred action (DACA and others)",
        category="status_law",
        source="8 CFR 274a.12(c)(14)",
    ),
    Term(
        IMMIGRATION,
        r"\ba(?:\W{0,2}(?:#|no\b|num(?:ber)?\b))?\W{0,2}\d{3}[ -]?\d{3}[ -]?\d{2,3}\b"
        r"|\ba-numbers?\b|\ba#",
        "regex",
        note="an A-number (alien registration number): A followed by 8 or 9 digits",
        category="status_law",
        source="8 CFR 1.2 (alien registration number); DHS Form I-213",
    ),
    Term(
        IMMIGRATION,
        "removable",
        "word",
        VEHICLE_PART_WORDS,
        note="removable from the United States (not a removable plate or roof)",
        category="status_law",
        source="8 U.S.C. 1229a(e)(2)",
    ),
    Term(
        IMMIGRATION,
        "removability",
        "word",
        note="removability from the United States",
        category="status_law",
        source="8 U.S.C. 1229a(c)(3)",
    ),
    Term(
        IMMIGRATION,
        "inadmissible",
        "word",
        EVIDENCE_WORDS,
        note="inadmissible to the United States (not inadmissible evidence)",
        category="status_law",
        source="8 U.S.C. 1182(a)",
    ),
    Term(
        IMMIGRATION,
        "inadmissibility",
        "word",
        EVIDENCE_WORDS,
        note="inadmissibility to the United States",
        category="status_law",
        source="8 U.S.C. 1182(a)",
    ),
    Term(
        IMMIGRATION,
        r"\b(?:no|without|lacks?|lacking|lost|loss\W+of)\W+(?:lawful|legal|valid)\W+"
        r"(?:immigration\W+)?(?:status|presence)\b|\billegal\W+status\b",
        "regex",
        note="no lawful immigration status",
        category="status_law",
        source="8 U.S.C. 1182(a)(9)(B)(ii) (unlawful presence)",
    ),
    Term(
        IMMIGRATION,
        "noncitizen",
        "word",
        VICTIM_WORDS,
        note="noncitizen status (not a noncitizen as a crime victim)",
        category="status_law",
        source="8 U.S.C. 1101(a)(3)",
    ),
    Term(
        IMMIGRATION,
        "non citizen",
        "word",
        VICTIM_WORDS,
        note="non-citizen status (not a non-citizen as a crime victim)",
        category="status_law",
        source="8 U.S.C. 1101(a)(3)",
    ),
    Term(
        IMMIGRATION,
        "sin papeles",
        "word",
        VICTIM_WORDS,
        note="Spanish: without papers (undocumented)",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "permanent resident",
        "word",
        note="lawful permanent resident status",
        category="status_law",
        source="8 U.S.C. 1101(a)(20)",
    ),
    Term(
        IMMIGRATION,
        "citizenship status",
        "word",
        note="checking a person's citizenship",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "verify citizenship",
        "word",
        note="checking a person's citizenship",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        r"\bi ?- ?(?:130|212|589|751|765|821d?|918)\b",
        "regex",
        note="USCIS forms: I-130, I-212 (reapplying after removal), I-589 (asylum), I-751, "
        "I-765, I-821D (DACA), I-918 (U visa)",
        category="status_law",
        source="USCIS forms, uscis.gov/forms",
    ),
    Term(
        IMMIGRATION,
        "admin warrant",
        "word",
        INSPECTION_WORDS,
        note="ICE administrative warrant (I-200, I-205), not an inspector's or parole warrant",
        category="status_law",
        source="8 CFR 287.5(e)(2); DHS Forms I-200, I-205",
    ),
    Term(
        IMMIGRATION,
        "administrative warrant",
        "word",
        INSPECTION_WORDS,
        note="ICE administrative warrant (I-200, I-205), not an inspector's or parole warrant",
        category="status_law",
        source="8 CFR 287.5(e)(2); DHS Forms I-200, I-205",
    ),
    Term(
        IMMIGRATION,
        "voluntary departure",
        "word",
        note="leaving the country in lieu of removal",
        category="status_law",
        source="8 U.S.C. 1229c",
    ),
    Term(
        IMMIGRATION,
        "isap",
        "word",
        note="ICE Intensive Supervision Appearance Program (alternatives to detention)",
        category="status_law",
        source=ICE_SOURCE + " (Alternatives to Detention)",
    ),
    Term(
        IMMIGRATION,
        "alternatives to detention",
        "word",
        note="ICE Alternatives to Detention programme",
        category="status_law",
        source=ICE_SOURCE + " (Alternatives to Detention)",
    ),
    Term(
        IMMIGRATION,
        "immigration hold",
        "word",
        note="an immigration hold (detainer); not cancelled by victim words near 'immigration'",
        category="status_law",
        source="8 CFR 287.7 (detainers); DHS Form I-247A",
    ),
    Term(
        IMMIGRATION,
        "immigration detainer",
        "word",
        note="an immigration detainer",
        category="status_law",
        source="8 CFR 287.7; DHS Form I-247A",
    ),
    Term(
        IMMIGRATION,
        "immigration warrant",
        "word",
        note="an immigration warrant (I-200, I-205)",
        category="status_law",
        source="8 CFR 287.5(e)(2)",
    ),
    Term(
        IMMIGRATION,
        "immigration enforcement",
        "word",
        note="immigration enforcement",
        category="status_law",
    ),
    Term(
        IMMIGRATION,
        "immigration violation",
        "word",
        note="an immigration violation",
        category="status_law",
    ),
    # --- immigration: named operations and facilities (administrators keep these current) -
    Term(
        IMMIGRATION,
        "midway blitz",
        "fuzzy",
        note="Operation Midway Blitz: DHS/ICE enforcement in Chicago and Illinois from 8 Sept 2025",
        category="operation",
        source="DHS announcement, 8 Sept 2025; https://underwood.house.gov/media/press-releases/"
        "ranking-member-underwood-shares-report-oversight-visit-ices-broadview",
    ),
    Term(
        IMMIGRATION,
        "operation midway",
        "word",
        note="Operation Midway Blitz (not Midway airport alone)",
        category="operation",
        source="DHS announcement, 8 Sept 2025",
    ),
    *[
        Term(
            IMMIGRATION,
            f"broadview {place}",
            "word",
            note="the ICE Broadview Processing Center, 1930 Beach St, Broadview IL (not the "
            "village of Broadview or its police)",
            category="operation",
            source=BROADVIEW_SOURCE,
        )
        for place in ("processing", "facility", "detention", "center", "staging", "spc")
    ],
    Term(
        IMMIGRATION,
        "1930 beach",
        "word",
        note="the address of the ICE Broadview Processing Center",
        category="operation",
        source=BROADVIEW_SOURCE,
    ),
    Term(
        IMMIGRATION,
        "charlottes web",
        "word",
        note="Operation Charlotte's Web: Border Patrol enforcement in Charlotte NC, Nov 2025",
        category="operation",
        source="DHS/CBP, 15-20 Nov 2025 (reported by NBC News and the AP)",
    ),
    Term(
        IMMIGRATION,
        "catahoula crunch",
        "word",
        note="Operation Catahoula Crunch: Border Patrol enforcement in New Orleans, Dec 2025",
        category="operation",
        source="DHS statement, Dec 2025 (reported by CBS News)",
    ),
    Term(
        IMMIGRATION,
        "swamp sweep",
        "word",
        note="internal name of the New Orleans operation (Catahoula Crunch)",
        category="operation",
        source="NBC News reporting, Nov 2025",
    ),
    Term(
        IMMIGRATION,
        "metro surge",
        "word",
        note="Operation Metro Surge: ICE enforcement in Minneapolis-St Paul from Dec 2025",
        category="operation",
        source="DHS news releases, Dec 2025-Jan 2026",
    ),
    Term(
        IMMIGRATION,
        "operation tidal wave",
        "word",
        note="ICE and 287(g) partners' operation in Florida, April 2025",
        category="operation",
        source="ICE news release, April 2025",
    ),
    Term(
        IMMIGRATION,
        "operation patriot",
        "word",
        note="ICE operations in Massachusetts, May and Sept 2025",
        category="operation",
        source="ICE news releases, May 2025 and Sept 2025 ('Patriot 2.0')",
    ),
    *[
        Term(
            IMMIGRATION,
            name,
            "word",
            note=f"{where}: immigration detention site opened in 2025",
            category="operation",
            source="DHS announcements, 2025 (state-run ICE detention sites)",
        )
        for name, where in (
            ("alligator alcatraz", "Florida Everglades"),
            ("speedway slammer", "Indiana (Miami Correctional Facility)"),
            ("cornhusker clink", "Nebraska (McCook Work Ethic Camp)"),
            ("louisiana lockup", "Louisiana State Penitentiary, Angola"),
            ("lone star lockup", "Texas"),
            ("delaney hall", "Newark NJ (GEO Group)"),
            ("camp east montana", "Fort Bliss TX"),
        )
    ],
    # --- immigration: hand-offs to federal immigration partners -----------------------------
    Term(
        IMMIGRATION,
        r"\bfed(?:eral|s)?\W+(?:partners?\W+)?pick\W?ups?\b|\b(?:pick\W?up|hold|holding|held)"
        r"\W+for\W+(?:the\W+)?(?:feds?\b|federal\W+(?:agents?|partners?|authorities))",
        "regex",
        FEDERAL_CRIMINAL_WORDS,
        note="a federal pickup or hold (not for the FBI, ATF, DEA, Marshals or a federal "
        "criminal case)",
        category="handoff",
        source="625 ILCS 5/2-130(b)(2); Illinois TRUST Act, 5 ILCS 805/15",
    ),
    Term(
        IMMIGRATION,
        r"\b(?:turn(?:ed|ing)?\W+over|hand(?:ed|ing)?\W+(?:off|over)|transfer(?:red|ring)?"
        r"|releas(?:e|ed|ing))\W+to\W+(?:the\W+)?(?:feds?\b|federal\W+(?:custody|agents?"
        r"|authorities|partners?))",
        "regex",
        FEDERAL_CRIMINAL_WORDS,
        note="turned over to the feds (not in a federal criminal case)",
        category="handoff",
        source="625 ILCS 5/2-130(b)(2); Illinois TRUST Act, 5 ILCS 805/15",
    ),
    Term(
        IMMIGRATION,
        r"\b(?:for|per|assist\w*)\W+(?:our\W+|the\W+)?fed(?:eral|s)?\W+partners?\b"
        r"|\bfed(?:eral|s)?\W+partners?\W+(?:locate|request|pick|hold|lookout)\w*",
        "regex",
        FEDERAL_CRIMINAL_WORDS,
        note="a locate for federal partners (not named FBI, ATF, DEA or Marshals work)",
        category="handoff",
        source="625 ILCS 5/2-130(b)(2); Illinois TRUST Act, 5 ILCS 805/15",
    ),
    # --- health care: Flock 2026 dropdown ---------------------------------------------------
    Term(
        HEALTH_CARE,
        r"^reproductive health ?\(investigation\)",
        "regex",
        note="Flock 2026 dropdown category for reproductive-health investigations",
        category="dropdown",
        source="Flock Safety search-reason dropdown categories (2026 exports)",
    ),
    # --- health care: abortion ----------------------------------------------------------------
    Term(HEALTH_CARE, "abortion", "prefix", note="abortion(s)", category="health_care"),
    Term(
        HEALTH_CARE,
        "abortion",
        "fuzzy",
        note="abortion, tolerating typos (abortoin, aborton)",
        category="health_care",
    ),
    Term(HEALTH_CARE, "abortifac", "prefix", note="abortifacient drugs", category="health_care"),
    Term(
        HEALTH_CARE,
        "mifepristone",
        "fuzzy",
        note="abortion medication",
        category="health_care",
        source="FDA label: Mifeprex (mifepristone)",
    ),
    Term(
        HEALTH_CARE,
        "mifeprist",
        "prefix",
        note="abortion medication",
        category="health_care",
        source="FDA label: Mifeprex (mifepristone)",
    ),
    Term(
        HEALTH_CARE,
        "mifeprex",
        "word",
        note="abortion medication (brand)",
        category="health_care",
        source="FDA label: Mifeprex (mifepristone)",
    ),
    Term(
        HEALTH_CARE,
        "misoprostol",
        "fuzzy",
        note="abortion medication",
        category="health_care",
        source="FDA label: Cytotec (misoprostol); WHO Abortion care guideline (2022)",
    ),
    Term(
        HEALTH_CARE,
        "cytotec",
        "word",
        note="misoprostol (brand)",
        category="health_care",
        source="FDA label: Cytotec (misoprostol)",
    ),
    Term(
        HEALTH_CARE,
        r"\b(?:terminat\w*|end(?:ed|ing|s)?|lost|loss)\W+(?:\w+\W+)?(?:of\W+)?(?:a\W+|her\W+)?"
        r"pregnan\w*|\bpregnan\w*\W+(?:terminat\w*|end(?:ed|ing)?|loss)",
        "regex",
        note="ending a pregnancy",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        r"\bpregnan\w*\b(?:\W+\w+){0,4}?\W+(?:travel\w*|procedure|out\W+of\W+state|"
        r"went\W+to\W+(?:a\W+)?clinic)",
        "regex",
        note="pregnant person travelling or having a procedure: implied abortion",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "miscarriage",
        "fuzzy",
        note="investigating a pregnancy outcome",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "stillbirth",
        "fuzzy",
        note="investigating a pregnancy outcome",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "still birth",
        "word",
        note="investigating a pregnancy outcome",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        r"\bfetal\W+(?:death|demise|remains|tissue)\b|\bfetus(?:es)?\b",
        "regex",
        note="investigating a pregnancy outcome",
        category="health_care",
    ),
    # --- health care: reproductive care in general ----------------------------------------------
    Term(
        HEALTH_CARE,
        "reproducti",
        "prefix",
        PROPERTY_CRIME_WORDS,
        note="reproductive health / care / rights",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "reproductive",
        "fuzzy",
        PROPERTY_CRIME_WORDS,
        note="reproductive, tolerating typos",
        category="health_care",
    ),
    Term(HEALTH_CARE, "repro", "word", note="abbreviation of reproductive", category="health_care"),
    Term(
        HEALTH_CARE,
        "planned parenthood",
        "fuzzy",
        PROPERTY_CRIME_WORDS,
        note="abortion and reproductive care provider (not when the clinic is a crime victim)",
        category="clinic",
        source="Planned Parenthood Federation of America, plannedparenthood.org",
    ),
    Term(
        HEALTH_CARE,
        "contracepti",
        "prefix",
        note="contraception, contraceptives",
        category="health_care",
    ),
    Term(HEALTH_CARE, "ivf", "word", note="in vitro fertilisation", category="health_care"),
    Term(HEALTH_CARE, "in vitro", "word", note="in vitro fertilisation", category="health_care"),
    Term(
        HEALTH_CARE,
        "fertility clinic",
        "prefix",
        note="reproductive care provider",
        category="health_care",
    ),
    # --- health care: gender-affirming care -------------------------------------------------------
    Term(
        HEALTH_CARE,
        r"\bgender\W+(?:affirm\w*|confirm\w*|clinic\w*|transition\w*|care|dysphori\w*|"
        r"reassign\w*|surger(?:y|ies)|treatment|therapy|identity\W+clinic)",
        "regex",
        note="gender-affirming care, gender clinic, gender transition",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "gac",
        "word",
        note="abbreviation of gender-affirming care",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        r"\btrans(?:gender)?\b(?:\W+\w+)?\W+(?:care|treatment|hormones?|surger(?:y|ies)|clinic"
        r"|medical|medication|transition\w*|therapy|youth|minors?|juv\w*|kids?|child(?:ren)?)",
        "regex",
        note="care for transgender people, or transgender minors (the target of "
        "laws against gender-affirming care); not 'trans' as a descriptor",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        r"\b(?:puberty|cross\W?sex)\W+(?:hormones?|blockers?)\b"
        r"|\bhormones?\W+(?:therapy|treatment|replacement|blockers?)\b"
        r"|\bhormones?\W+(?:\w+\W+)?(?:minors?|juv\w*|youth|child(?:ren)?|kids?)\b",
        "regex",
        note="puberty blockers, cross-sex hormones, hormone therapy for minors",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        r"\bsex\W+(?:change|reassignment)\b|\b(?:top|bottom)\W+surger(?:y|ies)\b",
        "regex",
        note="gender-affirming surgery",
        category="health_care",
    ),
    # --- health care: vocabulary without the word abortion -------------------------------
    Term(
        HEALTH_CARE,
        "dilation and evacuation",
        "word",
        note="an abortion procedure (D&E)",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "morning after pill",
        "word",
        note="emergency contraception",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "family planning",
        "word",
        PROPERTY_CRIME_WORDS,
        note="family planning clinics and care (not when the clinic is a crime victim)",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "obgyn",
        "word",
        PROPERTY_CRIME_WORDS,
        note="an obstetrician-gynaecologist's care",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "ob gyn",
        "word",
        PROPERTY_CRIME_WORDS,
        note="an obstetrician-gynaecologist's care",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "gynecolog",
        "prefix",
        PROPERTY_CRIME_WORDS,
        note="gynecologist, gynecology",
        category="health_care",
    ),
    Term(
        HEALTH_CARE,
        "doula",
        "prefix",
        note="doula(s): birth and abortion support",
        category="health_care",
    ),
    Term(HEALTH_CARE, "embryo", "prefix", note="embryos (IVF)", category="health_care"),
    # --- health care: other states' laws against it --------------------------------------
    Term(
        HEALTH_CARE,
        r"\b(?:texas|tx)\W+(?:sb|senate\W+bill)\W?8\b|\bsb\W?8\W+(?:suit|lawsuit|claim|civil"
        r"|case|violation|complaint)",
        "regex",
        note="Texas SB 8 (2021): private suits against anyone who aids an abortion",
        category="health_law",
        source="Tex. Health & Safety Code 171.201-171.212 (Texas SB 8, 2021)",
    ),
    *[
        Term(
            HEALTH_CARE,
            f"heartbeat {kind}",
            "word",
            note="the 'heartbeat' abortion bans (Texas SB 8, Georgia HB 481, Oklahoma SB 1503...)",
            category="health_law",
            source="Tex. Health & Safety Code 171.201 et seq.; Ga. Code 16-12-141 (HB 481, 2019)",
        )
        for kind in ("act", "law", "bill", "statute")
    ],
    Term(
        HEALTH_CARE,
        "fetal heartbeat",
        "word",
        note="the 'fetal heartbeat' abortion bans",
        category="health_law",
        source="Tex. Health & Safety Code 171.201 et seq.",
    ),
    Term(
        HEALTH_CARE,
        "human life protection",
        "fuzzy",
        note="the 'Human Life Protection Act' abortion bans (Alabama, Texas, Tennessee, "
        "Arkansas, Kentucky...)",
        category="health_law",
        source="Ala. Code 26-23H (2019); Texas HB 1280 (2021), Tex. Health & Safety Code ch. 170A",
    ),
    Term(
        HEALTH_CARE,
        "defense of life act",
        "word",
        note="Idaho's abortion ban",
        category="health_law",
        source="Idaho Code 18-622",
    ),
    Term(
        HEALTH_CARE,
        "right to life of the unborn",
        "word",
        note="Missouri's abortion ban ('Right to Life of the Unborn Child Act')",
        category="health_law",
        source="Mo. Rev. Stat. 188.017 (HB 126, 2019)",
    ),
    Term(
        HEALTH_CARE,
        "preborn",
        "word",
        note="word of abortion bans and suits ('Preborn Child Protection Act', Idaho SB 1309)",
        category="health_law",
        source="Idaho SB 1309 (2022), Idaho Code 18-8801 et seq.",
    ),
    *[
        Term(
            HEALTH_CARE,
            phrase,
            "word",
            note="Idaho's 'abortion trafficking' law: helping a minor travel for an abortion",
            category="health_law",
            source="Idaho Code 18-623 (HB 242, 2023)",
        )
        for phrase in ("idaho hb 242", "idaho hb242", "idaho code 18 623", "ic 18 623")
    ],
    Term(
        HEALTH_CARE,
        r"\b(?:recruit|harbor|transport)\w*\W+(?:an?\W+|the\W+|her\W+)?pregnant\W+"
        r"(?:minor|juvenile|juv|teen|girl|daughter|child)",
        "regex",
        note="'recruiting, harboring or transporting' a pregnant minor: the abortion "
        "trafficking laws of Tennessee and Idaho",
        category="health_law",
        source="Tennessee 'abortion trafficking of a minor' law (2024); Idaho Code 18-623",
    ),
    Term(
        HEALTH_CARE,
        "comstock",
        "word",
        STREET_WORDS,
        note="the Comstock Act, invoked against mailing abortion pills (not Comstock Ave)",
        category="health_law",
        source="18 U.S.C. 1461-1462",
    ),
    Term(
        HEALTH_CARE,
        "shield law",
        "word",
        PRESS_WORDS,
        note="the states' laws shielding abortion and gender-affirming care from other "
        "states' suits (not the press's shield law)",
        category="health_law",
        source="Illinois Public Act 102-1117 (2023); New York Public Act ch. 138 (2023)",
    ),
    # --- health care: clinics and networks -------------------------------------------------
    Term(
        HEALTH_CARE,
        "whole womans health",
        "fuzzy",
        PROPERTY_CRIME_WORDS,
        note="Whole Woman's Health, abortion clinics (Texas until 2022, then New Mexico and "
        "other states)",
        category="clinic",
        source="wholewomanshealth.com; Whole Woman's Health v. Jackson, 595 U.S. 30 (2021)",
    ),
    Term(
        HEALTH_CARE,
        "hope clinic",
        "word",
        PROPERTY_CRIME_WORDS,
        note="Hope Clinic for Women, Granite City IL, abortion provider near St Louis",
        category="clinic",
        source="hopeclinic.com",
    ),
    Term(
        HEALTH_CARE,
        "choices center",
        "word",
        PROPERTY_CRIME_WORDS,
        note="CHOICES Center for Reproductive Health, Memphis TN and Carbondale IL",
        category="clinic",
        source="CHOICES Center for Reproductive Health (opened in Carbondale IL, 2022)",
    ),
    Term(
        HEALTH_CARE,
        "alamo womens",
        "word",
        PROPERTY_CRIME_WORDS,
        note="Alamo Women's Reproductive Services, moved from Texas to Carbondale IL",
        category="clinic",
        source="public reporting on clinics that moved to southern Illinois after 2022",
    ),
    Term(
        HEALTH_CARE,
        "womens health center",
        "fuzzy",
        PROPERTY_CRIME_WORDS,
        note="a women's health center (not when the clinic is a crime victim)",
        category="clinic",
    ),
    Term(
        HEALTH_CARE,
        "red river womens",
        "word",
        PROPERTY_CRIME_WORDS,
        note="Red River Women's Clinic, Fargo ND then Moorhead MN",
        category="clinic",
    ),
    Term(
        HEALTH_CARE,
        "trust women",
        "word",
        PROPERTY_CRIME_WORDS,
        note="Trust Women clinics, Wichita KS",
        category="clinic",
    ),
    Term(
        HEALTH_CARE,
        "carafem",
        "word",
        note="carafem abortion clinics",
        category="clinic",
        source="carafem.org",
    ),
    Term(
        HEALTH_CARE,
        "ppfa",
        "word",
        note="Planned Parenthood Federation of America",
        category="clinic",
        source="plannedparenthood.org",
    ),
    Term(
        HEALTH_CARE,
        "aid access",
        "word",
        note="Aid Access, mails abortion pills (telehealth)",
        category="clinic",
        source="aidaccess.org",
    ),
    Term(
        HEALTH_CARE,
        "just the pill",
        "word",
        note="Just the Pill, telehealth and mobile abortion clinics",
        category="clinic",
        source="justthepill.com",
    ),
    Term(
        HEALTH_CARE,
        "hey jane",
        "word",
        note="Hey Jane, telehealth abortion",
        category="clinic",
        source="heyjane.com",
    ),
    Term(
        HEALTH_CARE,
        "las libres",
        "word",
        note="Las Libres, Mexican network sending abortion pills to the U.S.",
        category="clinic",
    ),
    Term(
        HEALTH_CARE,
        "women on web",
        "word",
        note="Women on Web, telehealth abortion pills",
        category="clinic",
        source="womenonweb.org",
    ),
    Term(
        HEALTH_CARE,
        "midwest access coalition",
        "word",
        note="helps people travel to Illinois for an abortion",
        category="clinic",
        source="midwestaccesscoalition.org",
    ),
    Term(
        HEALTH_CARE,
        "brigid alliance",
        "word",
        note="pays travel for abortion care",
        category="clinic",
        source="brigidalliance.org",
    ),
    # --- sensitive data: values, not mentions ---------------------------------------------------
    Term(
        SENSITIVE_DATA,
        _BIRTH + r"(?:\d{1,2}[/.\- ]\d{1,2}[/.\- ]\d{2,4}|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{8})",
        "regex",
        note="a date of birth with its value (mentioning 'DOB' alone is fine)",
        category="personal_data",
    ),
    Term(
        SENSITIVE_DATA,
        _BIRTH
        + r"(?:\d{1,2}[\- ]?"
        + _MONTH
        + r"[\- ,]*\d{2,4}|"
        + _MONTH
        + r" \d{1,2},? \d{2,4})",
        "regex",
        note="a date of birth with its value, month in letters (11-NOV-1980)",
        category="personal_data",
    ),
    Term(
        SENSITIVE_DATA,
        r"\b(?:ssn|ss|soc(?:ial)?(?:\W+sec(?:urity)?)?)\W{0,3}(?:(?:no|num|number)\b\W{0,3})?"
        r"\d{3}[\- ]?\d{2}[\- ]?\d{4}\b",
        "regex",
        note="a social security number after SSN / SS# / social",
        category="personal_data",
        source="815 ILCS 530/5 (Illinois Personal Information Protection Act)",
    ),
    Term(
        SENSITIVE_DATA,
        r"(?<![\d\-])\d{3}-\d{2}-\d{4}(?![\d\-])",
        "regex",
        note="the 3-2-4 digit shape of a social security number",
        category="personal_data",
        source="815 ILCS 530/5 (Illinois Personal Information Protection Act)",
    ),
    Term(
        SENSITIVE_DATA,
        r"\b(?:dl|dln|oln|odl|cdl|drivers?\W*lic\w*|operators?\W*lic\w*)\b\W{0,3}"
        r"(?:(?:no|num|number)\b\W{0,3})?(?:[a-z]{2}\W+)?(?:dl\W+)?"
        r"[a-z]{0,2}[\- ]?\d(?:[\- ]?\d){5,}",
        "regex",
        note="a driver's licence number after DL / DLN / OLN / driver's license",
        category="personal_data",
        source="815 ILCS 530/5 (Illinois Personal Information Protection Act)",
    ),
    # --- vague: words that state no purpose on their own --------------------------------------
    _generic("inv", "abbreviation of investigation"),
    _generic("invest", "abbreviation of investigation"),
    _generic("invst", "abbreviations of investigation (invst, invstgn)", "prefix"),
    _generic("investigat", "investigation, investigative, investigating", "prefix"),
    _generic("investigation", "investigation, tolerating typos", "fuzzy"),
    _generic("criminal", "'criminal investigation' names no offence"),
    _generic("justice", "'criminal justice purpose'"),
    _generic("purpose", "'law enforcement purpose'", "prefix"),
    _generic("law enforcement", "'law enforcement purpose'"),
    _generic("le", "law enforcement"),
    _generic("official", "'official business'"),
    _generic("business", "'police business'"),
    _generic("use", "'official use'"),
    _generic("police", "'police business'"),
    _generic("work", "'work' names no purpose"),
    _generic("general", "'general'"),
    _generic("misc", "abbreviation of miscellaneous"),
    _generic("miscellaneous", "'miscellaneous'"),
    _generic("other", "Flock 'Other' category"),
    _generic("ongoing", "'ongoing investigation'"),
    _generic("active", "'active investigation'"),
    _generic("open", "'open case'"),
    _generic("test", "test searches"),
    _generic("tests", "test searches"),
    _generic("testing", "test searches"),
    _generic("tst", "abbreviation of test"),
    _generic("training", "training searches"),
    _generic("demo", "demonstration searches"),
    _generic("na", "n/a"),
    _generic("none", "'none'"),
    _generic("null", "'null'"),
    _generic("unknown", "'unknown'"),
    _generic("unk", "abbreviation of unknown"),
    _generic("tbd", "to be determined"),
    _generic("pending", "'pending'"),
    _generic("reason", "'no reason'"),
    _generic("case", "a case number alone states no purpose"),
    _generic("cases", "a case number alone states no purpose"),
    _generic("report", "'see report'"),
    _generic("rpt", "report"),
    _generic("incident", "incident number"),
    _generic("rd", "records division number (Chicago RD #)"),
    _generic("ir", "incident report number"),
    _generic("cr", "case report number"),
    _generic("cad", "computer-aided dispatch number"),
    _generic("number", "case number"),
    _generic("num", "case number"),
    _generic("see", "'see report'"),
    _generic("follow up", "'follow up'"),
    _generic("followup", "'followup'"),
    _generic("info", "'info only'"),
    _generic("information", "'information'"),
    _generic("intel", "'intel' names no purpose"),
    _generic("intelligence", "'intelligence' names no purpose"),
    _generic("only", "'info only'"),
    _generic("request", "'per request'"),
    _generic("req", "request"),
    _generic("sgt", "'per sgt'"),
    _generic("sergeant", "'per sergeant'"),
    _generic("lt", "'per lt'"),
    _generic("lieutenant", "'per lieutenant'"),
    _generic("chief", "'per chief'"),
    _generic("supervisor", "'per supervisor'"),
    _generic("suspect", "a suspect, with no offence"),
    _generic("susp", "abbreviation of suspect / suspicious"),
    _generic("suspicious", "'suspicious vehicle', no offence"),
    _generic("subject", "a subject, with no offence"),
    _generic("subj", "abbreviation of subject"),
    _generic("veh", "abbreviation of vehicle"),
    _generic("vehicle", "a vehicle, with no offence"),
    _generic("plate", "'plate check'"),
    _generic("check", "'plate check', 'ALPR check'"),
    _generic("lookup", "'lookup'"),
    _generic("search", "'search', 'searching'", "prefix"),
    _generic("query", "'query'"),
    _generic("flock", "'flock search'"),
    _generic("alpr", "'ALPR check'"),
    _generic("lpr", "'LPR check'"),
    _generic("patrol", "'patrol'"),
    _generic("lead", "'investigative lead'"),
    _generic(r"\b(?:x+|z+|asdf\w*|qwer\w*|jkl\w*)\b", "keyboard filler", "regex"),
]

# --- cancel words widened after the development corpora ------------------------------------
# The corpora written for issue 16 (apps/compliance/corpora/reason_train.csv and
# reason_contrast.csv, written without reading the term lists) showed the terms reading
# hard negatives as enforcement or health care: "ice" as a bar, a business, a nickname or
# the weather; an immigrant, a migrant or ICE itself as the victim's side of a crime
# (robbery of a migrant worker, a fake ICE agent extorting a family, a threat to call
# immigration, a U visa certification); HSI, CBP and DHS on ordinary federal crime; a
# clinic or its staff as the victim. Migration 0011 adds the same words to a stored list;
# an entry "words ~N" reaches N words (apps.compliance.classifier).
ICE_NAME_AND_WEATHER_WORDS = (
    "slid", "roadway", "roadways", "windshield", "scraping", "scrape", "slip", "slipped",
    "snowmobile ~4", "center ~1", "cold ~1", "bar", "tavern", "house ~1", "box ~1",
    "co ~1", "glacier", "arctic", "polar", "hogs", "lookalike", "t ~1", "known as ~2",
    "trafficking ~1", "contractor ~3", "through ~2", "lil ~1", "thrown ~1", "throwing ~1",
    "mountain ~1", "water ~2", "scraper ~1", "melt ~1", "emergency ~4", "in case of ~2",
)  # fmt: skip
IMPERSONATION_WORDS = (
    "impersonator", "impersonators", "impersonating", "impersonation", "posing", "posed",
    "fake", "pretending", "pretended", "threatened ~6", "threatening ~6", "threat ~4",
    "threats ~4", "extortion ~6", "extorting ~6", "scam ~4",
)  # fmt: skip
CRIME_VICTIM_WORDS = (
    "robbery", "robbed", "battery", "assault", "assaulted", "arson", "theft", "shooting",
    "shot", "attack", "attacked", "shelter", "wage", "wage theft ~4", "extortion ~4",
    "witness ~4", "victim ~4", "carjacking ~4", "arrival ~3", "bus ~1",
)  # fmt: skip
FEDERAL_NON_IMMIGRATION_WORDS = (
    "child ~3", "exploitation", "icac", "porn", "pornography", "csam", "counterfeit",
    "sex trafficking ~4", "fentanyl", "narcotics", "drug", "drugs", "seizure", "seized ~3",
    "cyber", "money laundering", "cocaine ~3", "heroin ~3", "meth ~3", "assaulted ~3",
    "off duty ~4", "oig", "grant ~2", "employee ~4", "gun ~4", "guns ~4", "ghost ~3",
    "dark web ~4", "drone ~3", "prison ~5", "robbery ~3", "ransomware ~3", "skimming ~3",
    "credit card ~3",
)  # fmt: skip
# "Deport" as a nickname, "deportes" (Spanish: sports) as a shop.
DEPORT_NAME_WORDS = (
    "nickname", "nicknamed", "aka", "moniker", "known as ~2", "store ~2", "sporting ~4",
)  # fmt: skip
NON_PERSON_UNDOCUMENTED_WORDS = (
    "vehicle ~1", "veh ~1", "firearm ~1", "firearms ~1", "gun ~1", "guns ~1", "title ~3",
    "weapon ~1", "cash ~1", "income ~1",
)  # fmt: skip
PROVIDER_VICTIM_WORDS = (
    *PROPERTY_CRIME_WORDS, "threats", "threat", "threatening ~3", "threatened ~3", "firebomb",
    "firebombed", "bomb", "shots ~3", "shooting", "battery", "protester", "protesters",
    "damaged", "stolen ~4",
)  # fmt: skip
_CANCEL_WORDS_DECLARED: dict[tuple[str, str, str], tuple[str, ...]] = {
    (IMMIGRATION, "ice", "word"): ICE_NAME_AND_WEATHER_WORDS + IMPERSONATION_WORDS,
    (IMMIGRATION, "immig", "prefix"): IMPERSONATION_WORDS + CRIME_VICTIM_WORDS,
    (IMMIGRATION, "immigration", "fuzzy"): IMPERSONATION_WORDS + CRIME_VICTIM_WORDS,
    (IMMIGRATION, "immigrant", "fuzzy"): IMPERSONATION_WORDS + CRIME_VICTIM_WORDS,
    (IMMIGRATION, "migrant", "prefix"): CRIME_VICTIM_WORDS,
    (IMMIGRATION, "undocumented", "fuzzy"): CRIME_VICTIM_WORDS + NON_PERSON_UNDOCUMENTED_WORDS,
    (IMMIGRATION, "asylum", "word"): CRIME_VICTIM_WORDS,
    (IMMIGRATION, "deport", "prefix"): (*IMPERSONATION_WORDS, *DEPORT_NAME_WORDS),
    (IMMIGRATION, "deportation", "fuzzy"): IMPERSONATION_WORDS,
    (IMMIGRATION, "hsi", "word"): FEDERAL_NON_IMMIGRATION_WORDS,
    (IMMIGRATION, "homeland security investigations", "fuzzy"): FEDERAL_NON_IMMIGRATION_WORDS,
    (IMMIGRATION, "homeland sec", "prefix"): FEDERAL_NON_IMMIGRATION_WORDS,
    (IMMIGRATION, "homeland security", "fuzzy"): FEDERAL_NON_IMMIGRATION_WORDS,
    (IMMIGRATION, "cbp", "word"): FEDERAL_NON_IMMIGRATION_WORDS,
    (IMMIGRATION, "green card", "prefix"): (
        "stolen ~3",
        "burglary ~4",
        "theft ~3",
        "lost",
        "found ~2",
        "victim ~4",
    ),
    (IMMIGRATION, "alien", "word"): (
        "costume",
        "costumes",
        "ware",
        "halloween",
        "mask",
        "auto ~1",
        "body ~2",
        "gear ~1",
        "ant ~1",
        "concert ~4",
    ),
    (IMMIGRATION, "visa", "word"): (
        "inc",
        "certification",
        "cert",
        "u ~1",
        "t ~1",
        "victim ~4",
    ),
    (IMMIGRATION, "naturalization", "word"): ("ceremony",),
    (IMMIGRATION, "daca", "word"): CRIME_VICTIM_WORDS,
    (IMMIGRATION, "dhs", "word"): FEDERAL_NON_IMMIGRATION_WORDS,
    (HEALTH_CARE, "doula", "prefix"): ("car ~2", "stolen ~3", "burglary ~3", "theft ~3"),
    (HEALTH_CARE, "miscarriage", "fuzzy"): ("crash ~3", "dui ~3", "driver ~4", "caused ~1"),
    (HEALTH_CARE, "fertility clinic", "prefix"): PROVIDER_VICTIM_WORDS,
    (
        IMMIGRATION,
        r"\b(?:for|per|assist\w*)\W+(?:our\W+|the\W+)?fed(?:eral|s)?\W+partners?\b|\bfed(?:eral|s)?"
        r"\W+partners?\W+(?:locate|request|pick|hold|lookout)\w*",
        "regex",
    ): ("robbery ~6", "bank ~6"),
    (HEALTH_CARE, "abortion", "prefix"): PROVIDER_VICTIM_WORDS,
    (HEALTH_CARE, "abortion", "fuzzy"): PROVIDER_VICTIM_WORDS,
    (HEALTH_CARE, "reproducti", "prefix"): PROVIDER_VICTIM_WORDS,
    (HEALTH_CARE, "reproductive", "fuzzy"): PROVIDER_VICTIM_WORDS,
    (HEALTH_CARE, "planned parenthood", "fuzzy"): PROVIDER_VICTIM_WORDS,
    (
        HEALTH_CARE,
        r"\bgender\W+(?:affirm\w*|confirm\w*|clinic\w*|transition\w*|care|dysphori\w*|"
        r"reassign\w*|surger(?:y|ies)|treatment|therapy|identity\W+clinic)",
        "regex",
    ): PROVIDER_VICTIM_WORDS,
    # A federal pickup or hold of evidence, not of a person.
    (
        IMMIGRATION,
        r"\bfed(?:eral|s)?\W+(?:partners?\W+)?pick\W?ups?\b|\b(?:pick\W?up|hold|holding|held)"
        r"\W+for\W+(?:the\W+)?(?:feds?\b|federal\W+(?:agents?|partners?|authorities))",
        "regex",
    ): ("evidence", "lab ~4", "property ~3"),
}


#: The words each term gains, without those it had already (what migration 0011 adds).
CANCEL_WORDS_WIDENED: dict[tuple[str, str, str], tuple[str, ...]] = {}


def _widened(term: Term) -> Term:
    key = (term.label, term.phrase, term.match)
    added = tuple(
        dict.fromkeys(w for w in _CANCEL_WORDS_DECLARED.get(key, ()) if w not in term.unless_near)
    )
    if not added:
        return term
    CANCEL_WORDS_WIDENED[key] = added
    return replace(term, unless_near=term.unless_near + added)


DEFAULT_TERMS = [_widened(term) for term in DEFAULT_TERMS]
