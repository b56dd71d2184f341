"""Encryption at rest benchmark: encrypt then decrypt a file through the portal's format.

    cd /work/main && .venv/bin/python -m bench.file_encryption [--megabytes 100]

Streams `--megabytes` of random bytes (1 MiB at a time, never the whole file in memory)
through `encrypted_chunks` into a file, then reads it back through `open_decrypted` and
checks the SHA-256, as an upload and a load do. Prints the seconds and MB/s of each
pass, the size on disk and the peak memory. No database needed.
"""

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    megabytes = parser.parse_args().megabytes
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", "postgres://unused/unused")
    os.environ.setdefault("REDIS_URL", "redis://unused")
    import django

    django.setup()
    from apps.core.encrypted_files import CHUNK_SIZE, encrypted_chunks, open_decrypted

    block = os.urandom(CHUNK_SIZE)
    written = hashlib.sha256()

    def plaintext():
        for index in range(megabytes):
            # A different block each time, so no chunk repeats, without holding them all.
            chunk = index.to_bytes(8, "big") + block[8:]
            written.update(chunk)
            yield chunk

    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "original"
        started = time.perf_counter()
        with path.open("wb") as target:
            for piece in encrypted_chunks(plaintext()):
                target.write(piece)
        encrypt = time.perf_counter() - started

        read = hashlib.sha256()
        started = time.perf_counter()
        with open_decrypted(path) as source:
            while chunk := source.read(CHUNK_SIZE):
                read.update(chunk)
        decrypt = time.perf_counter() - started
        assert read.digest() == written.digest(), "the decrypted file differs"
        stored = path.stat().st_size

    size = megabytes * CHUNK_SIZE / 1e6
    print(f"{megabytes} MiB ({size:.1f} MB), {stored / (megabytes * CHUNK_SIZE):.3f}x on disk")
    print(f"encrypt  {encrypt:6.2f} s  {size / encrypt:7.1f} MB/s")
    print(f"decrypt  {decrypt:6.2f} s  {size / decrypt:7.1f} MB/s")
    both = encrypt + decrypt
    print(f"both     {both:6.2f} s  {size / both:7.1f} MB/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
