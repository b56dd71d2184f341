"""Uploaded originals: encrypted at rest, downloaded only by those who may see evidence
and only with a reason, purged after the retention period while what was loaded from
them (searches, findings and their evidence) stays."""

import base64
import csv
import hashlib
import io
import os
import struct
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateformat import format as date_format

from apps.audits.evaluation import municipality_evaluate
from apps.audits.models import Finding
from apps.core.encrypted_files import (
    CHUNK_SIZE,
    DecryptingReader,
    EncryptedFileError,
    encrypted_chunks,
    file_keys,
)
from apps.core.models import ActivityEntry
from apps.municipalities.scoping import municipality_scope, statewide_scope
from apps.sharing.models import SearchEvent
from apps.vendors.loading import export_load
from apps.vendors.models import VendorExport
from apps.vendors.services import export_receive
from apps.vendors.storage import export_decrypted, export_open, export_path
from apps.vendors.tasks import originals_purge
from tests.vendors.factories import flock

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
AUDIT = SAMPLES / "flock_network_audit_13col.csv"
REDACTED = {"", "***", "REDACTED"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def sample_people_and_plates() -> set[str]:
    """Every officer name and plate the sample holds in clear (read here, not by the
    portal's parser)."""
    with AUDIT.open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    values = {row["Name"] for row in rows} | {row["License Plate"] for row in rows}
    return values - REDACTED


def receive(municipality, path: Path = AUDIT, *, name: str | None = None):
    with municipality_scope(municipality):
        return export_receive(
            municipality=municipality, vendor=flock(), kind="",
            original_name=name or path.name, chunks=[path.read_bytes()],
            uploaded_by=None, queue=False,
        )  # fmt: skip


def upload_and_load(municipality, path: Path = AUDIT) -> VendorExport:
    received = receive(municipality, path)
    with municipality_scope(municipality):
        return export_load(export_id=received.export.pk)


def frames(encrypted: bytes) -> tuple[bytes, list[bytes]]:
    """The header and the length-prefixed frames of an encrypted file (format v1)."""
    header, rest, found = encrypted[:23], encrypted[23:], []
    while rest:
        (size,) = struct.unpack(">I", rest[:4])
        found.append(rest[: 4 + size])
        rest = rest[4 + size :]
    return header, found


def read_all(encrypted: bytes) -> bytes:
    with DecryptingReader(io.BytesIO(encrypted)) as reader:
        return reader.read()


def age(export: VendorExport, days: int) -> None:
    with statewide_scope():
        VendorExport.objects.filter(pk=export.pk).update(
            received_at=timezone.now() - timedelta(days=days)
        )


def export_state(export: VendorExport) -> VendorExport:
    with statewide_scope():
        return VendorExport.objects.get(pk=export.pk)


# --- encrypted at rest ----------------------------------------------------------------


def test_a_stored_original_holds_no_plate_or_officer_name_on_disk(municipality_a, media_root):
    plain = AUDIT.read_bytes()
    secrets = sample_people_and_plates()
    assert {"RVX4821", "Sgt. R. Delgado", "Dep. K. Whitfield"} <= secrets
    assert all(value.encode() in plain for value in secrets)

    export = upload_and_load(municipality_a)

    assert export.status == VendorExport.Status.LOADED
    on_disk = [path for path in Path(media_root).rglob("*") if path.is_file()]
    assert on_disk == [export_path(export.sha256)]
    stored = on_disk[0].read_bytes()
    assert stored.startswith(b"ALPRPF\x01")
    leaked = [value for value in secrets if value.encode() in stored]
    assert leaked == []
    assert b"Ward County" not in stored and b"stolen vehicle" not in stored


def test_the_stored_original_opens_with_the_portal_key_and_with_no_other(municipality_a, settings):
    export = receive(municipality_a).export

    with export_open(export.sha256) as stored:
        assert stored.read() == AUDIT.read_bytes()
    settings.PORTAL_FILE_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(EncryptedFileError, match="does not open"):
        export_open(export.sha256)


def test_the_sha256_is_that_of_the_upload_so_the_same_file_is_still_recognised(
    municipality_a,
):
    first = receive(municipality_a)
    again = receive(municipality_a, name="the same, renamed.csv")

    assert again.already_uploaded is True
    assert again.export.pk == first.export.pk
    assert first.export.sha256 == hashlib.sha256(AUDIT.read_bytes()).hexdigest()


def test_a_cut_reordered_or_spliced_encrypted_file_is_refused(db):
    plain = os.urandom(2 * CHUNK_SIZE + 1000)  # three chunks
    encrypted = b"".join(encrypted_chunks([plain]))
    header, parts = frames(encrypted)
    assert len(parts) == 3
    assert read_all(encrypted) == plain
    _, other_parts = frames(b"".join(encrypted_chunks([plain])))

    damaged = {
        "last chunk cut off": header + parts[0] + parts[1],
        "cut inside a chunk": encrypted[:-100],
        "chunks reordered": header + parts[1] + parts[0] + parts[2],
        "a chunk dropped": header + parts[0] + parts[2],
        "a chunk of another file": header + parts[0] + other_parts[1] + parts[2],
        "data after the last chunk": encrypted + parts[2],
        "header only": header,
        "a changed byte": encrypted[:500] + bytes([encrypted[500] ^ 1]) + encrypted[501:],
        "not encrypted at all": plain,
    }
    accepted = []
    for what, content in damaged.items():
        try:
            read_all(content)
        except EncryptedFileError:
            continue
        accepted.append(what)
    assert accepted == []


def test_an_empty_file_is_one_last_chunk_and_reads_back_empty(db):
    encrypted = b"".join(encrypted_chunks([]))

    assert len(frames(encrypted)[1]) == 1
    assert read_all(encrypted) == b""


def test_files_saved_through_the_default_storage_are_encrypted_at_rest(media_root):
    secret = b"%PDF-1.4 declaration signed by Sgt. R. Delgado, plate RVX4821"
    small = default_storage.save("declarations/small.pdf", ContentFile(secret))
    # A large upload Django keeps in a temporary file is encrypted too, not moved as it is.
    large_upload = TemporaryUploadedFile("answer.pdf", "application/pdf", len(secret), None)
    large_upload.write(secret)
    large_upload.seek(0)
    large = default_storage.save("finding-evidence/large", large_upload)

    for name in (small, large):
        on_disk = (Path(media_root) / name).read_bytes()
        assert b"Delgado" not in on_disk and b"RVX4821" not in on_disk
        with default_storage.open(name) as stored:
            assert stored.read() == secret


def test_the_loader_reads_a_private_copy_that_is_deleted_afterwards(municipality_a, media_root):
    export = receive(municipality_a).export

    with export_decrypted(export.sha256) as copy:
        assert copy.read_bytes() == AUDIT.read_bytes()
        assert copy.stat().st_mode & 0o777 == 0o600
        assert copy.parent.stat().st_mode & 0o777 == 0o700
    assert not copy.exists()
    assert list(copy.parent.iterdir()) == []


def test_an_xlsx_original_still_loads_from_its_decrypted_copy(municipality_a):
    # XLSX needs random access (a ZIP): the encrypted stream alone would not do.
    export = upload_and_load(municipality_a, SAMPLES / "flock_network_audit.xlsx")

    assert export.status == VendorExport.Status.LOADED, export.message
    assert export.rows_loaded == 10


# --- key rotation ---------------------------------------------------------------------


def test_rotating_keys_reencrypts_every_stored_file_under_the_new_key(
    municipality_a, media_root, settings
):
    old_key, new_key = settings.PORTAL_FILE_KEYS[0], Fernet.generate_key().decode()
    export = receive(municipality_a).export
    note = default_storage.save("finding-evidence/note", ContentFile(b"an answer"))
    # A file stored before encryption at rest, in clear.
    legacy = Path(media_root) / "declarations" / "legacy.pdf"
    legacy.parent.mkdir()
    legacy.write_bytes(b"%PDF-1.4 stored in clear")
    os.utime(legacy, (0, 0))

    settings.PORTAL_FILE_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_file_keys", stdout=out)
    assert out.getvalue().startswith("2 file(s) re-encrypted from an older key, 1 encrypted")

    settings.PORTAL_FILE_KEYS = [new_key]
    with export_open(export.sha256) as stored:
        assert stored.read() == AUDIT.read_bytes()
    with default_storage.open(note) as stored:
        assert stored.read() == b"an answer"
    with default_storage.open("declarations/legacy.pdf") as stored:
        assert stored.read() == b"%PDF-1.4 stored in clear"
    assert b"stored in clear" not in legacy.read_bytes()
    assert export_path(export.sha256).stat().st_mode & 0o777 == 0o440

    again = io.StringIO()
    call_command("rotate_file_keys", stdout=again)
    assert again.getvalue().startswith("0 file(s) re-encrypted from an older key, 0 encrypted")
    assert "3 already under the first key, 0 failed" in again.getvalue()


def test_rotation_names_the_files_no_listed_key_opens(municipality_a, settings):
    receive(municipality_a)
    settings.PORTAL_FILE_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match=r"exports/[0-9a-f]{2}/[0-9a-f]{64}: a chunk"):
        call_command("rotate_file_keys", stdout=io.StringIO())


