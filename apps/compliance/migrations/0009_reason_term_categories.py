"""Reason terms by category, with their sources, and the terms issue 16 asked for.

Sets the category and source of the terms 0004 loaded, widens the cancel words of a few
("ice" by a lake or a rink, "immigrant" as a crime victim) and adds the terms for
immigration status and law, named operations and facilities, hand-offs, other states'
health-care laws and clinic names. The data is copied here, as it stands in
``apps/compliance/default_terms.py`` on the day of this migration, so later edits there
do not change what this migration did. An administrator's edit is kept: a category is set
only where it is still the default, cancel words are only added, a note only replaced
where it is still the one 0004 wrote.

Going back deletes an added term only where it is still exactly as written here (its
note, cancel words, category and source), so a term an administrator created before this
migration or edited since stays; puts back a note only where it is still the one written
here; and resets a category and source only where they are still the ones set here. It
does remove every cancel word listed in ``WIDENED`` from those terms, including one an
administrator had written too, before or since: the table does not record who wrote a word.
"""

from django.db import migrations

# fmt: off
# Cancel words, as default_terms.py has them today.
VICTIM_WORDS = (
    'owned', 'hate', 'bias', 'victimized', 'scam', 'scams', 'scammed', 'scammer', 'scammers',
    'defrauded', 'exploited', 'exploitation', 'extorted', 'extortion', 'harassed', 'harassing',
    'harassment', 'preying', 'preyed', 'rights', 'advocate', 'advocates', 'advocacy',
    'crime against', 'crimes against', 'fraud against', 'victim ~4', 'victims ~4', 'hate crime ~6',
    'hate crimes ~6', 'bias crime ~6', 'bias motivated ~6',
)
ICE_WINTER_AND_BUSINESS_WORDS = (
    'winter', 'snow', 'sleet', 'freezing', 'frozen', 'frost', 'slick', 'slippery', 'patch',
    'patches', 'covered', 'jam', 'dam', 'thin', 'fell', 'fishing', 'fisherman', 'fishermen',
    'angler', 'anglers', 'auger', 'shanty', 'shanties', 'shack', 'pond', 'arena', 'arenas',
    'skates', 'skater', 'skaters', 'zamboni', 'plex', 'sculpture', 'sculptures', 'festival',
    'cooler', 'coolers', 'bucket', 'vending', 'maker', 'bagged', 'tea', 'vanilla', 'reddy',
    'company', 'inc', 'llc', 'corp', 'brand',
)
CIVIL_ORDER_WORDS = (
    'protection', 'protective', 'op', 'ops', 'restraining', 'custody', 'divorce', 'dissolution',
    'support', 'eviction', 'foreclosure', 'stalking', 'visitation', 'parenting', 'contact',
)
REMOVED_FROM_WORDS = (
    'premises', 'property', 'store', 'scene', 'school', 'bar', 'business', 'building', 'park',
    'event', 'stadium', 'hospital', 'residence', 'home', 'apartment', 'trespass', 'trespassed',
    'trespassing', 'banned', 'vehicle', 'car', 'plate', 'plates', 'tag', 'tags', 'registration',
    'office', 'post', 'duty', 'position', 'bus', 'train', 'flight',
)
VEHICLE_PART_WORDS = (
    'plate', 'plates', 'tag', 'tags', 'top', 'hardtop', 'roof', 'panel', 'panels', 'tint', 'seat',
    'seats', 'rack', 'bumper', 'cover', 'sticker', 'stickers', 'door', 'doors', 'hitch', 'camper',
    'shell', 'window', 'windows', 'storage', 'drive', 'media', 'device',
)
EVIDENCE_WORDS = (
    'evidence', 'statement', 'statements', 'testimony', 'hearsay', 'confession', 'motion',
    'suppress', 'suppressed',
)
CRIMINAL_PAROLE_WORDS = (
    'idoc', 'doc', 'prb', 'board', 'agent', 'officer', 'violation', 'violator', 'msr', 'mandatory',
    'supervised', 'probation', 'warrant',
)
INSPECTION_WORDS = (
    'inspection', 'inspections', 'inspector', 'code', 'housing', 'health', 'building', 'osha',
    'fire', 'zoning', 'property', 'parole', 'idoc', 'msr', 'probation',
)
FEDERAL_CRIMINAL_WORDS = (
    'fbi', 'atf', 'dea', 'usms', 'marshal', 'marshals', 'usss', 'secret service', 'usps', 'postal',
    'oig', 'irs', 'fugitive', 'jttf', 'hidta', 'safe streets', 'bank', 'robbery', 'firearm',
    'firearms', 'gun', 'guns', 'narcotics', 'drug', 'drugs', 'child', 'exploitation', 'icac',
    'terrorism', 'carjacking', 'kidnapping', 'indictment', 'indicted', 'grand jury', 'prisoner',
    'inmate', 'writ', 'bop', 'pretrial',
)
MUNICIPAL_CODE_WORDS = (
    'mcc', 'municipal', 'ordinance', 'ordinances', 'ord', 'chapter', 'ch', 'village', 'city',
)
STREET_WORDS = (
    'ave', 'avenue', 'st', 'street', 'rd', 'road', 'dr', 'drive', 'blvd', 'ln', 'lane', 'park',
    'township', 'twp',
)
PRESS_WORDS = (
    'reporter', 'reporters', 'journalist', 'journalists', 'press', 'media', 'news',
)
PROPERTY_CRIME_WORDS = (
    'burglary', 'burglarized', 'vandalism', 'vandalized', 'graffiti', 'arson', 'theft', 'robbery',
    'trespass', 'damage', 'break', 'broken',
)

