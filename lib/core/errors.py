"""The only error types that leave `lib` on bad input: pages catch `ReturnToSpeedError` and show its message."""

from __future__ import annotations


class ReturnToSpeedError(Exception):
    """Base of every error lib raises on purpose."""


class InputError(ReturnToSpeedError, ValueError):
    """A value a person typed or a caller passed that lib cannot accept (a tier out of range, a note
    without text, a setting's value that is not one of its choices). A ValueError too, so that code
    written against the ValueError it used to be keeps working."""


class UnreadableFile(ReturnToSpeedError):
    """A file that cannot be read at all: one clear message, never a traceback."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class UnknownTable(ReturnToSpeedError):
    """A table name that is not one of the canonical tables."""
