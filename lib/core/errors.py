"""The only error types that leave `lib` on bad input."""

from __future__ import annotations


class ReturnToSpeedError(Exception):
    """Base of every error lib raises on purpose."""


class UnreadableFile(ReturnToSpeedError):
    """A file that cannot be read at all: one clear message, never a traceback."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class UnknownTable(ReturnToSpeedError):
    """A table name that is not one of the canonical tables."""
