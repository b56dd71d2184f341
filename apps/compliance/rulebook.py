"""The starting rule set (DOMAIN: "What counts as a finding"), loaded by a migration.

Administrators change severity, thresholds and wording in the portal afterwards; the
codes are stable and the evaluation refers to them.
"""

RULES = [
    {
        "code": "BLOCKED_AGENCY_GRANT",
        "title": "Data shared with a blocklisted agency",
        "severity": "critical",
        "citation": "625 ILCS 5/2-130(b)(2); 5 ILCS 805/15 (Illinois TRUST Act)",
        "explanation": "The municipality shares its ALPR data with an agency on the state "
        "blocklist, such as a federal immigration component. Section 2-130(b)(2) forbids "
        "giving access for enforcing laws that allow detention or investigation based on "
        "immigration status, and the TRUST Act forbids letting immigration agents use "
        "non-public agency databases. Revoke the grant in the vendor platform.",
        "settings": {},
    },
    {
        "code": "OUT_OF_STATE_NO_DECLARATION",
        "title": "Out-of-state partner without a written declaration",
        "severity": "high",
        "citation": "625 ILCS 5/2-130(c)",
        "explanation": "Data is shared with an agency outside Illinois, but no written "
        "declaration that it will not use the data against 2-130(b) is on file, or the "
        "one on file has expired. Section 2-130(c) requires the declaration before "
        "sharing. Obtain one and record it in the declarations register, or revoke.",
        "settings": {"max_age_days": 730},
    },
    {
        "code": "FEDERAL_GRANT_REVIEW",
        "title": "Data shared with a federal agency: review",
        "severity": "medium",
        "citation": "625 ILCS 5/2-130(b); Secretary of State policy on federal access",
        "explanation": "The municipality shares data with a federal agency that is not on "
        "the blocklist. Federal agencies are not named in 2-130, but their access must be "
        "reviewed to rule out uses that 2-130(b) forbids.",
        "settings": {},
    },
    {
        "code": "BROAD_SHARING_MODE",
        "title": "Statewide, national or 'similar laws' sharing",
        "severity": "high",
        "citation": "625 ILCS 5/2-130(c)",
        "explanation": "The municipality shares with a whole pool of agencies (statewide, "
        "national, or agencies with 'similar laws') rather than partner by partner. Such "
        "modes bypass the per-partner declarations 2-130(c) requires.",
        "settings": {},
    },
    {
        "code": "PRIVATE_ENTITY_GRANT",
        "title": "Data shared with a private entity",
        "severity": "medium",
        "citation": "625 ILCS 5/2-130(a), (d)",
        "explanation": "A private company or association is among the partners. ALPR data is "
        "confidential (2-130(d)); a private entity counts as a law enforcement agency only "
        "if it is charged with enforcing laws or holding detained persons (2-130(a)). "
        "Review whether the sharing is lawful.",
        "settings": {},
    },
    {
        "code": "IMMIGRATION_SEARCH",
        "title": "Searches for immigration enforcement",
        "severity": "critical",
        "citation": "625 ILCS 5/2-130(b)(2); 5 ILCS 805/15 (Illinois TRUST Act)",
        "explanation": "Searches of the municipality's data give an immigration purpose, or "
        "were run by a blocklisted agency. Section 2-130(b)(2) forbids access for "
        "investigating or enforcing immigration status.",
        "settings": {},
    },
    {
        "code": "HEALTH_CARE_SEARCH",
        "title": "Searches about reproductive or other lawful health care",
        "severity": "critical",
        "citation": "625 ILCS 5/2-130(b)(1)",
        "explanation": "Searches give a purpose tied to reproductive or gender-affirming "
        "health care. Section 2-130(b)(1) forbids access for investigating or enforcing "
        "laws that deny or interfere with lawful health care.",
        "settings": {},
    },
    {
        "code": "SEARCH_WITHOUT_GRANT",
        "title": "Searches by an agency with no active grant",
        "severity": "high",
        "citation": "625 ILCS 5/2-130(b), (c)",
        "explanation": "An agency searched the municipality's data although no grant to it "
        "was active at the time, nor a statewide or national grant covering it: access the "
        "municipality never gave, or gave without the declaration 2-130(c) requires.",
        "settings": {},
    },
    {
        "code": "BULK_ACCEPTANCE",
        "title": "Many sharing requests accepted at once",
        "severity": "high",
        "citation": "625 ILCS 5/2-130(c)",
        "explanation": "One person accepted many sharing requests within minutes, as in the "
        "2024 incident where more than 200 requests were accepted at once, ICE among them. "
        "Requests accepted in bulk cannot each have been checked for a declaration.",
        "settings": {"min_grants": 25, "window_minutes": 10},
    },
    {
        "code": "VAGUE_REASON",
        "title": "Searches with vague or empty reasons",
        "severity": "low",
        "citation": "625 ILCS 5/2-130(b) (purpose needed to rule out prohibited uses)",
        "explanation": "Searches give no real purpose ('.', 'inv', 'test', a bare case "
        "number). Without a stated purpose nobody can tell that a search was not for a "
        "use 2-130(b) forbids. Ask the agency to state purposes.",
        "settings": {"min_searches": 1},
    },
    {
        "code": "SENSITIVE_DATA_IN_REASON",
        "title": "Personal data typed into search reasons",
        "severity": "low",
        "citation": "625 ILCS 5/2-130(d)",
        "explanation": "Search reasons hold dates of birth, Social Security or driver's "
        "licence numbers. ALPR data and its logs are confidential (2-130(d)); reasons "
        "should not spread personal data.",
        "settings": {},
    },
]