# (label, phrase, match, category, source) of every term 0004 loaded.
CATEGORISED = [
    (
        'immigration',
        '^immigration ?\\((?:civil|administrative|criminal)[^)]*\\)',
        'regex',
        'dropdown',
        'Flock Safety search-reason dropdown categories (2026 exports)',
    ),
    ('immigration', 'immig', 'prefix', 'status_law', ''),
    ('immigration', 'immigration', 'fuzzy', 'status_law', ''),
    ('immigration', 'immigrant', 'fuzzy', 'status_law', ''),
    ('immigration', 'imm', 'word', 'status_law', ''),
    ('immigration', 'inmigra', 'prefix', 'status_law', ''),
    ('immigration', 'migracion', 'word', 'status_law', ''),
    ('immigration', 'migra', 'word', 'status_law', ''),
    ('immigration', 'indocumentad', 'prefix', 'status_law', ''),
    ('immigration', 'migrant', 'prefix', 'status_law', ''),
    ('immigration', 'ice', 'word', 'agency', 'U.S. Immigration and Customs Enforcement, ice.gov'),
    (
        'immigration',
        'immigration and customs enforcement',
        'fuzzy',
        'agency',
        'U.S. Immigration and Customs Enforcement, ice.gov',
    ),
    (
        'immigration',
        'ero',
        'word',
        'agency',
        'U.S. Immigration and Customs Enforcement, ice.gov (Enforcement and Removal Operations)',
    ),
    (
        'immigration',
        'enforcement and removal',
        'fuzzy',
        'agency',
        'U.S. Immigration and Customs Enforcement, ice.gov (Enforcement and Removal Operations)',
    ),
    (
        'immigration',
        'hsi',
        'word',
        'agency',
        (
            'U.S. Immigration and Customs Enforcement, ice.gov (Homeland Security '
            'Investigations); 625 ILCS 5/2-130(b)(2) as the Secretary of State applies it'
        ),
    ),
    (
        'immigration',
        'homeland security investigations',
        'fuzzy',
        'agency',
        'U.S. Immigration and Customs Enforcement, ice.gov (Homeland Security Investigations)',
    ),
    (
        'immigration',
        'homeland sec',
        'prefix',
        'agency',
        'U.S. Department of Homeland Security, dhs.gov',
    ),
    (
        'immigration',
        'homeland security',
        'fuzzy',
        'agency',
        'U.S. Department of Homeland Security, dhs.gov',
    ),
    (
        'immigration',
        'dhs',
        'word',
        'agency',
        (
            'U.S. Department of Homeland Security, dhs.gov; 625 ILCS 5/2-130(b)(2) as the '
            'Secretary of State applies it'
        ),
    ),
    ('immigration', 'cbp', 'word', 'agency', 'U.S. Customs and Border Protection, cbp.gov'),
    (
        'immigration',
        'customs and border',
        'fuzzy',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov',
    ),
    (
        'immigration',
        'border protection',
        'fuzzy',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov',
    ),
    (
        'immigration',
        'ofo',
        'word',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)',
    ),
    (
        'immigration',
        'port of entry',
        'prefix',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)',
    ),
    (
        'immigration',
        'ports of entry',
        'word',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)',
    ),
    (
        'immigration',
        'port runner',
        'prefix',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (Office of Field Operations)',
    ),
    (
        'immigration',
        'usbp',
        'word',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)',
    ),
    (
        'immigration',
        'border patrol',
        'fuzzy',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)',
    ),
    (
        'immigration',
        '\\bbp (?:agents?|sector|sectors)\\b',
        'regex',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)',
    ),
    (
        'immigration',
        'bortac',
        'word',
        'agency',
        'U.S. Customs and Border Protection, cbp.gov (U.S. Border Patrol)',
    ),
    (
        'immigration',
        'uscis',
        'word',
        'agency',
        'U.S. Citizenship and Immigration Services, uscis.gov',
    ),
    (
        'immigration',
        'fdns',
        'word',
        'agency',
        (
            'U.S. Citizenship and Immigration Services, uscis.gov (Fraud Detection and National '
            'Security)'
        ),
    ),
    (
        'immigration',
        'eoir',
        'word',
        'agency',
        'Executive Office for Immigration Review, justice.gov/eoir',
    ),
    (
        'immigration',
        'sevis',
        'word',
        'agency',
        'U.S. Immigration and Customs Enforcement, ice.gov (Student and Exchange Visitor Program)',
    ),
    ('immigration', 'e verify', 'word', 'status_law', 'E-Verify (DHS/USCIS), e-verify.gov'),
    (
        'immigration',
        'secure communities',
        'word',
        'status_law',
        'U.S. Immigration and Customs Enforcement, ice.gov (Secure Communities)',
    ),
    (
        'immigration',
        '\\b287 ?\\(? ?g\\b\\)?',
        'regex',
        'status_law',
        'INA 287(g), 8 U.S.C. 1357(g)',
    ),
    (
        'immigration',
        '\\bi ?- ?(?:247[adnx]?|200|203|205|213|216|220[ab]?|286|851|862)\\b',
        'regex',
        'status_law',
        (
            'DHS forms: I-200 (warrant for arrest), I-205 (warrant of removal), I-213, '
            'I-247A/D/N/X (detainers), I-862 (notice to appear)'
        ),
    ),
    (
        'immigration',
        '\\b8 ?u ?s ?c\\W{0,3}(?:sec\\w*\\W{0,2})?\\d{3,4}',
        'regex',
        'status_law',
        '8 U.S.C. (Title 8, Aliens and Nationality)',
    ),
    ('immigration', 'deport', 'prefix', 'status_law', '8 U.S.C. 1229a (removal proceedings)'),
    ('immigration', 'deportation', 'fuzzy', 'status_law', '8 U.S.C. 1229a (removal proceedings)'),
    (
        'immigration',
        (
            '\\b(?:removal|deportation)\\W+(?:orders?|proceedings?|case|hearing|warrant)\\b|\\bo'
            'rders?\\W+of\\W+(?:removal|deportation)\\b|\\bwarrant\\W+of\\W+removal\\b'
        ),
        'regex',
        'status_law',
        '8 U.S.C. 1229a (removal proceedings), 1231 (removal orders)',
    ),
    ('immigration', 'notice to appear', 'word', 'status_law', '8 U.S.C. 1229(a); DHS Form I-862'),
    (
        'immigration',
        '\\billegal(?:ly)?\\W+(?:re ?-? ?entry|re ?-? ?entered|entry|crossing)\\b',
        'regex',
        'status_law',
        '8 U.S.C. 1325 (improper entry), 1326 (reentry of removed aliens)',
    ),
    ('immigration', 'improper entry', 'word', 'status_law', '8 U.S.C. 1325'),
    (
        'immigration',
        '\\bre ?-? ?entered\\b.{0,20}\\b(?:after|following)\\W+(?:removal|deport)',
        'regex',
        'status_law',
        '8 U.S.C. 1326',
    ),
    ('immigration', 'alien', 'word', 'status_law', '8 U.S.C. 1101(a)(3)'),
    ('immigration', 'aliens', 'word', 'status_law', '8 U.S.C. 1101(a)(3)'),
    ('immigration', 'illegals', 'word', 'status_law', ''),
    ('immigration', 'undocumented', 'fuzzy', 'status_law', ''),
    ('immigration', 'undoc', 'word', 'status_law', ''),
    (
        'immigration',
        '\\bunlawful(?:ly)?\\W+presen\\w*|\\bout\\W+of\\W+status\\b',
        'regex',
        'status_law',
        '8 U.S.C. 1182(a)(9)(B) (unlawful presence)',
    ),
    ('immigration', 'visa', 'word', 'status_law', '8 U.S.C. 1101(a)(15) (nonimmigrant visas)'),
    ('immigration', 'visas', 'word', 'status_law', '8 U.S.C. 1101(a)(15) (nonimmigrant visas)'),
    (
        'immigration',
        'overstay',
        'prefix',
        'status_law',
        '8 U.S.C. 1182(a)(9)(B); DHS Entry/Exit Overstay Report',
    ),
    ('immigration', 'asylum', 'word', 'status_law', '8 U.S.C. 1158'),
    ('immigration', 'green card', 'prefix', 'status_law', '8 U.S.C. 1101(a)(20); DHS Form I-551'),
    ('immigration', 'naturalization', 'word', 'status_law', '8 U.S.C. 1421 et seq.'),
    (
        'immigration',
        '\\b(?:human|people|migrant)\\W+smuggl\\w*',
        'regex',
        'status_law',
        '8 U.S.C. 1324',
    ),
    (
        'health_care',
        '^reproductive health ?\\(investigation\\)',
        'regex',
        'dropdown',
        'Flock Safety search-reason dropdown categories (2026 exports)',
    ),
    ('health_care', 'abortion', 'prefix', 'health_care', ''),
    ('health_care', 'abortion', 'fuzzy', 'health_care', ''),
    ('health_care', 'abortifac', 'prefix', 'health_care', ''),
    ('health_care', 'mifepristone', 'fuzzy', 'health_care', 'FDA label: Mifeprex (mifepristone)'),
    ('health_care', 'mifeprist', 'prefix', 'health_care', 'FDA label: Mifeprex (mifepristone)'),
    ('health_care', 'mifeprex', 'word', 'health_care', 'FDA label: Mifeprex (mifepristone)'),
    (
        'health_care',
        'misoprostol',
        'fuzzy',
        'health_care',
        'FDA label: Cytotec (misoprostol); WHO Abortion care guideline (2022)',
    ),
    ('health_care', 'cytotec', 'word', 'health_care', 'FDA label: Cytotec (misoprostol)'),
    (
        'health_care',
        (
            '\\b(?:terminat\\w*|end(?:ed|ing|s)?|lost|loss)\\W+(?:\\w+\\W+)?(?:of\\W+)?(?:a\\W+|'
            'her\\W+)?pregnan\\w*|\\bpregnan\\w*\\W+(?:terminat\\w*|end(?:ed|ing)?|loss)'
        ),
        'regex',
        'health_care',
        '',
    ),
    (
        'health_care',
        (
            '\\bpregnan\\w*\\b(?:\\W+\\w+){0,4}?\\W+(?:travel\\w*|procedure|out\\W+of\\W+state|w'
            'ent\\W+to\\W+(?:a\\W+)?clinic)'
        ),
        'regex',
        'health_care',
        '',
    ),
    ('health_care', 'miscarriage', 'fuzzy', 'health_care', ''),
    ('health_care', 'stillbirth', 'fuzzy', 'health_care', ''),
    ('health_care', 'still birth', 'word', 'health_care', ''),
    (
        'health_care',
        '\\bfetal\\W+(?:death|demise|remains|tissue)\\b|\\bfetus(?:es)?\\b',
        'regex',
        'health_care',
        '',
    ),
    ('health_care', 'reproducti', 'prefix', 'health_care', ''),
    ('health_care', 'reproductive', 'fuzzy', 'health_care', ''),
    ('health_care', 'repro', 'word', 'health_care', ''),
    (
        'health_care',
        'planned parenthood',
        'fuzzy',
        'clinic',
        'Planned Parenthood Federation of America, plannedparenthood.org',
    ),
    ('health_care', 'contracepti', 'prefix', 'health_care', ''),
    ('health_care', 'ivf', 'word', 'health_care', ''),
    ('health_care', 'in vitro', 'word', 'health_care', ''),
    ('health_care', 'fertility clinic', 'prefix', 'health_care', ''),
    (
        'health_care',
        (
            '\\bgender\\W+(?:affirm\\w*|confirm\\w*|clinic\\w*|transition\\w*|care|dysphori\\w*|'
            'reassign\\w*|surger(?:y|ies)|treatment|therapy|identity\\W+clinic)'
        ),
        'regex',
        'health_care',
        '',
    ),
    ('health_care', 'gac', 'word', 'health_care', ''),
    (
        'health_care',
        (
            '\\btrans(?:gender)?\\b(?:\\W+\\w+)?\\W+(?:care|treatment|hormones?|surger(?:y|ies)|'
            'clinic|medical|medication|transition\\w*|therapy|youth|minors?|juv\\w*|kids?|child('
            '?:ren)?)'
        ),
        'regex',
        'health_care',
        '',
    ),
    (
        'health_care',
        (
            '\\b(?:puberty|cross\\W?sex)\\W+(?:hormones?|blockers?)\\b|\\bhormones?\\W+(?:therap'
            'y|treatment|replacement|blockers?)\\b|\\bhormones?\\W+(?:\\w+\\W+)?(?:minors?|juv\\'
            'w*|youth|child(?:ren)?|kids?)\\b'
        ),
        'regex',
        'health_care',
        '',
    ),
    (
        'health_care',
        '\\bsex\\W+(?:change|reassignment)\\b|\\b(?:top|bottom)\\W+surger(?:y|ies)\\b',
        'regex',
        'health_care',
        '',
    ),
    (
        'sensitive_data',
        (
            '\\b(?:dob|date\\W+of\\W+birth|birth\\W?date|birthday|born(?:\\W+on)?)\\W{0,4}(?:\\d'
            '{1,2}[/.\\- ]\\d{1,2}[/.\\- ]\\d{2,4}|\\d{4}[/.\\-]\\d{1,2}[/.\\-]\\d{1,2}|\\d{8})'
        ),
        'regex',
        'personal_data',
        '',
    ),
    (
        'sensitive_data',
        (
            '\\b(?:dob|date\\W+of\\W+birth|birth\\W?date|birthday|born(?:\\W+on)?)\\W{0,4}(?:\\d'
            '{1,2}[\\- ]?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?[\\- '
            ',]*\\d{2,4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.? '
            '\\d{1,2},? \\d{2,4})'
        ),
        'regex',
        'personal_data',
        '',
    ),
    (
        'sensitive_data',
        (
            '\\b(?:ssn|ss|soc(?:ial)?(?:\\W+sec(?:urity)?)?)\\W{0,3}(?:(?:no|num|number)\\b\\W{0'
            ',3})?\\d{3}[\\- ]?\\d{2}[\\- ]?\\d{4}\\b'
        ),
        'regex',
        'personal_data',
        '815 ILCS 530/5 (Illinois Personal Information Protection Act)',
    ),
    (
        'sensitive_data',
        '(?<![\\d\\-])\\d{3}-\\d{2}-\\d{4}(?![\\d\\-])',
        'regex',
        'personal_data',
        '815 ILCS 530/5 (Illinois Personal Information Protection Act)',
    ),
    (
        'sensitive_data',
        (
            '\\b(?:dl|dln|oln|odl|cdl|drivers?\\W*lic\\w*|operators?\\W*lic\\w*)\\b\\W{0,3}(?:(?'
            ':no|num|number)\\b\\W{0,3})?(?:[a-z]{2}\\W+)?(?:dl\\W+)?[a-z]{0,2}[\\- '
            ']?\\d(?:[\\- ]?\\d){5,}'
        ),
        'regex',
        'personal_data',
        '815 ILCS 530/5 (Illinois Personal Information Protection Act)',
    ),
    ('vague', 'inv', 'word', 'generic', ''),
    ('vague', 'invest', 'word', 'generic', ''),
    ('vague', 'invst', 'prefix', 'generic', ''),
    ('vague', 'investigat', 'prefix', 'generic', ''),
    ('vague', 'investigation', 'fuzzy', 'generic', ''),
    ('vague', 'criminal', 'word', 'generic', ''),
    ('vague', 'justice', 'word', 'generic', ''),
    ('vague', 'purpose', 'prefix', 'generic', ''),
    ('vague', 'law enforcement', 'word', 'generic', ''),
    ('vague', 'le', 'word', 'generic', ''),
    ('vague', 'official', 'word', 'generic', ''),
    ('vague', 'business', 'word', 'generic', ''),
    ('vague', 'use', 'word', 'generic', ''),
    ('vague', 'police', 'word', 'generic', ''),
    ('vague', 'work', 'word', 'generic', ''),
    ('vague', 'general', 'word', 'generic', ''),
    ('vague', 'misc', 'word', 'generic', ''),
    ('vague', 'miscellaneous', 'word', 'generic', ''),
    ('vague', 'other', 'word', 'generic', ''),
    ('vague', 'ongoing', 'word', 'generic', ''),
    ('vague', 'active', 'word', 'generic', ''),
    ('vague', 'open', 'word', 'generic', ''),
    ('vague', 'test', 'word', 'generic', ''),
    ('vague', 'tests', 'word', 'generic', ''),
    ('vague', 'testing', 'word', 'generic', ''),
    ('vague', 'tst', 'word', 'generic', ''),
    ('vague', 'training', 'word', 'generic', ''),
    ('vague', 'demo', 'word', 'generic', ''),
    ('vague', 'na', 'word', 'generic', ''),
    ('vague', 'none', 'word', 'generic', ''),
    ('vague', 'null', 'word', 'generic', ''),
    ('vague', 'unknown', 'word', 'generic', ''),
    ('vague', 'unk', 'word', 'generic', ''),
    ('vague', 'tbd', 'word', 'generic', ''),
    ('vague', 'pending', 'word', 'generic', ''),
    ('vague', 'reason', 'word', 'generic', ''),
    ('vague', 'case', 'word', 'generic', ''),
    ('vague', 'cases', 'word', 'generic', ''),
    ('vague', 'report', 'word', 'generic', ''),
    ('vague', 'rpt', 'word', 'generic', ''),
    ('vague', 'incident', 'word', 'generic', ''),
    ('vague', 'rd', 'word', 'generic', ''),
    ('vague', 'ir', 'word', 'generic', ''),
    ('vague', 'cr', 'word', 'generic', ''),
    ('vague', 'cad', 'word', 'generic', ''),
    ('vague', 'number', 'word', 'generic', ''),
    ('vague', 'num', 'word', 'generic', ''),
    ('vague', 'see', 'word', 'generic', ''),
    ('vague', 'follow up', 'word', 'generic', ''),
    ('vague', 'followup', 'word', 'generic', ''),
    ('vague', 'info', 'word', 'generic', ''),
    ('vague', 'information', 'word', 'generic', ''),
    ('vague', 'intel', 'word', 'generic', ''),
    ('vague', 'intelligence', 'word', 'generic', ''),
    ('vague', 'only', 'word', 'generic', ''),
    ('vague', 'request', 'word', 'generic', ''),
    ('vague', 'req', 'word', 'generic', ''),
    ('vague', 'sgt', 'word', 'generic', ''),
    ('vague', 'sergeant', 'word', 'generic', ''),
    ('vague', 'lt', 'word', 'generic', ''),
    ('vague', 'lieutenant', 'word', 'generic', ''),
    ('vague', 'chief', 'word', 'generic', ''),
    ('vague', 'supervisor', 'word', 'generic', ''),
    ('vague', 'suspect', 'word', 'generic', ''),
    ('vague', 'susp', 'word', 'generic', ''),
    ('vague', 'suspicious', 'word', 'generic', ''),
    ('vague', 'subject', 'word', 'generic', ''),
    ('vague', 'subj', 'word', 'generic', ''),
    ('vague', 'veh', 'word', 'generic', ''),
    ('vague', 'vehicle', 'word', 'generic', ''),
    ('vague', 'plate', 'word', 'generic', ''),
    ('vague', 'check', 'word', 'generic', ''),
    ('vague', 'lookup', 'word', 'generic', ''),
    ('vague', 'search', 'prefix', 'generic', ''),
    ('vague', 'query', 'word', 'generic', ''),
    ('vague', 'flock', 'word', 'generic', ''),
    ('vague', 'alpr', 'word', 'generic', ''),
    ('vague', 'lpr', 'word', 'generic', ''),
    ('vague', 'patrol', 'word', 'generic', ''),
    ('vague', 'lead', 'word', 'generic', ''),
    ('vague', '\\b(?:x+|z+|asdf\\w*|qwer\\w*|jkl\\w*)\\b', 'regex', 'generic', ''),
]
# (label, phrase, match, cancel words added, note before, note after) of the terms
# of 0004 whose cancel words or note change.
WIDENED = [
    (
        'immigration',
        'immig',
        'prefix',
        VICTIM_WORDS,
        "immigration, immigrant, immig. (not 'immigration attorney': a business)",
        (
            "immigration, immigrant, immig. (not 'immigration attorney': a business; not an "
            'immigrant as a crime victim)'
        ),
    ),
    (
        'immigration',
        'immigration',
        'fuzzy',
        VICTIM_WORDS,
        'immigration, tolerating typos (immigraton, imigration)',
        'immigration, tolerating typos (immigraton, imigration)',
    ),
    (
        'immigration',
        'immigrant',
        'fuzzy',
        VICTIM_WORDS,
        'immigrant, tolerating typos',
        'immigrant, tolerating typos (not an immigrant as a crime victim)',
    ),
    (
        'immigration',
        'inmigra',
        'prefix',
        VICTIM_WORDS,
        'Spanish: inmigración, inmigrante',
        'Spanish: inmigración, inmigrante',
    ),
    (
        'immigration',
        'indocumentad',
        'prefix',
        VICTIM_WORDS,
        'Spanish: indocumentado(s)',
        'Spanish: indocumentado(s)',
    ),
    (
        'immigration',
        'migrant',
        'prefix',
        VICTIM_WORDS,
        'migrant(s)',
        'migrant(s) (not a migrant worker as a crime victim)',
    ),
    (
        'immigration',
        'ice',
        'word',
        ICE_WINTER_AND_BUSINESS_WORDS,
        (
            "ICE, U.S. Immigration and Customs Enforcement (not 'ice' the drug, the weather, "
            'ice cream or a nickname)'
        ),
        (
            "ICE, U.S. Immigration and Customs Enforcement (not 'ice' the drug, the weather, "
            'ice cream, a rink or a lake, a company selling ice, or a nickname)'
        ),
    ),
    (
        'immigration',
        'undocumented',
        'fuzzy',
        VICTIM_WORDS,
        'undocumented, tolerating typos',
        'undocumented, tolerating typos (not an undocumented worker as a crime victim)',
    ),
    (
        'immigration',
        'undoc',
        'word',
        VICTIM_WORDS,
        'abbreviation of undocumented',
        'abbreviation of undocumented',
    ),
]
# (label, phrase, match, unless_near, note, category, source) of the terms added.
ADDED = [
    (
        'immigration',
        'entered without inspect',
        'prefix',
        (),
        'entered without inspection (EWI): entry not through a port of entry',
        'status_law',
        '8 U.S.C. 1182(a)(6)(A)(i); 8 U.S.C. 1325(a)',
    ),
    (
        'immigration',
        'entry without inspect',
        'prefix',
        (),
        'entry without inspection (EWI)',
        'status_law',
        '8 U.S.C. 1182(a)(6)(A)(i); 8 U.S.C. 1325(a)',
    ),
    (
        'immigration',
        'entering without inspect',
        'prefix',
        (),
        'entering without inspection (EWI)',
        'status_law',
        '8 U.S.C. 1182(a)(6)(A)(i); 8 U.S.C. 1325(a)',
    ),
    (
        'immigration',
        'ewi',
        'word',
        (),
        'entered without inspection',
        'status_law',
        '8 U.S.C. 1182(a)(6)(A)(i)',
    ),
    (
        'immigration',
        'final order',
        'word',
        CIVIL_ORDER_WORDS,
        'final order of removal (not a final order of protection or of custody)',
        'status_law',
        '8 U.S.C. 1101(a)(47)(B); 8 U.S.C. 1231',
    ),
    (
        'immigration',
        'reinstated order',
        'word',
        CIVIL_ORDER_WORDS,
        'reinstatement of a prior removal order (not a reinstated order of protection)',
        'status_law',
        '8 U.S.C. 1231(a)(5); 8 CFR 241.8',
    ),
    (
        'immigration',
        'reinstatement of removal',
        'word',
        (),
        'reinstatement of a prior removal order',
        'status_law',
        '8 U.S.C. 1231(a)(5); 8 CFR 241.8',
    ),
    (
        'immigration',
        'reinstated removal',
        'word',
        (),
        'reinstatement of a prior removal order',
        'status_law',
        '8 U.S.C. 1231(a)(5)',
    ),
    (
        'immigration',
        'expedited removal',
        'word',
        (),
        'removal without a hearing',
        'status_law',
        '8 U.S.C. 1225(b)(1)',
    ),
    (
        'immigration',
        'ordered removed',
        'word',
        (),
        "an immigration judge's removal order",
        'status_law',
        '8 U.S.C. 1229a(c)(5)',
    ),
    (
        'immigration',
        'previously removed',
        'word',
        REMOVED_FROM_WORDS,
        'removed from the United States before (not from a store, a scene or a car)',
        'status_law',
        '8 U.S.C. 1326 (reentry of removed aliens)',
    ),
    (
        'immigration',
        'prior removal',
        'word',
        REMOVED_FROM_WORDS,
        'a prior removal from the United States',
        'status_law',
        '8 U.S.C. 1326; 8 U.S.C. 1231(a)(5)',
    ),
    (
        'immigration',
        'unlawful reentry',
        'word',
        (),
        'reentry after removal',
        'status_law',
        '8 U.S.C. 1326',
    ),
    (
        'immigration',
        'unlawful re entry',
        'word',
        (),
        're-entry after removal',
        'status_law',
        '8 U.S.C. 1326',
    ),
    (
        'immigration',
        'reentry after removal',
        'word',
        (),
        'reentry after removal',
        'status_law',
        '8 U.S.C. 1326',
    ),
    (
        'immigration',
        're entry after removal',
        'word',
        (),
        're-entry after removal',
        'status_law',
        '8 U.S.C. 1326',
    ),
    (
        'immigration',
        'title 8',
        'word',
        MUNICIPAL_CODE_WORDS,
        "Title 8 of the U.S. Code, Aliens and Nationality (not a municipal code's title 8)",
        'status_law',
        '8 U.S.C. (Title 8, Aliens and Nationality)',
    ),
    (
        'immigration',
        (
            '\\bina\\W{0,3}(?:sec\\w*\\W{0,2})?(?:2(?:12|16|17|35|36|37|38|40|41|43|48)|27[3-6]|'
            '287)\\b'
        ),
        'regex',
        (),
        'a section of the Immigration and Nationality Act (INA 212, 237, 241, 287...)',
        'status_law',
        'Immigration and Nationality Act of 1952, as amended (8 U.S.C. 1101 et seq.)',
    ),
    (
        'immigration',
        (
            '\\btps\\W+(?:\\w+\\W+)?(?:terminat|expir|ended|ending|revok|revoc|laps|holder|statu'
            's|recipient|beneficiar|denied)\\w*|\\b(?:terminat|expir|ended|revok|laps|lost)\\w*'
            '\\W+(?:\\w+\\W+)?tps\\b'
        ),
        'regex',
        (),
        "Temporary Protected Status ended or held (not 'TPS' alone: schools, reports)",
        'status_law',
        '8 U.S.C. 1254a (Temporary Protected Status)',
    ),
    (
        'immigration',
        'temporary protected status',
        'word',
        (),
        'TPS',
        'status_law',
        '8 U.S.C. 1254a',
    ),
    (
        'immigration',
        'humanitarian parole',
        'word',
        (),
        'immigration parole into the United States',
        'status_law',
        '8 U.S.C. 1182(d)(5)(A)',
    ),
    (
        'immigration',
        'advance parole',
        'word',
        (),
        'immigration travel permission (Form I-131)',
        'status_law',
        '8 CFR 212.5(f); USCIS Form I-131',
    ),
    (
        'immigration',
        'parole in place',
        'word',
        (),
        'immigration parole of a person already in the country',
        'status_law',
        '8 U.S.C. 1182(d)(5)(A)',
    ),
    (
        'immigration',
        'chnv',
        'word',
        (),
        'the Cuba, Haiti, Nicaragua, Venezuela parole programme (ended 2025)',
        'status_law',
        'DHS, CHNV parole processes (Federal Register notices 2023; terminated 2025)',
    ),
    (
        'immigration',
        'parole terminated',
        'word',
        CRIMINAL_PAROLE_WORDS,
        'immigration parole ended (not criminal parole: IDOC, the Prisoner Review Board)',
        'status_law',
        '8 CFR 212.5(e) (termination of parole)',
    ),
    (
        'immigration',
        'parole termination',
        'word',
        CRIMINAL_PAROLE_WORDS,
        'immigration parole ended (not criminal parole)',
        'status_law',
        '8 CFR 212.5(e)',
    ),
    (
        'immigration',
        'daca',
        'word',
        (),
        'Deferred Action for Childhood Arrivals',
        'status_law',
        'DHS memorandum of 15 June 2012 (DACA); 8 CFR 236.21-236.25',
    ),
    (
        'immigration',
        'deferred action',
        'word',
        (),
        'immigration deferred action (DACA and others)',
        'status_law',
        '8 CFR 274a.12(c)(14)',
    ),
    (
        'immigration',
        (
            '\\ba(?:\\W{0,2}(?:#|no\\b|num(?:ber)?\\b))?\\W{0,2}\\d{3}[ -]?\\d{3}[ '
            '-]?\\d{2,3}\\b|\\ba-numbers?\\b|\\ba#'
        ),
        'regex',
        (),
        'an A-number (alien registration number): A followed by 8 or 9 digits',
        'status_law',
        '8 CFR 1.2 (alien registration number); DHS Form I-213',
    ),
    (
        'immigration',
        'removable',
        'word',
        VEHICLE_PART_WORDS,
        'removable from the United States (not a removable plate or roof)',
        'status_law',
        '8 U.S.C. 1229a(e)(2)',
    ),
    (
        'immigration',
        'removability',
        'word',
        (),
        'removability from the United States',
        'status_law',
        '8 U.S.C. 1229a(c)(3)',
    ),
    (
        'immigration',
        'inadmissible',
        'word',
        EVIDENCE_WORDS,
        'inadmissible to the United States (not inadmissible evidence)',
        'status_law',
        '8 U.S.C. 1182(a)',
    ),
    (
        'immigration',
        'inadmissibility',
        'word',
        EVIDENCE_WORDS,
        'inadmissibility to the United States',
        'status_law',
        '8 U.S.C. 1182(a)',
    ),
    (
        'immigration',
        (
            '\\b(?:no|without|lacks?|lacking|lost|loss\\W+of)\\W+(?:lawful|legal|valid)\\W+(?:im'
            'migration\\W+)?(?:status|presence)\\b|\\billegal\\W+status\\b'
        ),
        'regex',
        (),
        'no lawful immigration status',
        'status_law',
        '8 U.S.C. 1182(a)(9)(B)(ii) (unlawful presence)',
    ),
    (
        'immigration',
        'noncitizen',
        'word',
        VICTIM_WORDS,
        'noncitizen status (not a noncitizen as a crime victim)',
        'status_law',
        '8 U.S.C. 1101(a)(3)',
    ),
    (
        'immigration',
        'non citizen',
        'word',
        VICTIM_WORDS,
        'non-citizen status (not a non-citizen as a crime victim)',
        'status_law',
        '8 U.S.C. 1101(a)(3)',
    ),
    (
        'immigration',
        'sin papeles',
        'word',
        VICTIM_WORDS,
        'Spanish: without papers (undocumented)',
        'status_law',
        '',
    ),
    (
        'immigration',
        'permanent resident',
        'word',
        (),
        'lawful permanent resident status',
        'status_law',
        '8 U.S.C. 1101(a)(20)',
    ),
    (
        'immigration',
        'citizenship status',
        'word',
        (),
        "checking a person's citizenship",
        'status_law',
        '',
    ),
    (
        'immigration',
        'verify citizenship',
        'word',
        (),
        "checking a person's citizenship",
        'status_law',
        '',
    ),
    (
        'immigration',
        '\\bi ?- ?(?:130|212|589|751|765|821d?|918)\\b',
        'regex',
        (),
        (
            'USCIS forms: I-130, I-212 (reapplying after removal), I-589 (asylum), I-751, '
            'I-765, I-821D (DACA), I-918 (U visa)'
        ),
        'status_law',
        'USCIS forms, uscis.gov/forms',
    ),
    (
        'immigration',
        'admin warrant',
        'word',
        INSPECTION_WORDS,
        "ICE administrative warrant (I-200, I-205), not an inspector's or parole warrant",
        'status_law',
        '8 CFR 287.5(e)(2); DHS Forms I-200, I-205',
    ),
    (
        'immigration',
        'administrative warrant',
        'word',
        INSPECTION_WORDS,
        "ICE administrative warrant (I-200, I-205), not an inspector's or parole warrant",
        'status_law',
        '8 CFR 287.5(e)(2); DHS Forms I-200, I-205',
    ),
    (
        'immigration',
        'voluntary departure',
        'word',
        (),
        'leaving the country in lieu of removal',
        'status_law',
        '8 U.S.C. 1229c',
    ),
    (
        'immigration',
        'isap',
        'word',
        (),
        'ICE Intensive Supervision Appearance Program (alternatives to detention)',
        'status_law',
        'U.S. Immigration and Customs Enforcement, ice.gov (Alternatives to Detention)',
    ),
    (
        'immigration',
        'alternatives to detention',
        'word',
        (),
        'ICE Alternatives to Detention programme',
        'status_law',
        'U.S. Immigration and Customs Enforcement, ice.gov (Alternatives to Detention)',
    ),
    (
        'immigration',
        'immigration hold',
        'word',
        (),
        "an immigration hold (detainer); not cancelled by victim words near 'immigration'",
        'status_law',
        '8 CFR 287.7 (detainers); DHS Form I-247A',
    ),
    (
        'immigration',
        'immigration detainer',
        'word',
        (),
        'an immigration detainer',
        'status_law',
        '8 CFR 287.7; DHS Form I-247A',
    ),
    (
        'immigration',
        'immigration warrant',
        'word',
        (),
        'an immigration warrant (I-200, I-205)',
        'status_law',
        '8 CFR 287.5(e)(2)',
    ),
    (
        'immigration',
        'immigration enforcement',
        'word',
        (),
        'immigration enforcement',
        'status_law',
        '',
    ),
    (
        'immigration',
        'immigration violation',
        'word',
        (),
        'an immigration violation',
        'status_law',
        '',
    ),
    (
        'immigration',
        'midway blitz',
        'fuzzy',
        (),
        'Operation Midway Blitz: DHS/ICE enforcement in Chicago and Illinois from 8 Sept 2025',
        'operation',
        (
            'DHS announcement, 8 Sept 2025; https://underwood.house.gov/media/press-releases/ran'
            'king-member-underwood-shares-report-oversight-visit-ices-broadview'
        ),
    ),
    (
        'immigration',
        'operation midway',
        'word',
        (),
        'Operation Midway Blitz (not Midway airport alone)',
        'operation',
        'DHS announcement, 8 Sept 2025',
    ),
    (
        'immigration',
        'broadview processing',
        'word',
        (),
        (
            'the ICE Broadview Processing Center, 1930 Beach St, Broadview IL (not the village '
            'of Broadview or its police)'
        ),
        'operation',
        (
            'ICE Broadview Processing Center, Broadview IL: '
            'https://en.wikipedia.org/wiki/Broadview_ICE_Facility; '
            'https://www.cbsnews.com/chicago/news/protests-broadview-ice/'
        ),
    ),
    (
        'immigration',
        'broadview facility',
        'word',
        (),
        (
            'the ICE Broadview Processing Center, 1930 Beach St, Broadview IL (not the village '
            'of Broadview or its police)'
        ),
        'operation',
        (
            'ICE Broadview Processing Center, Broadview IL: '
            'https://en.wikipedia.org/wiki/Broadview_ICE_Facility; '
            'https://www.cbsnews.com/chicago/news/protests-broadview-ice/'
        ),
    ),
    (
        'immigration',
        'broadview detention',
        'word',
        (),
        (
            'the ICE Broadview Processing Center, 1930 Beach St, Broadview IL (not the village '
            'of Broadview or its police)'
        ),
        'operation',
        (
            'ICE Broadview Processing Center, Broadview IL: '
            'https://en.wikipedia.org/wiki/Broadview_ICE_Facility; '
            'https://www.cbsnews.com/chicago/news/protests-broadview-ice/'
        ),
    ),
    (
        'immigration',
        'broadview center',
        'word',
        (),
        (
            'the ICE Broadview Processing Center, 1930 Beach St, Broadview IL (not the village '
            'of Broadview or its police)'
        ),
        'operation',
        (
            'ICE Broadview Processing Center, Broadview IL: '
            'https://en.wikipedia.org/wiki/Broadview_ICE_Facility; '
            'https://www.cbsnews.com/chicago/news/protests-broadview-ice/'
        ),
    ),
    (
        'immigration',
        'broadview staging',
        'word',
        (),
        (
            'the ICE Broadview Processing Center, 1930 Beach St, Broadview IL (not the village '
            'of Broadview or its police)'
        ),
        'operation',
        (
            'ICE Broadview Processing Center, Broadview IL: '
            'https://en.wikipedia.org/wiki/Broadview_ICE_Facility; '
            'https://www.cbsnews.com/chicago/news/protests-broadview-ice/'
        ),
    ),
    (
        'immigration',
        'broadview spc',
        'word',
        (),
        (
            'the ICE Broadview Processing Center, 1930 Beach St, Broadview IL (not the village '
            'of Broadview or its police)'
        ),
        'operation',
        (
            'ICE Broadview Processing Center, Broadview IL: '
            'https://en.wikipedia.org/wiki/Broadview_ICE_Facility; '
            'https://www.cbsnews.com/chicago/news/protests-broadview-ice/'
        ),
    ),
    (
        'immigration',
        '1930 beach',
        'word',
        (),
        'the address of the ICE Broadview Processing Center',
        'operation',
        (
            'ICE Broadview Processing Center, Broadview IL: '
            'https://en.wikipedia.org/wiki/Broadview_ICE_Facility; '
            'https://www.cbsnews.com/chicago/news/protests-broadview-ice/'
        ),
    ),
    (
        'immigration',
        'charlottes web',
        'word',
        (),
        "Operation Charlotte's Web: Border Patrol enforcement in Charlotte NC, Nov 2025",
        'operation',
        'DHS/CBP, 15-20 Nov 2025 (reported by NBC News and the AP)',
    ),
    (
        'immigration',
        'catahoula crunch',
        'word',
        (),
        'Operation Catahoula Crunch: Border Patrol enforcement in New Orleans, Dec 2025',
        'operation',
        'DHS statement, Dec 2025 (reported by CBS News)',
    ),
    (
        'immigration',
        'swamp sweep',
        'word',
        (),
        'internal name of the New Orleans operation (Catahoula Crunch)',
        'operation',
        'NBC News reporting, Nov 2025',
    ),
    (
        'immigration',
        'metro surge',
        'word',
        (),
        'Operation Metro Surge: ICE enforcement in Minneapolis-St Paul from Dec 2025',
        'operation',
        'DHS news releases, Dec 2025-Jan 2026',
    ),
    (
        'immigration',
        'operation tidal wave',
        'word',
        (),
        "ICE and 287(g) partners' operation in Florida, April 2025",
        'operation',
        'ICE news release, April 2025',
    ),
    (
        'immigration',
        'operation patriot',
        'word',
        (),
        'ICE operations in Massachusetts, May and Sept 2025',
        'operation',
        "ICE news releases, May 2025 and Sept 2025 ('Patriot 2.0')",
    ),
    (
        'immigration',
        'alligator alcatraz',
        'word',
        (),
        'Florida Everglades: immigration detention site opened in 2025',
        'operation',
        'DHS announcements, 2025 (state-run ICE detention sites)',
    ),
    (
        'immigration',
        'speedway slammer',
        'word',
        (),
        'Indiana (Miami Correctional Facility): immigration detention site opened in 2025',
        'operation',
        'DHS announcements, 2025 (state-run ICE detention sites)',
    ),
    (
        'immigration',
        'cornhusker clink',
        'word',
        (),
        'Nebraska (McCook Work Ethic Camp): immigration detention site opened in 2025',
        'operation',
        'DHS announcements, 2025 (state-run ICE detention sites)',
    ),
    (
        'immigration',
        'louisiana lockup',
        'word',
        (),
        'Louisiana State Penitentiary, Angola: immigration detention site opened in 2025',
        'operation',
        'DHS announcements, 2025 (state-run ICE detention sites)',
    ),
    (
        'immigration',
        'lone star lockup',
        'word',
        (),
        'Texas: immigration detention site opened in 2025',
        'operation',
        'DHS announcements, 2025 (state-run ICE detention sites)',
    ),
    (
        'immigration',
        'delaney hall',
        'word',
        (),
        'Newark NJ (GEO Group): immigration detention site opened in 2025',
        'operation',
        'DHS announcements, 2025 (state-run ICE detention sites)',
    ),
    (
        'immigration',
        'camp east montana',
        'word',
        (),
        'Fort Bliss TX: immigration detention site opened in 2025',
        'operation',
        'DHS announcements, 2025 (state-run ICE detention sites)',
    ),
    (
        'immigration',
        (
            '\\bfed(?:eral|s)?\\W+(?:partners?\\W+)?pick\\W?ups?\\b|\\b(?:pick\\W?up|hold|holdin'
            'g|held)\\W+for\\W+(?:the\\W+)?(?:feds?\\b|federal\\W+(?:agents?|partners?|authoriti'
            'es))'
        ),
        'regex',
        FEDERAL_CRIMINAL_WORDS,
        (
            'a federal pickup or hold (not for the FBI, ATF, DEA, Marshals or a federal '
            'criminal case)'
        ),
        'handoff',
        '625 ILCS 5/2-130(b)(2); Illinois TRUST Act, 5 ILCS 805/15',
    ),
    (
        'immigration',
        (
            '\\b(?:turn(?:ed|ing)?\\W+over|hand(?:ed|ing)?\\W+(?:off|over)|transfer(?:red|ring)?'
            '|releas(?:e|ed|ing))\\W+to\\W+(?:the\\W+)?(?:feds?\\b|federal\\W+(?:custody|agents?'
            '|authorities|partners?))'
        ),
        'regex',
        FEDERAL_CRIMINAL_WORDS,
        'turned over to the feds (not in a federal criminal case)',
        'handoff',
        '625 ILCS 5/2-130(b)(2); Illinois TRUST Act, 5 ILCS 805/15',
    ),
    (
        'immigration',
        (
            '\\b(?:for|per|assist\\w*)\\W+(?:our\\W+|the\\W+)?fed(?:eral|s)?\\W+partners?\\b|\\b'
            'fed(?:eral|s)?\\W+partners?\\W+(?:locate|request|pick|hold|lookout)\\w*'
        ),
        'regex',
        FEDERAL_CRIMINAL_WORDS,
        'a locate for federal partners (not named FBI, ATF, DEA or Marshals work)',
        'handoff',
        '625 ILCS 5/2-130(b)(2); Illinois TRUST Act, 5 ILCS 805/15',
    ),
    (
        'health_care',
        'dilation and evacuation',
        'word',
        (),
        'an abortion procedure (D&E)',
        'health_care',
        '',
    ),
    (
        'health_care',
        'morning after pill',
        'word',
        (),
        'emergency contraception',
        'health_care',
        '',
    ),
    (
        'health_care',
        'family planning',
        'word',
        PROPERTY_CRIME_WORDS,
        'family planning clinics and care (not when the clinic is a crime victim)',
        'health_care',
        '',
    ),
    (
        'health_care',
        'obgyn',
        'word',
        PROPERTY_CRIME_WORDS,
        "an obstetrician-gynaecologist's care",
        'health_care',
        '',
    ),
    (
        'health_care',
        'ob gyn',
        'word',
        PROPERTY_CRIME_WORDS,
        "an obstetrician-gynaecologist's care",
        'health_care',
        '',
    ),
    (
        'health_care',
        'gynecolog',
        'prefix',
        PROPERTY_CRIME_WORDS,
        'gynecologist, gynecology',
        'health_care',
        '',
    ),
    (
        'health_care',
        'doula',
        'prefix',
        (),
        'doula(s): birth and abortion support',
        'health_care',
        '',
    ),
    ('health_care', 'embryo', 'prefix', (), 'embryos (IVF)', 'health_care', ''),
    (
        'health_care',
        (
            '\\b(?:texas|tx)\\W+(?:sb|senate\\W+bill)\\W?8\\b|\\bsb\\W?8\\W+(?:suit|lawsuit|clai'
            'm|civil|case|violation|complaint)'
        ),
        'regex',
        (),
        'Texas SB 8 (2021): private suits against anyone who aids an abortion',
        'health_law',
        'Tex. Health & Safety Code 171.201-171.212 (Texas SB 8, 2021)',
    ),
    (
        'health_care',
        'heartbeat act',
        'word',
        (),
        "the 'heartbeat' abortion bans (Texas SB 8, Georgia HB 481, Oklahoma SB 1503...)",
        'health_law',
        'Tex. Health & Safety Code 171.201 et seq.; Ga. Code 16-12-141 (HB 481, 2019)',
    ),
    (
        'health_care',
        'heartbeat law',
        'word',
        (),
        "the 'heartbeat' abortion bans (Texas SB 8, Georgia HB 481, Oklahoma SB 1503...)",
        'health_law',
        'Tex. Health & Safety Code 171.201 et seq.; Ga. Code 16-12-141 (HB 481, 2019)',
    ),
    (
        'health_care',
        'heartbeat bill',
        'word',
        (),
        "the 'heartbeat' abortion bans (Texas SB 8, Georgia HB 481, Oklahoma SB 1503...)",
        'health_law',
        'Tex. Health & Safety Code 171.201 et seq.; Ga. Code 16-12-141 (HB 481, 2019)',
    ),
    (
        'health_care',
        'heartbeat statute',
        'word',
        (),
        "the 'heartbeat' abortion bans (Texas SB 8, Georgia HB 481, Oklahoma SB 1503...)",
        'health_law',
        'Tex. Health & Safety Code 171.201 et seq.; Ga. Code 16-12-141 (HB 481, 2019)',
    ),
    (
        'health_care',
        'fetal heartbeat',
        'word',
        (),
        "the 'fetal heartbeat' abortion bans",
        'health_law',
        'Tex. Health & Safety Code 171.201 et seq.',
    ),
    (
        'health_care',
        'human life protection',
        'fuzzy',
        (),
        (
            "the 'Human Life Protection Act' abortion bans (Alabama, Texas, Tennessee, "
            'Arkansas, Kentucky...)'
        ),
        'health_law',
        'Ala. Code 26-23H (2019); Texas HB 1280 (2021), Tex. Health & Safety Code ch. 170A',
    ),
    (
        'health_care',
        'defense of life act',
        'word',
        (),
        "Idaho's abortion ban",
        'health_law',
        'Idaho Code 18-622',
    ),
    (
        'health_care',
        'right to life of the unborn',
        'word',
        (),
        "Missouri's abortion ban ('Right to Life of the Unborn Child Act')",
        'health_law',
        'Mo. Rev. Stat. 188.017 (HB 126, 2019)',
    ),
    (
        'health_care',
        'preborn',
        'word',
        (),
        "word of abortion bans and suits ('Preborn Child Protection Act', Idaho SB 1309)",
        'health_law',
        'Idaho SB 1309 (2022), Idaho Code 18-8801 et seq.',
    ),
    (
        'health_care',
        'idaho hb 242',
        'word',
        (),
        "Idaho's 'abortion trafficking' law: helping a minor travel for an abortion",
        'health_law',
        'Idaho Code 18-623 (HB 242, 2023)',
    ),
    (
        'health_care',
        'idaho hb242',
        'word',
        (),
        "Idaho's 'abortion trafficking' law: helping a minor travel for an abortion",
        'health_law',
        'Idaho Code 18-623 (HB 242, 2023)',
    ),
    (
        'health_care',
        'idaho code 18 623',
        'word',
        (),
        "Idaho's 'abortion trafficking' law: helping a minor travel for an abortion",
        'health_law',
        'Idaho Code 18-623 (HB 242, 2023)',
    ),
    (
        'health_care',
        'ic 18 623',
        'word',
        (),
        "Idaho's 'abortion trafficking' law: helping a minor travel for an abortion",
        'health_law',
        'Idaho Code 18-623 (HB 242, 2023)',
    ),
    (
        'health_care',
        (
            '\\b(?:recruit|harbor|transport)\\w*\\W+(?:an?\\W+|the\\W+|her\\W+)?pregnant\\W+(?:m'
            'inor|juvenile|juv|teen|girl|daughter|child)'
        ),
        'regex',
        (),
        (
            "'recruiting, harboring or transporting' a pregnant minor: the abortion trafficking "
            'laws of Tennessee and Idaho'
        ),
        'health_law',
        "Tennessee 'abortion trafficking of a minor' law (2024); Idaho Code 18-623",
    ),
    (
        'health_care',
        'comstock',
        'word',
        STREET_WORDS,
        'the Comstock Act, invoked against mailing abortion pills (not Comstock Ave)',
        'health_law',
        '18 U.S.C. 1461-1462',
    ),
    (
        'health_care',
        'shield law',
        'word',
        PRESS_WORDS,
        (
            "the states' laws shielding abortion and gender-affirming care from other states' "
            "suits (not the press's shield law)"
        ),
        'health_law',
        'Illinois Public Act 102-1117 (2023); New York Public Act ch. 138 (2023)',
    ),
    (
        'health_care',
        'whole womans health',
        'fuzzy',
        PROPERTY_CRIME_WORDS,
        (
            "Whole Woman's Health, abortion clinics (Texas until 2022, then New Mexico and "
            'other states)'
        ),
        'clinic',
        "wholewomanshealth.com; Whole Woman's Health v. Jackson, 595 U.S. 30 (2021)",
    ),
    (
        'health_care',
        'hope clinic',
        'word',
        PROPERTY_CRIME_WORDS,
        'Hope Clinic for Women, Granite City IL, abortion provider near St Louis',
        'clinic',
        'hopeclinic.com',
    ),
    (
        'health_care',
        'choices center',
        'word',
        PROPERTY_CRIME_WORDS,
        'CHOICES Center for Reproductive Health, Memphis TN and Carbondale IL',
        'clinic',
        'CHOICES Center for Reproductive Health (opened in Carbondale IL, 2022)',
    ),
    (
        'health_care',
        'alamo womens',
        'word',
        PROPERTY_CRIME_WORDS,
        "Alamo Women's Reproductive Services, moved from Texas to Carbondale IL",
        'clinic',
        'public reporting on clinics that moved to southern Illinois after 2022',
    ),
    (
        'health_care',
        'womens health center',
        'fuzzy',
        PROPERTY_CRIME_WORDS,
        "a women's health center (not when the clinic is a crime victim)",
        'clinic',
        '',
    ),
    (
        'health_care',
        'red river womens',
        'word',
        PROPERTY_CRIME_WORDS,
        "Red River Women's Clinic, Fargo ND then Moorhead MN",
        'clinic',
        '',
    ),
    (
        'health_care',
        'trust women',
        'word',
        PROPERTY_CRIME_WORDS,
        'Trust Women clinics, Wichita KS',
        'clinic',
        '',
    ),
    ('health_care', 'carafem', 'word', (), 'carafem abortion clinics', 'clinic', 'carafem.org'),
    (
        'health_care',
        'ppfa',
        'word',
        (),
        'Planned Parenthood Federation of America',
        'clinic',
        'plannedparenthood.org',
    ),
    (
        'health_care',
        'aid access',
        'word',
        (),
        'Aid Access, mails abortion pills (telehealth)',
        'clinic',
        'aidaccess.org',
    ),
    (
        'health_care',
        'just the pill',
        'word',
        (),
        'Just the Pill, telehealth and mobile abortion clinics',
        'clinic',
        'justthepill.com',
    ),
    (
        'health_care',
        'hey jane',
        'word',
        (),
        'Hey Jane, telehealth abortion',
        'clinic',
        'heyjane.com',
    ),
    (
        'health_care',
        'las libres',
        'word',
        (),
        'Las Libres, Mexican network sending abortion pills to the U.S.',
        'clinic',
        '',
    ),
    (
        'health_care',
        'women on web',
        'word',
        (),
        'Women on Web, telehealth abortion pills',
        'clinic',
        'womenonweb.org',
    ),
    (
        'health_care',
        'midwest access coalition',
        'word',
        (),
        'helps people travel to Illinois for an abortion',
        'clinic',
        'midwestaccesscoalition.org',
    ),
    (
        'health_care',
        'brigid alliance',
        'word',
        (),
        'pays travel for abortion care',
        'clinic',
        'brigidalliance.org',
    ),
]
# fmt: on


