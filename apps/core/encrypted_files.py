"""Stored files encrypted at rest, in chunks, so that neither writing nor reading a file
of hundreds of megabytes holds it in memory.

Keys come from `PORTAL_FILE_KEYS`, a list of Fernet keys: the first encrypts, every one
is tried to decrypt, so a new key goes first and the old ones stay until
`rotate_file_keys` has re-encrypted every file under the new one.

The format, version 1:

    header   MAGIC (b"ALPRPF", 6 bytes), VERSION (1 byte), file id (16 random bytes)
    frames   repeated: the token's length (4 bytes, big-endian), then a Fernet token
             (its raw bytes: the base64 of the usual token form is decoded)
    token    plaintext: file id (16 bytes), chunk index (8 bytes, big-endian, from 0),
             last-chunk flag (1 byte: 1 on the last chunk, 0 otherwise), then the data

Every chunk but the last holds exactly CHUNK_SIZE bytes; an empty file is one last chunk
with no data. Fernet authenticates each token (AES-128-CBC with HMAC-SHA256), and what is
inside a token ties it to its place, so a reader refuses, with EncryptedFileError:
- a token no key opens (a wrong key, a changed byte);
- a token of another file (its file id differs from the header's): a spliced file;
- a token out of order (its index is not the next one): reordered or dropped chunks;
- an end of file before the last chunk (a cut file), or anything after it.
"""

import base64
import io
import os
import secrets
import struct
import tempfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Literal

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"ALPRPF"
VERSION = 1
CHUNK_SIZE = 1024 * 1024
_ID_SIZE = 16
_HEADER_SIZE = len(MAGIC) + 1 + _ID_SIZE
_LENGTH = struct.Struct(">I")
_PLACE = struct.Struct(">QB")  # chunk index, last-chunk flag
# Fernet's raw token: version, timestamp, IV, ciphertext padded to 16 bytes, HMAC.
_LONGEST_TOKEN = 1 + 8 + 16 + (_ID_SIZE + _PLACE.size + CHUNK_SIZE + 16) + 32


class EncryptedFileError(Exception):
    """The stored file is not one this portal wrote, or it was changed since."""


def file_keys() -> MultiFernet:
    """The keys of `PORTAL_FILE_KEYS`: the first encrypts, all decrypt."""
    return _keys(tuple(settings.PORTAL_FILE_KEYS))


