"""Errors that mean "the input is wrong", as opposed to bugs.

Callers (the CLI, the REST service) turn an InputError into a one-line
message or a 4xx problem+json body; `field` names what was wrong.
"""


class InputError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ModelUnavailable(RuntimeError):
    """The seq2seq model could not be loaded (offline, missing, or broken)."""


class ResourceUnavailable(RuntimeError):
    """Language data shipped in the package could not be read (a broken install)."""
