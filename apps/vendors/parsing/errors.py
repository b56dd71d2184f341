from dataclasses import dataclass


class FileRejected(Exception):
    """The whole file cannot be loaded; `message` tells the uploader what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    """One row that cannot be loaded; the rest of the file still loads."""

    line: int
    column: str
    value: str
    message: str