def _primary_key() -> Fernet:
    return _fernets(tuple(settings.PORTAL_FILE_KEYS))[0]


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    keys = tuple(key.strip() for key in keys if key.strip())
    if not keys:
        raise ImproperlyConfigured(
            "PORTAL_FILE_KEYS is empty: stored files cannot be encrypted or read."
        )
    try:
        return tuple(Fernet(key) for key in keys)
    except ValueError:
        raise ImproperlyConfigured(
            "PORTAL_FILE_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from None


@lru_cache(maxsize=8)
def _keys(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(list(_fernets(keys)))


def encrypted_chunks(
    chunks: Iterable[bytes], *, keys: MultiFernet | None = None
) -> Iterator[bytes]:
    """The encrypted form of the bytes `chunks` yields, as the header then one frame per
    CHUNK_SIZE of plaintext; holds at most about two chunks in memory."""
    keys = keys or file_keys()
    file_id = secrets.token_bytes(_ID_SIZE)
    yield MAGIC + bytes([VERSION]) + file_id

    def frame(index: int, last: bool, data: bytes | bytearray) -> bytes:
        token = keys.encrypt(file_id + _PLACE.pack(index, last) + data)
        raw = base64.urlsafe_b64decode(token)
        return _LENGTH.pack(len(raw)) + raw

    pending = bytearray()
    index = 0
    for chunk in chunks:
        pending += chunk
        # A chunk is written only once more data follows it: then it is not the last.
        while len(pending) > CHUNK_SIZE:
            yield frame(index, False, pending[:CHUNK_SIZE])
            del pending[:CHUNK_SIZE]
            index += 1
    yield frame(index, True, pending)


class DecryptingReader(io.RawIOBase):
    """Reads the plaintext of an encrypted stream, checking each chunk's place.

    Not seekable. The first chunk is decrypted on opening, so a wrong key or a foreign
    file fails before anything is read; a later damaged chunk fails when reached.
    """

    def __init__(self, source: BinaryIO, *, keys: MultiFernet | None = None):
        super().__init__()
        self._source = source
        self._keys = keys or file_keys()
        try:
            header = source.read(_HEADER_SIZE)
            if len(header) < _HEADER_SIZE or not header.startswith(MAGIC):
                raise EncryptedFileError("not an encrypted portal file")
            if header[len(MAGIC)] != VERSION:
                raise EncryptedFileError(f"unknown format version {header[len(MAGIC)]}")
            self._file_id = header[-_ID_SIZE:]
            self._index = 0
            self._finished = False
            self._buffer = memoryview(b"")
            self._next_chunk()
        except BaseException:
            source.close()
            raise

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer and not self._finished:
            self._next_chunk()
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()

    def _next_chunk(self) -> None:
        length = self._source.read(_LENGTH.size)
        if not length:
            raise EncryptedFileError("the file is cut: its last chunk is missing")
        if len(length) < _LENGTH.size:
            raise EncryptedFileError("the file is cut inside a chunk")
        (size,) = _LENGTH.unpack(length)
        if size > _LONGEST_TOKEN:
            raise EncryptedFileError("a chunk is longer than any this portal writes")
        raw = self._source.read(size)
        if len(raw) < size:
            raise EncryptedFileError("the file is cut inside a chunk")
        try:
            plain = self._keys.decrypt(base64.urlsafe_b64encode(raw))
        except InvalidToken:
            raise EncryptedFileError(
                "a chunk does not open with any key of PORTAL_FILE_KEYS (wrong key or changed)"
            ) from None
        if plain[:_ID_SIZE] != self._file_id:
            raise EncryptedFileError("a chunk belongs to another file")
        index, last = _PLACE.unpack_from(plain, _ID_SIZE)
        if index != self._index:
            raise EncryptedFileError(f"chunk {index} found where chunk {self._index} belongs")
        self._index += 1
        self._buffer = memoryview(plain)[_ID_SIZE + _PLACE.size :]
        if last:
            if self._source.read(1):
                raise EncryptedFileError("there is data after the last chunk")
            self._finished = True


def open_decrypted(path: Path) -> io.BufferedReader:
    """A buffered reader of the plaintext of the encrypted file at `path`."""
    return io.BufferedReader(DecryptingReader(path.open("rb")), buffer_size=CHUNK_SIZE)


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as source:
        return source.read(len(MAGIC)) == MAGIC


def _under_primary_key(path: Path) -> bool:
    with path.open("rb") as source:
        source.seek(_HEADER_SIZE)
        length = source.read(_LENGTH.size)
        if len(length) < _LENGTH.size:
            return False  # damaged: decrypting it again will say how
        (size,) = _LENGTH.unpack(length)
        token = base64.urlsafe_b64encode(source.read(min(size, _LONGEST_TOKEN)))
    try:
        _primary_key().decrypt(token)
    except InvalidToken:
        return False
    return True


def file_reencrypt(path: Path) -> Literal["current", "rotated", "encrypted"]:
    """Put the file at `path` under the first key of PORTAL_FILE_KEYS, in place.

    "current": already under it, left alone; "rotated": decrypted with an older key and
    encrypted again; "encrypted": a file stored in clear before encryption at rest, now
    encrypted. The new file replaces the old one atomically, with the same permissions.
    """
    if not is_encrypted(path):
        outcome, opened = "encrypted", path.open("rb")
    elif _under_primary_key(path):
        return "current"
    else:
        outcome, opened = "rotated", open_decrypted(path)
    mode = path.stat().st_mode & 0o777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rotating-")
    try:
        with opened as source, os.fdopen(handle, "wb") as target:
            for piece in encrypted_chunks(iter(lambda: source.read(CHUNK_SIZE), b"")):
                target.write(piece)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return outcome
