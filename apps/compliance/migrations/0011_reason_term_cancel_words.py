"""Cancel words widened after the development corpora written for issue 16
(``reason_train.csv``, ``reason_contrast.csv``) showed the terms reading hard negatives as
immigration or health care: "ice" as a bar, a business, a nickname or the weather; an
immigrant, a migrant or ICE itself on the victim's side of a crime; a U or T visa
certification for a victim; HSI, CBP and DHS on ordinary federal crime; "deport" as a
nickname; a clinic, a doula or its staff as the victim; a federal pickup of evidence.

The words are copied here as ``apps/compliance/default_terms.py`` has them on the day of
this migration (``CANCEL_WORDS_WIDENED``). Going forward, words are only added to a
stored term, never taken from what an administrator wrote. Going back removes every word
listed here from the term, including one an administrator had written too (before this
migration or since): the table does not record who wrote a word.
"""

from django.db import migrations

# fmt: off
WIDENED = [('immigration', 'immig', 'prefix',
  ('impersonator', 'impersonators', 'impersonating', 'impersonation', 'posing', 'posed',
   'fake', 'pretending', 'pretended', 'threatened ~6', 'threatening ~6', 'threat ~4',
   'threats ~4', 'extortion ~6', 'extorting ~6', 'scam ~4', 'robbery', 'robbed', 'battery',
   'assault', 'assaulted', 'arson', 'theft', 'shooting', 'shot', 'attack', 'attacked',
   'shelter', 'wage', 'wage theft ~4', 'extortion ~4', 'witness ~4', 'carjacking ~4',
   'arrival ~3', 'bus ~1')),
 ('immigration', 'immigration', 'fuzzy',
  ('impersonator', 'impersonators', 'impersonating', 'impersonation', 'posing', 'posed',
   'fake', 'pretending', 'pretended', 'threatened ~6', 'threatening ~6', 'threat ~4',
   'threats ~4', 'extortion ~6', 'extorting ~6', 'scam ~4', 'robbery', 'robbed', 'battery',
   'assault', 'assaulted', 'arson', 'theft', 'shooting', 'shot', 'attack', 'attacked',
   'shelter', 'wage', 'wage theft ~4', 'extortion ~4', 'witness ~4', 'carjacking ~4',
   'arrival ~3', 'bus ~1')),
 ('immigration', 'immigrant', 'fuzzy',
  ('impersonator', 'impersonators', 'impersonating', 'impersonation', 'posing', 'posed',
   'fake', 'pretending', 'pretended', 'threatened ~6', 'threatening ~6', 'threat ~4',
   'threats ~4', 'extortion ~6', 'extorting ~6', 'scam ~4', 'robbery', 'robbed', 'battery',
   'assault', 'assaulted', 'arson', 'theft', 'shooting', 'shot', 'attack', 'attacked',
   'shelter', 'wage', 'wage theft ~4', 'extortion ~4', 'witness ~4', 'carjacking ~4',
   'arrival ~3', 'bus ~1')),
 ('immigration', 'migrant', 'prefix',
  ('robbery', 'robbed', 'battery', 'assault', 'assaulted', 'arson', 'theft', 'shooting',
   'shot', 'attack', 'attacked', 'shelter', 'wage', 'wage theft ~4', 'extortion ~4',
   'witness ~4', 'carjacking ~4', 'arrival ~3', 'bus ~1')),
 ('immigration', 'ice', 'word',
  ('slid', 'roadway', 'roadways', 'windshield', 'scraping', 'scrape', 'slip', 'slipped',
   'snowmobile ~4', 'center ~1', 'cold ~1', 'bar', 'tavern', 'house ~1', 'box ~1', 'co ~1',
   'glacier', 'arctic', 'polar', 'hogs', 'lookalike', 't ~1', 'known as ~2', 'trafficking ~1',
   'contractor ~3', 'through ~2', 'lil ~1', 'thrown ~1', 'throwing ~1', 'mountain ~1',
   'water ~2', 'scraper ~1', 'melt ~1', 'emergency ~4', 'in case of ~2', 'impersonator',
   'impersonators', 'impersonating', 'impersonation', 'posing', 'posed', 'fake', 'pretending',
   'pretended', 'threatened ~6', 'threatening ~6', 'threat ~4', 'threats ~4', 'extortion ~6',
   'extorting ~6', 'scam ~4')),
 ('immigration', 'hsi', 'word',
  ('child ~3', 'exploitation', 'icac', 'porn', 'pornography', 'csam', 'counterfeit',
   'sex trafficking ~4', 'fentanyl', 'narcotics', 'drug', 'drugs', 'seizure', 'seized ~3',
   'cyber', 'money laundering', 'cocaine ~3', 'heroin ~3', 'meth ~3', 'assaulted ~3',
   'off duty ~4', 'oig', 'grant ~2', 'employee ~4', 'gun ~4', 'guns ~4', 'ghost ~3',
   'dark web ~4', 'drone ~3', 'prison ~5', 'robbery ~3', 'ransomware ~3', 'skimming ~3',
   'credit card ~3')),
 ('immigration', 'homeland security investigations', 'fuzzy',
  ('child ~3', 'exploitation', 'icac', 'porn', 'pornography', 'csam', 'counterfeit',
   'sex trafficking ~4', 'fentanyl', 'narcotics', 'drug', 'drugs', 'seizure', 'seized ~3',
   'cyber', 'money laundering', 'cocaine ~3', 'heroin ~3', 'meth ~3', 'assaulted ~3',
   'off duty ~4', 'oig', 'grant ~2', 'employee ~4', 'gun ~4', 'guns ~4', 'ghost ~3',
   'dark web ~4', 'drone ~3', 'prison ~5', 'robbery ~3', 'ransomware ~3', 'skimming ~3',
   'credit card ~3')),
 ('immigration', 'homeland sec', 'prefix',
  ('child ~3', 'exploitation', 'icac', 'porn', 'pornography', 'csam', 'counterfeit',
   'sex trafficking ~4', 'fentanyl', 'narcotics', 'drug', 'drugs', 'seizure', 'seized ~3',
   'cyber', 'money laundering', 'cocaine ~3', 'heroin ~3', 'meth ~3', 'assaulted ~3',
   'off duty ~4', 'oig', 'grant ~2', 'employee ~4', 'gun ~4', 'guns ~4', 'ghost ~3',
   'dark web ~4', 'drone ~3', 'prison ~5', 'robbery ~3', 'ransomware ~3', 'skimming ~3',
   'credit card ~3')),
 ('immigration', 'homeland security', 'fuzzy',
  ('child ~3', 'exploitation', 'icac', 'porn', 'pornography', 'csam', 'counterfeit',
   'sex trafficking ~4', 'fentanyl', 'narcotics', 'drug', 'drugs', 'seizure', 'seized ~3',
   'cyber', 'money laundering', 'cocaine ~3', 'heroin ~3', 'meth ~3', 'assaulted ~3',
   'off duty ~4', 'oig', 'grant ~2', 'employee ~4', 'gun ~4', 'guns ~4', 'ghost ~3',
   'dark web ~4', 'drone ~3', 'prison ~5', 'robbery ~3', 'ransomware ~3', 'skimming ~3',
   'credit card ~3')),
 ('immigration', 'dhs', 'word',
  ('child ~3', 'exploitation', 'icac', 'porn', 'pornography', 'csam', 'counterfeit',
   'sex trafficking ~4', 'fentanyl', 'narcotics', 'drug', 'drugs', 'seizure', 'seized ~3',
   'cyber', 'money laundering', 'cocaine ~3', 'heroin ~3', 'meth ~3', 'assaulted ~3',
   'off duty ~4', 'oig', 'grant ~2', 'employee ~4', 'gun ~4', 'guns ~4', 'ghost ~3',
   'dark web ~4', 'drone ~3', 'prison ~5', 'robbery ~3', 'ransomware ~3', 'skimming ~3',
   'credit card ~3')),
 ('immigration', 'cbp', 'word',
  ('child ~3', 'exploitation', 'icac', 'porn', 'pornography', 'csam', 'counterfeit',
   'sex trafficking ~4', 'fentanyl', 'narcotics', 'drug', 'drugs', 'seizure', 'seized ~3',
   'cyber', 'money laundering', 'cocaine ~3', 'heroin ~3', 'meth ~3', 'assaulted ~3',
   'off duty ~4', 'oig', 'grant ~2', 'employee ~4', 'gun ~4', 'guns ~4', 'ghost ~3',
   'dark web ~4', 'drone ~3', 'prison ~5', 'robbery ~3', 'ransomware ~3', 'skimming ~3',
   'credit card ~3')),
 ('immigration', 'deport', 'prefix',
  ('impersonator', 'impersonators', 'impersonating', 'impersonation', 'posing', 'posed',
   'fake', 'pretending', 'pretended', 'threatened ~6', 'threatening ~6', 'threat ~4',
   'threats ~4', 'extortion ~6', 'extorting ~6', 'scam ~4', 'nickname', 'nicknamed', 'aka',
   'moniker', 'known as ~2', 'store ~2', 'sporting ~4')),
 ('immigration', 'deportation', 'fuzzy',
  ('impersonator', 'impersonators', 'impersonating', 'impersonation', 'posing', 'posed',
   'fake', 'pretending', 'pretended', 'threatened ~6', 'threatening ~6', 'threat ~4',
   'threats ~4', 'extortion ~6', 'extorting ~6', 'scam ~4')),
 ('immigration', 'alien', 'word',
  ('costume', 'costumes', 'ware', 'halloween', 'mask', 'auto ~1', 'body ~2', 'gear ~1',
   'ant ~1', 'concert ~4')),
 ('immigration', 'undocumented', 'fuzzy',
  ('robbery', 'robbed', 'battery', 'assault', 'assaulted', 'arson', 'theft', 'shooting',
   'shot', 'attack', 'attacked', 'shelter', 'wage', 'wage theft ~4', 'extortion ~4',
   'witness ~4', 'carjacking ~4', 'arrival ~3', 'bus ~1', 'vehicle ~1', 'veh ~1', 'firearm ~1',
   'firearms ~1', 'gun ~1', 'guns ~1', 'title ~3', 'weapon ~1', 'cash ~1', 'income ~1')),
 ('immigration', 'visa', 'word',
  ('inc', 'certification', 'cert', 'u ~1', 't ~1', 'victim ~4')),
 ('immigration', 'asylum', 'word',
  ('robbery', 'robbed', 'battery', 'assault', 'assaulted', 'arson', 'theft', 'shooting',
   'shot', 'attack', 'attacked', 'shelter', 'wage', 'wage theft ~4', 'extortion ~4',
   'witness ~4', 'victim ~4', 'carjacking ~4', 'arrival ~3', 'bus ~1')),
 ('immigration', 'green card', 'prefix',
  ('stolen ~3', 'burglary ~4', 'theft ~3', 'lost', 'found ~2', 'victim ~4')),
 ('immigration', 'naturalization', 'word', ('ceremony',)),
 ('immigration', 'daca', 'word',
  ('robbery', 'robbed', 'battery', 'assault', 'assaulted', 'arson', 'theft', 'shooting',
   'shot', 'attack', 'attacked', 'shelter', 'wage', 'wage theft ~4', 'extortion ~4',
   'witness ~4', 'victim ~4', 'carjacking ~4', 'arrival ~3', 'bus ~1')),
 ('immigration',
  '\\bfed(?:eral|s)?\\W+(?:partners?\\W+)?pick\\W?ups?\\b|\\b(?:pick\\W?up|hold|holding|held)\\W+for\\W+(?:the\\W+)?(?:feds?\\b|federal\\W+(?:agents?|partners?|authorities))',
  'regex', ('evidence', 'lab ~4', 'property ~3')),
 ('immigration',
  '\\b(?:for|per|assist\\w*)\\W+(?:our\\W+|the\\W+)?fed(?:eral|s)?\\W+partners?\\b|\\bfed(?:eral|s)?\\W+partners?\\W+(?:locate|request|pick|hold|lookout)\\w*',
  'regex', ('robbery ~6', 'bank ~6')),
 ('health_care', 'abortion', 'prefix',
  ('burglary', 'burglarized', 'vandalism', 'vandalized', 'graffiti', 'arson', 'theft',
   'robbery', 'trespass', 'damage', 'break', 'broken', 'threats', 'threat', 'threatening ~3',
   'threatened ~3', 'firebomb', 'firebombed', 'bomb', 'shots ~3', 'shooting', 'battery',
   'protester', 'protesters', 'damaged', 'stolen ~4')),
 ('health_care', 'abortion', 'fuzzy',
  ('burglary', 'burglarized', 'vandalism', 'vandalized', 'graffiti', 'arson', 'theft',
   'robbery', 'trespass', 'damage', 'break', 'broken', 'threats', 'threat', 'threatening ~3',
   'threatened ~3', 'firebomb', 'firebombed', 'bomb', 'shots ~3', 'shooting', 'battery',
   'protester', 'protesters', 'damaged', 'stolen ~4')),
 ('health_care', 'miscarriage', 'fuzzy', ('crash ~3', 'dui ~3', 'driver ~4', 'caused ~1')),
 ('health_care', 'reproducti', 'prefix',
  ('threats', 'threat', 'threatening ~3', 'threatened ~3', 'firebomb', 'firebombed', 'bomb',
   'shots ~3', 'shooting', 'battery', 'protester', 'protesters', 'damaged', 'stolen ~4')),
 ('health_care', 'reproductive', 'fuzzy',
  ('threats', 'threat', 'threatening ~3', 'threatened ~3', 'firebomb', 'firebombed', 'bomb',
   'shots ~3', 'shooting', 'battery', 'protester', 'protesters', 'damaged', 'stolen ~4')),
 ('health_care', 'planned parenthood', 'fuzzy',
  ('threats', 'threat', 'threatening ~3', 'threatened ~3', 'firebomb', 'firebombed', 'bomb',
   'shots ~3', 'shooting', 'battery', 'protester', 'protesters', 'damaged', 'stolen ~4')),
 ('health_care', 'fertility clinic', 'prefix',
  ('burglary', 'burglarized', 'vandalism', 'vandalized', 'graffiti', 'arson', 'theft',
   'robbery', 'trespass', 'damage', 'break', 'broken', 'threats', 'threat', 'threatening ~3',
   'threatened ~3', 'firebomb', 'firebombed', 'bomb', 'shots ~3', 'shooting', 'battery',
   'protester', 'protesters', 'damaged', 'stolen ~4')),
 ('health_care',
  '\\bgender\\W+(?:affirm\\w*|confirm\\w*|clinic\\w*|transition\\w*|care|dysphori\\w*|reassign\\w*|surger(?:y|ies)|treatment|therapy|identity\\W+clinic)',
  'regex',
  ('burglary', 'burglarized', 'vandalism', 'vandalized', 'graffiti', 'arson', 'theft',
   'robbery', 'trespass', 'damage', 'break', 'broken', 'threats', 'threat', 'threatening ~3',
   'threatened ~3', 'firebomb', 'firebombed', 'bomb', 'shots ~3', 'shooting', 'battery',
   'protester', 'protesters', 'damaged', 'stolen ~4')),
 ('health_care', 'doula', 'prefix', ('car ~2', 'stolen ~3', 'burglary ~3', 'theft ~3'))]
# fmt: on


def words_add(apps, schema_editor):
    ReasonTerm = apps.get_model("compliance", "ReasonTerm")
    for label, phrase, match, words in WIDENED:
        for term in ReasonTerm.objects.filter(label=label, phrase=phrase, match=match):
            added = [word for word in words if word not in term.unless_near]
            if added:
                term.unless_near = [*term.unless_near, *added]
                term.save(update_fields=["unless_near", "updated_at"])


def words_remove(apps, schema_editor):
    ReasonTerm = apps.get_model("compliance", "ReasonTerm")
    for label, phrase, match, words in WIDENED:
        for term in ReasonTerm.objects.filter(label=label, phrase=phrase, match=match):
            term.unless_near = [word for word in term.unless_near if word not in words]
            term.save(update_fields=["unless_near", "updated_at"])


class Migration(migrations.Migration):
    dependencies = [("compliance", "0010_learned_reading")]

    operations = [migrations.RunPython(words_add, words_remove)]
