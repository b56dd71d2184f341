"""Turn the agency names in vendor exports into `Agency` rows.

Order, first hit wins: exact ORI, exact alias, exact normalised name in the same
state, an administrator's name pattern. A name that still does not resolve becomes an
unconfirmed agency in the review queue. Nothing here is fuzzy.
"""

import re
from dataclasses import dataclass

from .models import Agency, AgencyAlias, AgencyNamePattern
from .naming import ParsedName, guess_level, parse_agency_name


@dataclass(frozen=True)
class Resolution:
    agency_id: int
    method: str  # ori, alias, name, pattern, created


class AgencyResolver:
    """Resolves many names in one load; caches what it has seen.

    Create one per load inside its transaction: new agencies and aliases it writes
    roll back with the load.
    """

    def __init__(self) -> None:
        self._aliases = dict(AgencyAlias.objects.values_list("normalized", "agency_id"))
        self._patterns = [
            (re.compile(pattern), agency_id)
            for pattern, agency_id in AgencyNamePattern.objects.values_list("pattern", "agency_id")
        ]
        self._cache: dict[tuple[str, str], Resolution] = {}

    def resolve(
        self, raw_name: str, *, ori: str = "", state: str = "", level: str = ""
    ) -> Resolution:
        key = (raw_name, ori)
        if key not in self._cache:
            self._cache[key] = self._resolve(
                raw_name, ori=ori.strip().upper(), state=state, level=level
            )
        return self._cache[key]

    def _resolve(self, raw_name: str, *, ori: str, state: str, level: str) -> Resolution:
        parsed = parse_agency_name(raw_name)
        if not parsed.state and state:
            parsed = ParsedName(parsed.display, parsed.normalized, state.upper(), parsed.tags)
        if ori:
            agency_id = Agency.objects.filter(ori=ori).values_list("id", flat=True).first()
            if agency_id:
                return self._found(agency_id, "ori", raw_name, parsed)
        agency_id = self._aliases.get(parsed.match_key)
        if agency_id:
            return self._found(agency_id, "alias", raw_name, parsed, add_alias=False)
        agency_id = (
            Agency.objects.filter(normalized_name=parsed.normalized, state=parsed.state)
            .values_list("id", flat=True)
            .first()
        )
        if agency_id:
            return self._found(agency_id, "name", raw_name, parsed)
        for pattern, pattern_agency_id in self._patterns:
            if pattern.search(parsed.normalized):
                return self._found(pattern_agency_id, "pattern", raw_name, parsed)
        return Resolution(self._create(raw_name, parsed, ori=ori, level=level), "created")

    def resolve_many(self, names: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """Agency ids for many (name, ORI) pairs, with a handful of queries in all.

        Same order of rules as `resolve`; used by loads, where a file can name
        thousands of agencies the directory has never seen.
        """
        pending = {key: parse_agency_name(key[0]) for key in names if key not in self._cache}
        oris = {key[1].strip().upper() for key in pending if key[1].strip()}
        by_ori = dict(Agency.objects.filter(ori__in=oris).values_list("ori", "id")) if oris else {}
        by_name: dict[tuple[str, str], int] = {}
        for agency_id, normalized, state in Agency.objects.filter(
            normalized_name__in={parsed.normalized for parsed in pending.values()}
        ).values_list("id", "normalized_name", "state"):
            by_name.setdefault((normalized, state), agency_id)

        found: list[tuple[str, ParsedName, int, str]] = []
        to_create: list[tuple[tuple[str, str], ParsedName]] = []
        for key, parsed in pending.items():
            raw_name, ori = key
            ori = ori.strip().upper()
            if ori in by_ori:
                found.append((raw_name, parsed, by_ori[ori], "ori"))
            elif parsed.match_key in self._aliases:
                self._cache[key] = Resolution(self._aliases[parsed.match_key], "alias")
                continue
            elif (parsed.normalized, parsed.state) in by_name:
                found.append((raw_name, parsed, by_name[(parsed.normalized, parsed.state)], "name"))
            else:
                agency_id = next(
                    (aid for pattern, aid in self._patterns if pattern.search(parsed.normalized)),
                    None,
                )
                if agency_id is None:
                    to_create.append((key, parsed))
                    continue
                found.append((raw_name, parsed, agency_id, "pattern"))
            self._cache[key] = Resolution(found[-1][2], found[-1][3])

        # Spellings that normalise alike ("Old Town IL PD", "Old Town IL PD [Inactive]")
        # are one new agency, not one each.
        first_of: dict[str, tuple[tuple[str, str], ParsedName]] = {}
        for key, parsed in to_create:
            first_of.setdefault(parsed.match_key, (key, parsed))
        created = Agency.objects.bulk_create(
            Agency(
                name=parsed.display[:255] or key[0].strip()[:255],
                normalized_name=parsed.normalized[:255],
                state=parsed.state,
                ori=key[1].strip().upper() or None,
                level=guess_level(parsed),
                tags=list(parsed.tags),
                is_confirmed=False,
            )
            for key, parsed in first_of.values()
        )
        new_ids = {
            match_key: agency.id for match_key, agency in zip(first_of, created, strict=True)
        }
        for key, parsed in to_create:
            agency_id = new_ids[parsed.match_key]
            self._cache[key] = Resolution(agency_id, "created")
            found.append((key[0], parsed, agency_id, "created"))
        new_aliases = {}
        for raw_name, parsed, agency_id, _ in found:
            if parsed.match_key not in self._aliases:
                new_aliases[parsed.match_key] = AgencyAlias(
                    agency_id=agency_id, alias=raw_name.strip()[:255], normalized=parsed.match_key
                )
                self._aliases[parsed.match_key] = agency_id
            if parsed.tags:
                _add_tags(agency_id, parsed.tags)
        AgencyAlias.objects.bulk_create(new_aliases.values(), ignore_conflicts=True)
        return {key: self._cache[key].agency_id for key in names}

    def _found(
        self, agency_id: int, method: str, raw_name: str, parsed: ParsedName, add_alias=True
    ) -> Resolution:
        if parsed.tags:
            _add_tags(agency_id, parsed.tags)
        if add_alias:
            self._remember(agency_id, raw_name, parsed)
        return Resolution(agency_id, method)

    def _remember(self, agency_id: int, raw_name: str, parsed: ParsedName) -> None:
        alias, _ = AgencyAlias.objects.get_or_create(
            normalized=parsed.match_key,
            defaults={"agency_id": agency_id, "alias": raw_name.strip()[:255]},
        )
        self._aliases[parsed.match_key] = alias.agency_id

    def _create(self, raw_name: str, parsed: ParsedName, *, ori: str, level: str) -> int:
        valid_levels = set(Agency.Level.values)
        agency = Agency.objects.create(
            name=parsed.display[:255] or raw_name.strip()[:255],
            normalized_name=parsed.normalized[:255],
            state=parsed.state,
            ori=ori or None,
            level=level if level in valid_levels else guess_level(parsed),
            tags=list(parsed.tags),
            is_confirmed=False,
        )
        self._remember(agency.id, raw_name, parsed)
        return agency.id


def _add_tags(agency_id: int, tags: tuple[str, ...]) -> None:
    agency = Agency.objects.only("tags").get(pk=agency_id)
    missing = [tag for tag in tags if tag not in agency.tags]
    if missing:
        Agency.objects.filter(pk=agency_id).update(tags=agency.tags + missing)


def agency_resolve(raw_name: str, *, ori: str = "") -> Agency:
    """Resolve one name (for forms and commands)."""
    return Agency.objects.get(pk=AgencyResolver().resolve(raw_name, ori=ori).agency_id)
