"""Turn the agency names in vendor exports into `Agency` rows.

Order, first hit wins: exact ORI, exact alias, exact normalised name in the same
state, an administrator's name pattern. A name that still does not resolve becomes an
unconfirmed agency in the review queue. Nothing here is fuzzy.
"""

import re
import zlib
from dataclasses import dataclass

from apps.core import locks

from .models import Agency, AgencyAlias, AgencyNamePattern
from .naming import ParsedName, guess_level, parse_agency_name

BULK_BATCH = 2000


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
        """One name; `state` and `level` are what the file says when the name does not."""
        key = (raw_name, ori)
        self.resolve_many([key], hints={key: (state, level)})
        return self._cache[key]

    def resolve_many(
        self,
        names: list[tuple[str, str]],
        *,
        hints: dict[tuple[str, str], tuple[str, str]] | None = None,
    ) -> dict[tuple[str, str], int]:
        """Agency ids for many (name, ORI) pairs, with a handful of queries in all: a
        file can name thousands of agencies the directory has never seen. `hints` give,
        per pair, the state and level the file states beside the name."""
        hints = hints or {}
        pending = {}
        for key in names:
            if key in self._cache:
                continue
            parsed = parse_agency_name(key[0])
            state = hints.get(key, ("", ""))[0]
            if state and not parsed.state:
                parsed = ParsedName(parsed.display, parsed.normalized, state.upper(), parsed.tags)
            pending[key] = parsed
        found, to_create = self._classify(pending)
        if to_create:
            # Another load may be creating the same agencies right now: lock the new
            # names (and ORIs), then look again. A load that created one first holds its
            # lock until it commits, so this waits for it and then finds its agency
            # instead of making a twin. Names are hashed into AGENCY_BUCKETS locks taken in
            # ascending order: a bounded number per load (a file may name thousands of
            # new agencies) and one global order, so two loads never deadlock.
            keys = sorted(
                {parsed.match_key for _, parsed in to_create}
                | {f"ori:{key[1].strip().upper()}" for key, _ in to_create if key[1].strip()}
            )
            locks.AGENCY.take_many(zlib.crc32(key.encode()) % locks.AGENCY_BUCKETS for key in keys)
            self._aliases.update(
                AgencyAlias.objects.filter(normalized__in=keys).values_list(
                    "normalized", "agency_id"
                )
            )
            found_now, to_create = self._classify(dict(to_create))
            found += found_now

        # Spellings that normalise alike ("Old Town IL PD", "Old Town IL PD [Inactive]")
        # are one new agency, not one each.
        first_of: dict[str, tuple[tuple[str, str], ParsedName]] = {}
        for key, parsed in to_create:
            first_of.setdefault(parsed.match_key, (key, parsed))
        created = Agency.objects.bulk_create(
            [
                Agency(
                    name=parsed.display[:255] or key[0].strip()[:255],
                    normalized_name=parsed.normalized[:255],
                    state=parsed.state,
                    ori=key[1].strip().upper() or None,
                    level=_level(hints.get(key, ("", ""))[1], parsed),
                    tags=list(parsed.tags),
                    is_confirmed=False,
                )
                for key, parsed in first_of.values()
            ],
            # Server-side binding allows 65,535 parameters a statement: a file naming
            # thousands of new agencies is written in batches.
            batch_size=BULK_BATCH,
        )
        new_ids = {
            match_key: agency.id for match_key, agency in zip(first_of, created, strict=True)
        }
        for key, parsed in to_create:
            agency_id = new_ids[parsed.match_key]
            self._cache[key] = Resolution(agency_id, "created")
            found.append((key[0], parsed, agency_id, "created"))
        new_aliases = {}
        tags: dict[int, dict[str, None]] = {}
        for raw_name, parsed, agency_id, _ in found:
            if parsed.match_key not in self._aliases:
                new_aliases[parsed.match_key] = AgencyAlias(
                    agency_id=agency_id, alias=raw_name.strip()[:255], normalized=parsed.match_key
                )
                self._aliases[parsed.match_key] = agency_id
            if parsed.tags:
                tags.setdefault(agency_id, {}).update(dict.fromkeys(parsed.tags))
        # Two loads that write the same agencies' rows (or the same new spellings, which
        # are unique) write them in one order, by id and by spelling: they wait for each
        # other, never deadlock.
        for agency_id in sorted(tags):
            _add_tags(agency_id, tuple(tags[agency_id]))
        AgencyAlias.objects.bulk_create(
            [new_aliases[key] for key in sorted(new_aliases)],
            ignore_conflicts=True,
            batch_size=BULK_BATCH,
        )
        return {key: self._cache[key].agency_id for key in names}

    def _classify(
        self, pending: dict[tuple[str, str], ParsedName]
    ) -> tuple[list[tuple[str, ParsedName, int, str]], list[tuple[tuple[str, str], ParsedName]]]:
        """Split names into those the directory knows (by ORI, alias, name or pattern;
        cached) and those it does not."""
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
                found.append((raw_name, parsed, self._aliases[parsed.match_key], "alias"))
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

        return found, to_create


def _level(stated: str, parsed: ParsedName) -> str:
    return stated if stated in Agency.Level.values else guess_level(parsed)


def _add_tags(agency_id: int, tags: tuple[str, ...]) -> None:
    agency = Agency.objects.only("tags").get(pk=agency_id)
    missing = [tag for tag in tags if tag not in agency.tags]
    if missing:
        Agency.objects.filter(pk=agency_id).update(tags=agency.tags + missing)


def agency_resolve(raw_name: str, *, ori: str = "") -> Agency:
    """Resolve one name (for forms and commands)."""
    return Agency.objects.get(pk=AgencyResolver().resolve(raw_name, ori=ori).agency_id)
