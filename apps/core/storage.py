"""The default storage of uploaded files (finding answers, declarations, engagement
notes): the file system, with every file encrypted at rest (apps/core/encrypted_files.py).

Files are written encrypted as they stream in and read back decrypted as a stream; the
names, directories and permissions are FileSystemStorage's. `size()` and `path()` are
those of the encrypted file on disk.
"""

from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage

from .encrypted_files import encrypted_chunks, open_decrypted


class _Encrypting:
    """What FileSystemStorage._save streams to disk: the encrypted form of `content`.
    It has no `temporary_file_path`, so a large upload Django kept in a temporary file
    is encrypted too instead of being moved into place as it is."""

    def __init__(self, content: File):
        self.content = content

    def chunks(self):
        return encrypted_chunks(self.content.chunks())


class EncryptedFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: File) -> str:
        return super()._save(name, _Encrypting(content))

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            raise ValueError("stored files are read only: save a new file instead")
        return File(open_decrypted(Path(self.path(name))), name=name)
