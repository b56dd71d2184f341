"""Each distinct reason read once: by the terms, and where no immigration or health-care
term matched, by the learned signal too.

`reasons_read` gives the label a search stores (`SearchEvent.reason_label`):

- the terms' label (`apps.compliance.classifier`) when a term of immigration, health care
  or personal data matched: a term decides, and its findings may be critical;
- otherwise (the terms read "none" or "vague"), the learned signal's review label
  (``immigration_review``, ``health_care_review``) when the model reads such a purpose, so
  the search makes a finding for review, never a critical one (`learned.combine`);
- otherwise the terms' label.

The learned reading of a reason is kept in `LearnedReading`, by the SHA-256 of its text
and the model's version, so a reason repeated across searches, uploads and
re-classifications is read by the model once; the drivers kept with it are what the
finding shows of why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.db import connection

from .classifier import NONE, VAGUE
from .learned import Reading, combine, reason_model
from .models import LearnedReading
from .terms import reason_classifier

#: The term labels the learned signal may turn into a review label.
OPEN_TO_LEARNED = frozenset({NONE, VAGUE})

_TABLE = LearnedReading._meta.db_table


def digest(reason: str) -> bytes:
    """The key of a reason's cached reading: the SHA-256 of its text (UTF-8)."""
    return hashlib.sha256(reason.encode("utf-8")).digest()


def reasons_read(reasons: Iterable[str | None]) -> dict[str | None, str]:
    """The label of each distinct reason (see the module docstring)."""
    classifier = reason_classifier()
    labels = {reason: classifier.classify(reason or "").label for reason in set(reasons)}
    open_ = [reason for reason, label in labels.items() if label in OPEN_TO_LEARNED]
    if open_:
        readings = learned_readings([reason or "" for reason in open_])
        for reason in open_:
            labels[reason] = combine(labels[reason], readings[reason or ""])
    return labels


def learned_readings(reasons: list[str]) -> dict[str, Reading]:
    """The learned reading of each reason: from the cache when this model version has
    read it, else read now (in batches, vectorised) and added to the cache."""
    model = reason_model()
    keys = {reason: digest(reason) for reason in set(reasons)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT digest, label, score FROM {_TABLE}"  # noqa: S608 - table name from _meta # nosec B608
            " WHERE model_version = %s AND digest = ANY(%s)",
            [model.version, list(keys.values())],
        )
        cached = {bytes(key): (label, score) for key, label, score in cursor.fetchall()}
        readings: dict[str, Reading] = {}
        missing: list[str] = []
        for reason, key in keys.items():
            if key in cached:
                label, score = cached[key]
                readings[reason] = Reading(label=label, score=score, drivers=())
            else:
                missing.append(reason)
        if not missing:
            return readings
        fresh = model.read_many(missing)
        readings.update(zip(missing, fresh, strict=True))
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS learned_reading_new (digest bytea, label text,"
            " score float8, drivers jsonb) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE learned_reading_new")
        with cursor.cursor.copy(
            "COPY learned_reading_new (digest, label, score, drivers) FROM STDIN"
        ) as copy:
            for reason, reading in zip(missing, fresh, strict=True):
                drivers = [[text, round(weight, 4)] for text, weight in reading.drivers]
                copy.write_row(
                    (keys[reason], reading.label, reading.score,
                     json.dumps(drivers if reading.label != NONE else []))
                )  # fmt: skip
        # In the digests' order: two loads adding the same reasons wait for each other
        # in one order, never in a cycle.
        cursor.execute(
            f"INSERT INTO {_TABLE} (model_version, digest, label, score, drivers, read_at)"  # noqa: S608 - table name from _meta # nosec B608
            " SELECT %s, digest, label, score, drivers, now() FROM learned_reading_new"
            " ORDER BY digest ON CONFLICT (model_version, digest) DO NOTHING",
            [model.version],
        )
    return readings


def drivers_of(reasons: Iterable[str]) -> dict[str, LearnedReading]:
    """The latest learned reading (label, score, drivers) of each reason the model has
    read, for a finding's page; the web process never loads the model for it."""
    keys = {digest(reason): reason for reason in set(reasons) if reason}
    found = (
        LearnedReading.objects.filter(digest__in=list(keys))
        .order_by("digest", "-read_at", "-id")
        .distinct("digest")
    )
    return {keys[bytes(reading.digest)]: reading for reading in found}
