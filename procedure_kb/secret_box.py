"""Encryption of stored conversation text (Fernet), with key rotation and a local key file.

Keys come from `LETAN_TRACKER_KEY` (comma-separated Fernet keys: the first encrypts, all
decrypt) or, when it is empty, from a key file created on first use (var/tracker.key).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from procedure_kb.settings import PROJECT_ROOT, get_settings

KEY_SETTING = "LETAN_TRACKER_KEY"
DEFAULT_KEY_FILE = Path("var/tracker.key")  # under PROJECT_ROOT


class SecretBoxError(RuntimeError):
    """A key is malformed, or stored text was encrypted with a key we do not have.

    Not a ValueError: Rasa's SQL tracker store takes a ValueError raised while reading
    for a missing PostgreSQL schema, and exits.
    """


class SecretBox:
    """Encrypts and decrypts text with the first of `keys`; decrypts with any of them."""

    def __init__(self, keys: Sequence[str], source: str) -> None:
        """`source` says where the keys came from, for error messages."""
        if not keys:
            raise SecretBoxError(f"No key in {source}")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError as error:
            raise SecretBoxError(f"A key in {source} is not a Fernet key: {error}") from None
        self.source = source

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise SecretBoxError(
                f"Stored conversation data cannot be decrypted with the key(s) from {self.source}: "
                f"it was encrypted with another key (or is not encrypted). Put the key that "
                f"wrote it back in {KEY_SETTING} (keys are comma-separated; all of them decrypt)."
            ) from None


def load_or_create_key(path: Path) -> str:
    """The key in `path`; a new one written there (mode 0600) when the file does not exist.

    The new file is linked into place atomically, so processes starting together agree on
    one key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(Fernet.generate_key() + b"\n")
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()


def tracker_box(key_file: Optional[Path] = None) -> SecretBox:
    """The box for Rasa's tracker events: the keys in LETAN_TRACKER_KEY, else the key file
    (`key_file`, default var/tracker.key; relative paths are under the project root)."""
    keys = [key.strip() for key in get_settings().tracker_key.split(",") if key.strip()]
    if keys:
        return SecretBox(keys, KEY_SETTING)
    path = PROJECT_ROOT / (key_file or DEFAULT_KEY_FILE)
    return SecretBox([load_or_create_key(path)], f"the key file {path} ({KEY_SETTING} is empty)")
