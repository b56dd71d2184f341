"""The starting term lists of the reason classifier.

A migration loads them into the database, where administrators edit them. They are
general words and patterns from how officers, agencies and vendors write reasons (agency
names and acronyms, immigration forms and statutes, Flock's 2026 dropdown categories,
health-care vocabulary, labelled personal data), not copies of any test corpus. Regex
phrases run on the normalised text (lower case, accents dropped, apostrophes removed,
``&`` -> ``and``, ``I.C.E.``/``I C E`` -> ``ice``), see ``apps.compliance.classifier``; each
phrase fits the 255 characters of ``ReasonTerm.phrase``.
"""

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

_BIRTH = r"\b(?:dob|date\W+of\W+birth|birth\W?date|birthday|born(?:\W+on)?)\W{0,4}"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"

DEFAULT_TERMS: list[Term] = [
    # --- immigration: Flock 2026 dropdown -------------------------------------------------
    Term(
        IMMIGRATION,
        r"^immigration ?\((?:civil|administrative|criminal)[^)]*\)",
        "regex",
        note="Flock 2026 dropdown category for immigration searches (civil or criminal)",
    ),
    # --- immigration: the word itself, misspelt, truncated, Spanish -----------------------
    Term(
        IMMIGRATION,
        "immig",
        "prefix",
        PROFESSION_WORDS,
        note="immigration, immigrant, immig. (not 'immigration attorney': a business)",
    ),
    Term(
        IMMIGRATION,
        "immigration",
        "fuzzy",
        PROFESSION_WORDS,
        note="immigration, tolerating typos (immigraton, imigration)",
    ),
    Term(IMMIGRATION, "immigrant", "fuzzy", PROFESSION_WORDS, note="immigrant, tolerating typos"),
    Term(IMMIGRATION, "imm", "word", note="common abbreviation of immigration ('imm. violation')"),
    Term(IMMIGRATION, "inmigra", "prefix", note="Spanish: inmigración, inmigrante"),
    Term(IMMIGRATION, "migracion", "word", note="Spanish: migración"),
    Term(IMMIGRATION, "migra", "word", note="Spanish slang for immigration enforcement"),
    Term(IMMIGRATION, "indocumentad", "prefix", note="Spanish: indocumentado(s)"),
    Term(IMMIGRATION, "migrant", "prefix", note="migrant(s)"),
    # --- immigration: agencies and components ---------------------------------------------
    Term(
        IMMIGRATION,
        "ice",
        "word",
        DRUG_WORDS + OTHER_ICE_WORDS,
        note="ICE, U.S. Immigration and Customs Enforcement (not 'ice' the drug, the weather, "
        "ice cream or a nickname)",
    ),
    Term(IMMIGRATION, "immigration and customs enforcement", "fuzzy", note="ICE spelled out"),
    Term(IMMIGRATION, "ero", "word", note="ICE Enforcement and Removal Operations"),
    Term(
        IMMIGRATION,
        "enforcement and removal",
        "fuzzy",
        note="ICE Enforcement and Removal Operations spelled out",
    ),
    Term(
        IMMIGRATION,
        "hsi",
        "word",
        note="Homeland Security Investigations, an ICE component (state policy)",
    ),
    Term(IMMIGRATION, "homeland security investigations", "fuzzy", note="HSI spelled out"),
    Term(
        IMMIGRATION,
        "homeland sec",
        "prefix",
        note="Department of Homeland Security / Homeland Security Investigations",
    ),
    Term(IMMIGRATION, "homeland security", "fuzzy", note="Homeland Security, tolerating typos"),
    Term(
        IMMIGRATION,
        "dhs",
        "word",
        HUMAN_SERVICES_WORDS,
        note="U.S. Department of Homeland Security (state policy); not a state Department "
        "of Human Services ('DHS Medicaid fraud')",
    ),
    Term(IMMIGRATION, "cbp", "word", note="U.S. Customs and Border Protection"),
    Term(IMMIGRATION, "customs and border", "fuzzy", note="Customs and Border Protection"),
    Term(IMMIGRATION, "border protection", "fuzzy", note="Customs and Border Protection"),
    Term(IMMIGRATION, "ofo", "word", note="CBP Office of Field Operations (ports of entry)"),
    Term(IMMIGRATION, "port of entry", "prefix", note="CBP ports of entry"),
    Term(IMMIGRATION, "ports of entry", "word", note="CBP ports of entry"),
    Term(IMMIGRATION, "port runner", "prefix", note="vehicle that ran a port of entry (CBP)"),
    Term(IMMIGRATION, "usbp", "word", note="U.S. Border Patrol"),
    Term(
        IMMIGRATION,
        "border patrol",
        "fuzzy",
        note="U.S. Border Patrol, tolerating typos ('boarder patrol')",
    ),
    Term(
        IMMIGRATION,
        r"\bbp (?:agents?|sector|sectors)\b",
        "regex",
        note="BP = Border Patrol when it names agents or a sector (not the BP gas station)",
    ),
    Term(IMMIGRATION, "bortac", "word", note="Border Patrol tactical unit"),
    Term(IMMIGRATION, "uscis", "word", note="U.S. Citizenship and Immigration Services"),
    Term(IMMIGRATION, "fdns", "word", note="USCIS Fraud Detection and National Security"),
    Term(
        IMMIGRATION,
        "eoir",
        "word",
        note="immigration courts (Executive Office for Immigration Review)",
    ),
    Term(IMMIGRATION, "sevis", "word", note="student visa tracking system (ICE)"),
    Term(IMMIGRATION, "e verify", "word", note="E-Verify employment eligibility (DHS)"),
    Term(IMMIGRATION, "secure communities", "word", note="ICE jail-screening programme"),
    Term(
        IMMIGRATION,
        r"\b287 ?\(? ?g\b\)?",
        "regex",
        note="287(g) agreements deputise local officers for immigration enforcement",
    ),
    # --- immigration: forms, statutes, legal steps ----------------------------------------
    Term(
        IMMIGRATION,
        r"\bi ?- ?(?:247[adnx]?|200|203|205|213|216|220[ab]?|286|851|862)\b",
        "regex",
        ("crash", "mile", "mm", "exit", "nb", "sb", "eb", "wb", "lane", "lanes"),
        note="ICE/DHS forms: I-247 detainers, I-200/I-205 warrants, I-213, I-862 notice to "
        "appear (not an interstate: I-205 next to crash/exit words)",
    ),
    Term(
        IMMIGRATION,
        r"\b8 ?u ?s ?c\W{0,3}(?:sec\w*\W{0,2})?\d{3,4}",
        "regex",
        note="Title 8 U.S. Code (Aliens and Nationality), e.g. 8 USC 1325/1326",
    ),
    Term(IMMIGRATION, "deport", "prefix", note="deportation, deported, deportee"),
    Term(IMMIGRATION, "deportation", "fuzzy", note="deportation, tolerating typos"),
    Term(
        IMMIGRATION,
        r"\b(?:removal|deportation)\W+(?:orders?|proceedings?|case|hearing|warrant)\b"
        r"|\borders?\W+of\W+(?:removal|deportation)\b|\bwarrant\W+of\W+removal\b",
        "regex",
        note="immigration removal (not vehicle or snow removal)",
    ),
    Term(IMMIGRATION, "notice to appear", "word", note="immigration NTA (Form I-862)"),
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
    ),
    Term(IMMIGRATION, "improper entry", "word", note="8 USC 1325"),
    Term(
        IMMIGRATION,
        r"\bre ?-? ?entered\b.{0,20}\b(?:after|following)\W+(?:removal|deport)",
        "regex",
        note="re-entry after removal (8 USC 1326)",
    ),
    # --- immigration: status words ---------------------------------------------------------
    Term(IMMIGRATION, "alien", "word", note="'alien' as used in immigration law"),
    Term(IMMIGRATION, "aliens", "word", note="'aliens' as used in immigration law"),
    Term(IMMIGRATION, "illegals", "word", note="slang for undocumented immigrants"),
    Term(IMMIGRATION, "undocumented", "fuzzy", note="undocumented, tolerating typos"),
    Term(IMMIGRATION, "undoc", "word", note="abbreviation of undocumented"),
    Term(
        IMMIGRATION,
        r"\bunlawful(?:ly)?\W+presen\w*|\bout\W+of\W+status\b",
        "regex",
        note="unlawful presence / out of status",
    ),
    Term(
        IMMIGRATION, "visa", "word", CARD_WORDS, note="immigration visa; not the Visa payment card"
    ),
    Term(
        IMMIGRATION, "visas", "word", CARD_WORDS, note="immigration visas; not Visa payment cards"
    ),
    Term(IMMIGRATION, "overstay", "prefix", note="visa overstay, overstayed, overstayer"),
    Term(IMMIGRATION, "asylum", "word", note="asylum seeker / asylum case"),
    Term(IMMIGRATION, "green card", "prefix", note="lawful permanent resident card"),
    Term(IMMIGRATION, "naturalization", "word", note="citizenship by naturalization (USCIS)"),
    Term(
        IMMIGRATION,
        r"\b(?:human|people|migrant)\W+smuggl\w*",
        "regex",
        note="smuggling of people across the border (8 USC 1324)",
    ),
    # --- health care: Flock 2026 dropdown ---------------------------------------------------
    Term(
        HEALTH_CARE,
        r"^reproductive health ?\(investigation\)",
        "regex",
        note="Flock 2026 dropdown category for reproductive-health investigations",
    ),
    # --- health care: abortion ----------------------------------------------------------------
    Term(HEALTH_CARE, "abortion", "prefix", note="abortion(s)"),
    Term(HEALTH_CARE, "abortion", "fuzzy", note="abortion, tolerating typos (abortoin, aborton)"),
    Term(HEALTH_CARE, "abortifac", "prefix", note="abortifacient drugs"),
    Term(HEALTH_CARE, "mifepristone", "fuzzy", note="abortion medication"),
    Term(HEALTH_CARE, "mifeprist", "prefix", note="abortion medication"),
    Term(HEALTH_CARE, "mifeprex", "word", note="abortion medication (brand)"),
    Term(HEALTH_CARE, "misoprostol", "fuzzy", note="abortion medication"),
    Term(HEALTH_CARE, "cytotec", "word", note="misoprostol (brand)"),
    Term(
        HEALTH_CARE,
        r"\b(?:terminat\w*|end(?:ed|ing|s)?|lost|loss)\W+(?:\w+\W+)?(?:of\W+)?(?:a\W+|her\W+)?"
        r"pregnan\w*|\bpregnan\w*\W+(?:terminat\w*|end(?:ed|ing)?|loss)",
        "regex",
        note="ending a pregnancy",
    ),
    Term(
        HEALTH_CARE,
        r"\bpregnan\w*\b(?:\W+\w+){0,4}?\W+(?:travel\w*|procedure|out\W+of\W+state|"
        r"went\W+to\W+(?:a\W+)?clinic)",
        "regex",
        note="pregnant person travelling or having a procedure: implied abortion",
    ),
    Term(HEALTH_CARE, "miscarriage", "fuzzy", note="investigating a pregnancy outcome"),
    Term(HEALTH_CARE, "stillbirth", "fuzzy", note="investigating a pregnancy outcome"),
    Term(HEALTH_CARE, "still birth", "word", note="investigating a pregnancy outcome"),
    Term(
        HEALTH_CARE,
        r"\bfetal\W+(?:death|demise|remains|tissue)\b|\bfetus(?:es)?\b",
        "regex",
        note="investigating a pregnancy outcome",
    ),
    # --- health care: reproductive care in general ----------------------------------------------
    Term(
        HEALTH_CARE,
        "reproducti",
        "prefix",
        PROPERTY_CRIME_WORDS,
        note="reproductive health / care / rights",
    ),
    Term(
        HEALTH_CARE,
        "reproductive",
        "fuzzy",
        PROPERTY_CRIME_WORDS,
        note="reproductive, tolerating typos",
    ),
    Term(HEALTH_CARE, "repro", "word", note="abbreviation of reproductive"),
    Term(
        HEALTH_CARE,
        "planned parenthood",
        "fuzzy",
        PROPERTY_CRIME_WORDS,
        note="abortion and reproductive care provider (not when the clinic is a crime victim)",
    ),
    Term(HEALTH_CARE, "contracepti", "prefix", note="contraception, contraceptives"),
    Term(HEALTH_CARE, "ivf", "word", note="in vitro fertilisation"),
    Term(HEALTH_CARE, "in vitro", "word", note="in vitro fertilisation"),
    Term(HEALTH_CARE, "fertility clinic", "prefix", note="reproductive care provider"),
    # --- health care: gender-affirming care -------------------------------------------------------
    Term(
        HEALTH_CARE,
        r"\bgender\W+(?:affirm\w*|confirm\w*|clinic\w*|transition\w*|care|dysphori\w*|"
        r"reassign\w*|surger(?:y|ies)|treatment|therapy|identity\W+clinic)",
        "regex",
        note="gender-affirming care, gender clinic, gender transition",
    ),
    Term(HEALTH_CARE, "gac", "word", note="abbreviation of gender-affirming care"),
    Term(
        HEALTH_CARE,
        r"\btrans(?:gender)?\b(?:\W+\w+)?\W+(?:care|treatment|hormones?|surger(?:y|ies)|clinic"
        r"|medical|medication|transition\w*|therapy|youth|minors?|juv\w*|kids?|child(?:ren)?)",
        "regex",
        note="care for transgender people, or transgender minors (the target of "
        "laws against gender-affirming care); not 'trans' as a descriptor",
    ),
    Term(
        HEALTH_CARE,
        r"\b(?:puberty|cross\W?sex)\W+(?:hormones?|blockers?)\b"
        r"|\bhormones?\W+(?:therapy|treatment|replacement|blockers?)\b"
        r"|\bhormones?\W+(?:\w+\W+)?(?:minors?|juv\w*|youth|child(?:ren)?|kids?)\b",
        "regex",
        note="puberty blockers, cross-sex hormones, hormone therapy for minors",
    ),
    Term(
        HEALTH_CARE,
        r"\bsex\W+(?:change|reassignment)\b|\b(?:top|bottom)\W+surger(?:y|ies)\b",
        "regex",
        note="gender-affirming surgery",
    ),
    # --- sensitive data: values, not mentions ---------------------------------------------------
    Term(
        SENSITIVE_DATA,
        _BIRTH + r"(?:\d{1,2}[/.\- ]\d{1,2}[/.\- ]\d{2,4}|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}|\d{8})",
        "regex",
        note="a date of birth with its value (mentioning 'DOB' alone is fine)",
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
    ),
    Term(
        SENSITIVE_DATA,
        r"\b(?:ssn|ss|soc(?:ial)?(?:\W+sec(?:urity)?)?)\W{0,3}(?:(?:no|num|number)\b\W{0,3})?"
        r"\d{3}[\- ]?\d{2}[\- ]?\d{4}\b",
        "regex",
        note="a social security number after SSN / SS# / social",
    ),
    Term(
        SENSITIVE_DATA,
        r"(?<![\d\-])\d{3}-\d{2}-\d{4}(?![\d\-])",
        "regex",
        note="the 3-2-4 digit shape of a social security number",
    ),
    Term(
        SENSITIVE_DATA,
        r"\b(?:dl|dln|oln|odl|cdl|drivers?\W*lic\w*|operators?\W*lic\w*)\b\W{0,3}"
        r"(?:(?:no|num|number)\b\W{0,3})?(?:[a-z]{2}\W+)?(?:dl\W+)?"
        r"[a-z]{0,2}[\- ]?\d(?:[\- ]?\d){5,}",
        "regex",
        note="a driver's licence number after DL / DLN / OLN / driver's license",
    ),
    # --- vague: words that state no purpose on their own --------------------------------------
    Term(VAGUE, "inv", "word", note="abbreviation of investigation"),
    Term(VAGUE, "invest", "word", note="abbreviation of investigation"),
    Term(VAGUE, "invst", "prefix", note="abbreviations of investigation (invst, invstgn)"),
    Term(VAGUE, "investigat", "prefix", note="investigation, investigative, investigating"),
    Term(VAGUE, "investigation", "fuzzy", note="investigation, tolerating typos"),
    Term(VAGUE, "criminal", "word", note="'criminal investigation' names no offence"),
    Term(VAGUE, "justice", "word", note="'criminal justice purpose'"),
    Term(VAGUE, "purpose", "prefix", note="'law enforcement purpose'"),
    Term(VAGUE, "law enforcement", "word", note="'law enforcement purpose'"),
    Term(VAGUE, "le", "word", note="law enforcement"),
    Term(VAGUE, "official", "word", note="'official business'"),
    Term(VAGUE, "business", "word", note="'police business'"),
    Term(VAGUE, "use", "word", note="'official use'"),
    Term(VAGUE, "police", "word", note="'police business'"),
    Term(VAGUE, "work", "word", note="'work' names no purpose"),
    Term(VAGUE, "general", "word", note="'general'"),
    Term(VAGUE, "misc", "word", note="abbreviation of miscellaneous"),
    Term(VAGUE, "miscellaneous", "word", note="'miscellaneous'"),
    Term(VAGUE, "other", "word", note="Flock 'Other' category"),
    Term(VAGUE, "ongoing", "word", note="'ongoing investigation'"),
    Term(VAGUE, "active", "word", note="'active investigation'"),
    Term(VAGUE, "open", "word", note="'open case'"),
    Term(VAGUE, "test", "word", note="test searches"),
    Term(VAGUE, "tests", "word", note="test searches"),
    Term(VAGUE, "testing", "word", note="test searches"),
    Term(VAGUE, "tst", "word", note="abbreviation of test"),
    Term(VAGUE, "training", "word", note="training searches"),
    Term(VAGUE, "demo", "word", note="demonstration searches"),
    Term(VAGUE, "na", "word", note="n/a"),
    Term(VAGUE, "none", "word", note="'none'"),
    Term(VAGUE, "null", "word", note="'null'"),
    Term(VAGUE, "unknown", "word", note="'unknown'"),
    Term(VAGUE, "unk", "word", note="abbreviation of unknown"),
    Term(VAGUE, "tbd", "word", note="to be determined"),
    Term(VAGUE, "pending", "word", note="'pending'"),
    Term(VAGUE, "reason", "word", note="'no reason'"),
    Term(VAGUE, "case", "word", note="a case number alone states no purpose"),
    Term(VAGUE, "cases", "word", note="a case number alone states no purpose"),
    Term(VAGUE, "report", "word", note="'see report'"),
    Term(VAGUE, "rpt", "word", note="report"),
    Term(VAGUE, "incident", "word", note="incident number"),
    Term(VAGUE, "rd", "word", note="records division number (Chicago RD #)"),
    Term(VAGUE, "ir", "word", note="incident report number"),
    Term(VAGUE, "cr", "word", note="case report number"),
    Term(VAGUE, "cad", "word", note="computer-aided dispatch number"),
    Term(VAGUE, "number", "word", note="case number"),
    Term(VAGUE, "num", "word", note="case number"),
    Term(VAGUE, "see", "word", note="'see report'"),
    Term(VAGUE, "follow up", "word", note="'follow up'"),
    Term(VAGUE, "followup", "word", note="'followup'"),
    Term(VAGUE, "info", "word", note="'info only'"),
    Term(VAGUE, "information", "word", note="'information'"),
    Term(VAGUE, "intel", "word", note="'intel' names no purpose"),
    Term(VAGUE, "intelligence", "word", note="'intelligence' names no purpose"),
    Term(VAGUE, "only", "word", note="'info only'"),
    Term(VAGUE, "request", "word", note="'per request'"),
    Term(VAGUE, "req", "word", note="request"),
    Term(VAGUE, "sgt", "word", note="'per sgt'"),
    Term(VAGUE, "sergeant", "word", note="'per sergeant'"),
    Term(VAGUE, "lt", "word", note="'per lt'"),
    Term(VAGUE, "lieutenant", "word", note="'per lieutenant'"),
    Term(VAGUE, "chief", "word", note="'per chief'"),
    Term(VAGUE, "supervisor", "word", note="'per supervisor'"),
    Term(VAGUE, "suspect", "word", note="a suspect, with no offence"),
    Term(VAGUE, "susp", "word", note="abbreviation of suspect / suspicious"),
    Term(VAGUE, "suspicious", "word", note="'suspicious vehicle', no offence"),
    Term(VAGUE, "subject", "word", note="a subject, with no offence"),
    Term(VAGUE, "subj", "word", note="abbreviation of subject"),
    Term(VAGUE, "veh", "word", note="abbreviation of vehicle"),
    Term(VAGUE, "vehicle", "word", note="a vehicle, with no offence"),
    Term(VAGUE, "plate", "word", note="'plate check'"),
    Term(VAGUE, "check", "word", note="'plate check', 'ALPR check'"),
    Term(VAGUE, "lookup", "word", note="'lookup'"),
    Term(VAGUE, "search", "prefix", note="'search', 'searching'"),
    Term(VAGUE, "query", "word", note="'query'"),
    Term(VAGUE, "flock", "word", note="'flock search'"),
    Term(VAGUE, "alpr", "word", note="'ALPR check'"),
    Term(VAGUE, "lpr", "word", note="'LPR check'"),
    Term(VAGUE, "patrol", "word", note="'patrol'"),
    Term(VAGUE, "lead", "word", note="'investigative lead'"),
    Term(VAGUE, r"\b(?:x+|z+|asdf\w*|qwer\w*|jkl\w*)\b", "regex", note="keyboard filler"),
]