def terms_categorise(apps, schema_editor):
    ReasonTerm = apps.get_model("compliance", "ReasonTerm")
    for label, phrase, match, category, source in CATEGORISED:
        ReasonTerm.objects.filter(
            label=label, phrase=phrase, match=match, category="other", source=""
        ).update(category=category, source=source)
    for label, phrase, match, words, before, after in WIDENED:
        for term in ReasonTerm.objects.filter(label=label, phrase=phrase, match=match):
            term.unless_near = [*term.unless_near, *(w for w in words if w not in term.unless_near)]
            if term.note == before:
                term.note = after
            term.save(update_fields=["unless_near", "note", "updated_at"])
    for label, phrase, match, unless_near, note, category, source in ADDED:
        term, created = ReasonTerm.objects.get_or_create(
            label=label,
            phrase=phrase,
            match=match,
            defaults={
                "unless_near": list(unless_near),
                "note": note,
                "category": category,
                "source": source,
            },
        )
        # A database migrated from scratch has it already: 0004 loads the terms as
        # default_terms.py has them today, without their category.
        if not created and term.category == "other" and not term.source:
            term.category, term.source = category, source
            term.save(update_fields=["category", "source", "updated_at"])


def terms_uncategorise(apps, schema_editor):
    ReasonTerm = apps.get_model("compliance", "ReasonTerm")
    for label, phrase, match, unless_near, note, category, source in ADDED:
        for term in ReasonTerm.objects.filter(label=label, phrase=phrase, match=match):
            # unless_near is a JSON list; the data here holds tuples.
            as_written = (list(term.unless_near), term.note, term.category, term.source) == (
                list(unless_near),
                note,
                category,
                source,
            )
            if as_written:
                term.delete()
    for label, phrase, match, words, before, after in WIDENED:
        for term in ReasonTerm.objects.filter(label=label, phrase=phrase, match=match):
            term.unless_near = [w for w in term.unless_near if w not in words]
            if term.note == after:
                term.note = before
            term.save(update_fields=["unless_near", "note", "updated_at"])
    for label, phrase, match, category, source in CATEGORISED:
        ReasonTerm.objects.filter(
            label=label, phrase=phrase, match=match, category=category, source=source
        ).update(category="other", source="")


class Migration(migrations.Migration):
    dependencies = [("compliance", "0008_reasonterm_category_source_review_severity")]

    operations = [migrations.RunPython(terms_categorise, terms_uncategorise)]
