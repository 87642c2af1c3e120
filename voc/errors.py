"""The one error hierarchy of the domain core.

Domain errors carry a stable ``code`` and no HTTP status; the API maps them once.

    VocError                      code
    ├── NotFound                  not_found        an id, name or file that does not exist
    ├── Conflict                  conflict         a state clash (duplicate, stale edit)
    ├── InvalidInput              invalid_input    bad user data; names what and where
    │   └── FileFormatError       invalid_file     a file that cannot be read at all
    ├── NotAllowed                not_allowed      the actor may not do this
    └── ModelUnavailable          model_unavailable  a model package or directory is missing
"""

from __future__ import annotations


class VocError(Exception):
    """Base of every domain error; ``code`` is stable and machine readable."""

    code = "voc_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(VocError):
    """Something asked for by id or name does not exist."""

    code = "not_found"


class Conflict(VocError):
    """The request clashes with the current state."""

    code = "conflict"


class InvalidInput(VocError):
    """User data is invalid; the detail says what and where."""

    code = "invalid_input"


class FileFormatError(InvalidInput):
    """A whole file cannot be read (encoding, binary, truncated structure)."""

    code = "invalid_file"


class NotAllowed(VocError):
    """The actor's role does not allow the action."""

    code = "not_allowed"


class ModelUnavailable(VocError):
    """A model (package or local directory) cannot be loaded."""

    code = "model_unavailable"