# --- downloading an original ----------------------------------------------------------


def file_url(municipality, export) -> str:
    return f"/m/{municipality.slug}/exports/{export.pk}/file/"


def downloads() -> list[ActivityEntry]:
    return list(ActivityEntry.objects.filter(action="download").order_by("seq"))


def test_an_administrator_is_refused_the_original_whatever_the_method(
    client, administrator, municipality_a
):
    export = receive(municipality_a).export
    client.force_login(administrator)

    assert client.get(file_url(municipality_a, export)).status_code == 403
    answer = client.post(file_url(municipality_a, export), {"reason": "curious"})
    assert answer.status_code == 403
    assert downloads() == []
    detail = client.get(f"/m/{municipality_a.slug}/exports/{export.pk}/").content.decode()
    assert "download the file as received" not in detail


def test_staff_of_another_municipality_get_404_and_anonymous_is_sent_to_sign_in(
    client, clerk_b, municipality_a
):
    export = receive(municipality_a).export

    anonymous = client.post(file_url(municipality_a, export), {"reason": "curious"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(clerk_b)
    assert client.post(file_url(municipality_a, export), {"reason": "x"}).status_code == 404
    assert downloads() == []


def test_a_download_without_a_reason_is_refused(client, auditor, municipality_a):
    export = receive(municipality_a).export
    client.force_login(auditor)

    form = client.get(file_url(municipality_a, export))
    assert form.status_code == 200
    assert 'name="reason"' in form.content.decode()
    for reason in ({}, {"reason": ""}, {"reason": "   "}):
        refused = client.post(file_url(municipality_a, export), reason)
        assert refused.status_code == 400
        assert "a download without a reason is refused" in refused.content.decode()
        assert refused["Content-Type"].startswith("text/html")
    assert downloads() == []


@pytest.mark.parametrize("who", ["auditor", "clerk_a"])
def test_a_download_with_a_reason_streams_the_exact_original_and_logs_the_reason(
    client, request, who, municipality_a
):
    export = receive(municipality_a, name="Maple Grove October audit.csv").export
    user = request.getfixturevalue(who)
    client.force_login(user)

    response = client.post(
        file_url(municipality_a, export), {"reason": "Engagement 2026-04, finding 17"}
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == AUDIT.read_bytes()
    assert response["Content-Type"] == "application/octet-stream"
    assert 'filename="Maple-Grove-October-audit.csv"' in response["Content-Disposition"]
    assert int(response["Content-Length"]) == AUDIT.stat().st_size
    [entry] = downloads()
    assert entry.actor == user
    assert entry.subject_id == str(export.pk)
    assert entry.municipality_id == municipality_a.pk
    assert entry.detail["reason"] == "Engagement 2026-04, finding 17"


# --- purging after the retention period -----------------------------------------------


def test_purge_removes_the_original_and_the_finding_still_shows_its_evidence(
    client, clerk_a, municipality_a, settings
):
    export = upload_and_load(municipality_a)
    with municipality_scope(municipality_a):
        municipality_evaluate(municipality=municipality_a, trigger="manual")
        finding = Finding.objects.filter(rule_code="IMMIGRATION_SEARCH").order_by("pk").first()
        searches = SearchEvent.objects.filter(source_export=export).count()
    assert finding.evidence["files"][0]["export"] == export.pk
    assert searches == 25
    age(export, settings.PORTAL_ORIGINAL_RETENTION_DAYS + 1)

    out = io.StringIO()
    call_command("purge_originals", stdout=out)

    assert "1 export(s) purged, 1 file(s) removed" in out.getvalue()
    assert not export_path(export.sha256).exists()
    purged = export_state(export)
    assert purged.original_purged_at is not None
    entry = ActivityEntry.objects.get(action="export.original_purged")
    assert entry.subject_id == str(export.pk) and entry.municipality_id == municipality_a.pk
    assert entry.actor is None and entry.actor_label == "system"
    with municipality_scope(municipality_a):
        assert SearchEvent.objects.filter(source_export=export).count() == searches

    client.force_login(clerk_a)
    page = client.get(f"/m/{municipality_a.slug}/findings/{finding.pk}/").content.decode()
    evidence = page[page.index('id="evidence-heading"') :]
    assert f"/m/{municipality_a.slug}/exports/{export.pk}/" in evidence
    assert AUDIT.name in evidence
    lines = finding.evidence["files"][0]["lines"]
    assert ", ".join(str(line) for line in lines) in evidence
    detail = client.get(f"/m/{municipality_a.slug}/exports/{export.pk}/").content.decode()
    purged_on = date_format(timezone.localtime(purged.original_purged_at), "M j, Y")
    assert f"the original was purged on {purged_on}" in detail
    assert "download the file as received" not in detail
    assert "Rows loaded" in detail
    form = client.get(file_url(municipality_a, export)).content.decode()
    assert f"The original was purged on {purged_on}" in form and 'name="reason"' not in form
    assert client.post(file_url(municipality_a, export), {"reason": "x"}).status_code == 404


def test_a_file_shared_with_a_newer_export_stays_until_that_one_expires_too(
    municipality_a, municipality_b, settings
):
    days = settings.PORTAL_ORIGINAL_RETENTION_DAYS
    older = upload_and_load(municipality_a)
    newer = upload_and_load(municipality_b)
    waiting = receive(municipality_a, SAMPLES / "generic_grants.csv").export
    age(older, days + 10)
    age(waiting, days + 10)  # never loaded: it still needs its file
    assert older.sha256 == newer.sha256

    assert originals_purge() == 1  # the Celery task, run here in the test process

    assert export_state(older).original_purged_at is not None
    assert export_state(newer).original_purged_at is None
    assert export_state(waiting).original_purged_at is None
    assert export_path(older.sha256).exists()
    with export_open(newer.sha256) as stored:
        assert stored.read() == AUDIT.read_bytes()
    assert originals_purge() == 0

    age(newer, days + 1)
    assert originals_purge() == 1
    assert not export_path(newer.sha256).exists()
    assert export_path(waiting.sha256).exists()
    assert ActivityEntry.objects.filter(action="export.original_purged").count() == 2


def test_an_export_within_the_retention_period_keeps_its_original(municipality_a, settings):
    export = upload_and_load(municipality_a)
    age(export, settings.PORTAL_ORIGINAL_RETENTION_DAYS - 1)

    assert originals_purge() == 0
    assert export_path(export.sha256).exists()
    settings.PORTAL_ORIGINAL_RETENTION_DAYS = 30
    assert originals_purge() == 1
    assert not export_path(export.sha256).exists()


def test_uploading_a_purged_original_again_does_not_store_it_again(municipality_a, settings):
    export = upload_and_load(municipality_a)
    age(export, settings.PORTAL_ORIGINAL_RETENTION_DAYS + 1)
    originals_purge()

    again = receive(municipality_a)

    assert again.already_uploaded is True and again.export.pk == export.pk
    assert not export_path(export.sha256).exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


def test_the_purge_runs_every_night_in_celery_beat(settings):
    from config.celery_app import app

    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "vendors.originals_purge" in scheduled
    assert "vendors.originals_purge" in app.tasks
    assert settings.PORTAL_ORIGINAL_RETENTION_DAYS == 730


def test_the_key_list_puts_the_first_key_first(settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PORTAL_FILE_KEYS = [second]
    written = b"".join(encrypted_chunks([b"rotation"]))
    settings.PORTAL_FILE_KEYS = [first, second]

    assert read_all(written) == b"rotation"  # an older key still decrypts
    token = frames(b"".join(encrypted_chunks([b"new"], keys=file_keys())))[1][0][4:]
    Fernet(first).decrypt(base64.urlsafe_b64encode(token))  # the first key encrypts
