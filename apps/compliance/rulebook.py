"""The starting rule packs, one per state, loaded by migrations: Illinois' rule set
(DOMAIN: "What counts as a finding"), California's and Virginia's.

Administrators change severity, thresholds and wording in the portal afterwards; the
codes are stable and the evaluation refers to them (`apps.audits.evaluation`: each code
is one condition, which any pack may use with its own severity and citation).
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
        "code": "IMMIGRATION_PARTNER_GRANT",
        "title": "Data shared with an ICE 287(g) partner agency",
        "severity": "high",
        "citation": "625 ILCS 5/2-130(b)(2); 5 ILCS 805/15 (Illinois TRUST Act)",
        "explanation": "The municipality shares its ALPR data with an agency that holds an "
        "agreement with ICE under section 287(g) of the Immigration and Nationality Act "
        "(ICE's published list of partners: jail enforcement, task force or warrant service "
        "officer), in force now or when the sharing ended. Such an agency enforces "
        "immigration law on ICE's behalf: section 2-130(b)(2) forbids giving access for that "
        "purpose, and the TRUST Act forbids helping civil immigration enforcement. Revoke the "
        "grant in the vendor platform, or record in the finding why the sharing is lawful.",
        "settings": {},
    },
    {
        "code": "IMMIGRATION_PARTNER_SEARCH",
        "title": "Searches by an ICE 287(g) partner agency",
        "severity": "critical",
        "citation": "625 ILCS 5/2-130(b)(2); 5 ILCS 805/15 (Illinois TRUST Act)",
        "explanation": "An agency that held a 287(g) agreement with ICE on the day it "
        "searched the municipality's data. Searches whose reason is labelled immigration "
        "make one finding at this rule's severity; its other searches make a second one, "
        "for review (medium, as federal sharing is reviewed), since a 287(g) partner's "
        "stated purpose cannot rule out a use 2-130(b)(2) forbids.",
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
        "code": "IMMIGRATION_REASON_REVIEW",
        "title": "Searches whose reason reads like immigration enforcement: review",
        "severity": "review",
        "citation": "625 ILCS 5/2-130(b)(2); 5 ILCS 805/15 (Illinois TRUST Act)",
        "explanation": "No term of the immigration list matched the reason, but the learned "
        "signal, trained on labelled reasons, reads an immigration purpose in it. The finding "
        "lists the words that drove that reading. It is for review, never critical: read the "
        "reasons, and if they do state an immigration purpose, ask the municipality about the "
        "searches (and an administrator may add the missing term, which makes them critical).",
        "settings": {},
    },
    {
        "code": "HEALTH_CARE_REASON_REVIEW",
        "title": "Searches whose reason reads like a health-care investigation: review",
        "severity": "review",
        "citation": "625 ILCS 5/2-130(b)(1)",
        "explanation": "No term of the health-care list matched the reason, but the learned "
        "signal, trained on labelled reasons, reads a purpose tied to reproductive or other "
        "lawful health care in it. The finding lists the words that drove that reading. It is "
        "for review, never critical: read the reasons, and if they do state such a purpose, ask "
        "the municipality about the searches.",
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


# California: Civil Code 1798.90.55(b) lets a public agency share ALPR information only
# with another public agency; the Attorney General (Information Bulletin 2023-DLE-06)
# reads "public agency" as a California one, so neither federal nor out-of-state agencies.
# No exception for a declaration, unlike 2-130(c). Severity high for all three: each is a
# transfer the statute forbids outright (not a case for review), yet a grant alone does
# not show a prohibited use, which the portal keeps "critical" for (immigration and
# health-care searches, blocked agencies).
CA_CITATION = "Cal. Civ. Code 1798.90.55(b)"
CA_RULES = [
    {
        "code": "FEDERAL_GRANT",
        "title": "Data shared with a federal agency",
        "severity": "high",
        "citation": f"{CA_CITATION}; Attorney General Bulletin 2023-DLE-06",
        "explanation": "The municipality shares its ALPR data with a federal agency. Section "
        "1798.90.55(b) allows sharing only with public agencies, which the Attorney General "
        "reads as California agencies: federal agencies are excluded. Revoke the grant in "
        "the vendor platform.",
        "settings": {},
    },
    {
        "code": "OUT_OF_STATE_GRANT",
        "title": "Data shared with an agency outside California",
        "severity": "high",
        "citation": f"{CA_CITATION}; Attorney General Bulletin 2023-DLE-06",
        "explanation": "The municipality shares its ALPR data with an agency located in "
        "another state. Section 1798.90.55(b) allows sharing only with public agencies, "
        "which the Attorney General reads as California agencies; no declaration makes "
        "out-of-state sharing lawful. Revoke the grant in the vendor platform.",
        "settings": {},
    },
    {
        "code": "PRIVATE_ENTITY_GRANT",
        "title": "Data shared with a private entity",
        "severity": "high",
        "citation": CA_CITATION,
        "explanation": "A private company or association is among the partners. Section "
        "1798.90.55(b) allows a public agency to share ALPR information only with another "
        "public agency. Revoke the grant in the vendor platform.",
        "settings": {},
    },
]

# Virginia: Code 2.2-5517 (in force 2025-07-01) lets ALPR data go only to Virginia
# law-enforcement agencies, Commonwealth's attorneys, a criminal defendant or counsel, or
# by court order: any agency outside Virginia, and any federal agency, is excluded.
VA_CITATION = "Va. Code 2.2-5517 (2025)"
VA_RULES = [
    {
        "code": "OUT_OF_STATE_GRANT",
        "title": "Data shared with an agency outside Virginia",
        "severity": "high",
        "citation": VA_CITATION,
        "explanation": "The municipality shares its ALPR data with an agency located in "
        "another state. Section 2.2-5517 allows sharing only with Virginia law-enforcement "
        "agencies, Commonwealth's attorneys, defendants, or by court order. Revoke the "
        "grant in the vendor platform, or keep the court order on file.",
        "settings": {},
    },
    {
        "code": "FEDERAL_GRANT",
        "title": "Data shared with a federal agency",
        "severity": "high",
        "citation": VA_CITATION,
        "explanation": "The municipality shares its ALPR data with a federal agency. Section "
        "2.2-5517 allows sharing only with Virginia law-enforcement agencies, "
        "Commonwealth's attorneys, defendants, or by court order. Revoke the grant in the "
        "vendor platform, or keep the court order on file.",
        "settings": {},
    },
]

PACKS = [
    {
        "state": "IL",
        "name": "Illinois",
        "basis": "625 ILCS 5/2-130 (Public Act 103-0540, in force 2024-01-01): no sharing of "
        "ALPR data for investigating or enforcing laws that deny lawful health care "
        "((b)(1)) or that allow detention or investigation based on immigration status "
        "((b)(2)); no sharing with an out-of-state law enforcement agency without its "
        "written declaration ((c)); ALPR data is confidential ((d)). With the Illinois "
        "TRUST Act (5 ILCS 805) and the Secretary of State's policy on federal access.",
        "rules": RULES,
    },
    {
        "state": "CA",
        "name": "California",
        "basis": "Cal. Civ. Code 1798.90.55(b): a public agency shall not sell, share or "
        "transfer ALPR information except to another public agency, and only as otherwise "
        "permitted by law. The Attorney General (Information Bulletin 2023-DLE-06) reads "
        "this as excluding federal and out-of-state agencies.",
        "rules": CA_RULES,
    },
    {
        "state": "VA",
        "name": "Virginia",
        "basis": "Va. Code 2.2-5517 (2025): ALPR data may be shared only with Virginia "
        "law-enforcement agencies, Commonwealth's attorneys, a criminal defendant or "
        "counsel, or by court order; not with agencies of other states nor federal ones.",
        "rules": VA_RULES,
    },
]
