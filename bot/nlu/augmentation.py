"""Training-data augmentation: the forms citizens type that the data files do not spell out.

Every example gets an accent-less lowercase twin (Zalo users often type without
diacritics) and, for a deterministic share, a chat-shorthand twin ('không' -> 'ko').
Entity offsets stay valid: folding keeps the length, and shorthand twins are only
made for examples without entities.
"""
from __future__ import annotations

import re
import zlib
from typing import Dict, List

from procedure_kb.text import fold

# Reverse of the most common shorthand: full form -> shorthand, on whole words.
_SHORTHAND: Dict[str, str] = {
    "không": "ko", "được": "dc", "gì": "j", "bao nhiêu": "bn", "anh": "a", "em": "e",
    "chị": "c", "mình": "mk", "với": "vs", "rồi": "r", "đăng ký": "dk",
}
_SHORTHAND_PATTERN = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _SHORTHAND), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
SHORTHAND_SHARE = 4  # one example in this many gets a shorthand twin


def accentless(text: str) -> str:
    """How the text looks typed without diacritics (same length)."""
    return fold(text)


def shorthand(text: str) -> str:
    """The text with common words written in chat shorthand."""
    return _SHORTHAND_PATTERN.sub(lambda m: _SHORTHAND[m.group(1).lower()], text)


def variants(text: str, has_entities: bool) -> List[str]:
    """New spellings of `text` worth training on (never `text` itself)."""
    found = [accentless(text)]
    if not has_entities and zlib.crc32(text.encode()) % SHORTHAND_SHARE == 0:
        found.append(accentless(shorthand(text)))
    return [variant for i, variant in enumerate(found) if variant != text and variant not in found[:i]]
