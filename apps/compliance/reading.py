"""Each distinct reason read once: by the terms, and where no immigration or health-care
term matched, by the learned signal too.

`reasons_read` gives the label a search stores (`SearchEvent.reason_label`):

- the terms' label (`apps.compliance.classifier`) when an immigration or health-care term
  matched: a term decides, and its findings may be critical;
- otherwise (the terms read "none", "vague" or "sensitive_data"), the learned signal's
  review label (``immigration_review``, ``health_care_review``) when the model reads such a
  purpose, so the search makes a finding for review, never a critical one
  (`learned.combine`; personal data in a reason does not hide the purpose it states);
- otherwise the terms' label.

The learned reading of a reason is kept in `LearnedReading`, by the SHA-256 of its text
and the model's version (label and score only), so a reason repeated across searches,
uploads and re-classifications is read by the model once. What drove a reading is worked
out again from the search's own reason when a finding's page shows it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import partial

from django.db import connection, transaction

from .learned import OPEN_TO_REVIEW, Reading, combine, reason_model
from .models import LearnedReading
from .terms import reason_classifier

_TABLE = LearnedReading._meta.db_table


def digest(reason: str) -> bytes:
    """The key of a reason's cached reading: the SHA-256 of its text (UTF-8)."""
    return hashlib.sha256(reason.encode("utf-8")).digest()


def reasons_read(reasons: Iterable[str | None]) -> dict[str | None, str]:
    """The label of each distinct reason (see the module docstring)."""
    classifier = reason_classifier()
    labels = {reason: classifier.classify(reason or "").label for reason in set(reasons)}
    open_ = [reason for reason, label in labels.items() if label in OPEN_TO_REVIEW]
    if open_:
        readings = learned_readings([reason or "" for reason in open_])
        for reason in open_:
            labels[reason] = combine(labels[reason], readings[reason or ""])
    return labels


def learned_readings(reasons: list[str]) -> dict[str, Reading]:
    """The learned reading of each reason: from the cache when this model version has
    read it, else read now (in batches, vectorised). New readings join the cache once
    the caller's transaction commits, in a short transaction of their own: a load never
    holds the cache's rows, so another municipality's load reading the same reason never
    waits for it (it reads the reason itself)."""
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
    if missing:
        fresh = model.read_many(missing)
        readings.update(zip(missing, fresh, strict=True))
        rows = sorted(
            (keys[reason], reading.label, reading.score)
            for reason, reading in zip(missing, fresh, strict=True)
        )
        # Robust: the cache failing to fill must not fail the load that committed.
        transaction.on_commit(partial(_cache_add, model.version, rows), robust=True)
    return readings


def _cache_add(model_version: str, rows: list[tuple[bytes, str, float]]) -> None:
    """Add readings to the cache, in the digests' order (two writers wait for each other
    in one order, never in a cycle); a reading another process added first stays."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE learned_reading_new (digest bytea, label text, score float8)"
            " ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            "COPY learned_reading_new (digest, label, score) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {_TABLE} (model_version, digest, label, score, read_at)"  # noqa: S608 - table name from _meta # nosec B608
            " SELECT %s, digest, label, score, now() FROM learned_reading_new"
            " ORDER BY digest ON CONFLICT (model_version, digest) DO NOTHING",
            [model_version],
        )


def learned_readings_purge(*, before) -> int:
    """Delete the cached readings made before ``before`` (the searches' retention
    cutoff): a reason seen again is read again. Returns how many went."""
    deleted, _ = LearnedReading.objects.filter(read_at__lt=before).delete()
    return deleted


def readings_shown(reasons: Iterable[str]) -> dict[str, Reading]:
    """The learned signal's reading of each reason, with what drove it, worked out now
    from the reason itself for a finding's page (nothing of a reason is stored)."""
    texts = sorted({reason for reason in reasons if reason})
    if not texts:
        return {}
    return dict(zip(texts, reason_model().read_many(texts), strict=True))
