"""Vietnamese mobile numbers: their canonical 10-digit form, and finding one in free text.

Mobile numbers are 0 + 9 digits with a 3, 5, 7, 8 or 9 after the 0 ("0912345678"),
or the same written internationally as +84/84 + 9 digits ("+84 912 345 678").
"""
from __future__ import annotations

import re
from typing import Optional

_CANONICAL = re.compile(r"^(?:\+?84|0)([35789][0-9]{8})$")
_SEPARATORS = re.compile(r"[\s.\-()]")
# A prefix and 9 digits, each optionally after one separator; a lookahead, so that a
# candidate that is no phone ("0031 091 234" of "...-0031 091 234 5678") hides nothing.
_CANDIDATE = re.compile(r"(?<![0-9+])(?=((?:\+?84\)?|0)(?:[ .\-]?[0-9]){9}(?![0-9])))")


def normalize_phone(text: str) -> Optional[str]:
    """The canonical form ("0912345678") of a number written alone, or None."""
    match = _CANONICAL.match(_SEPARATORS.sub("", text or ""))
    return f"0{match.group(1)}" if match else None


def find_phone(text: str) -> Optional[str]:
    """The first mobile number in a message, canonical, or None."""
    for candidate in _CANDIDATE.finditer(text or ""):
        phone = normalize_phone(candidate.group(1))
        if phone:
            return phone
    return None
