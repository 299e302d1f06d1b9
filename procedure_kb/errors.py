"""The base of domain errors: each carries a message meant for the staff member."""
from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; `message` says, in Vietnamese, what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
