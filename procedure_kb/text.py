"""Vietnamese text normalisation shared by the NLU and the KB search.

`fold` removes diacritics while keeping the string length, so character offsets
found in a folded string are valid in the original (NFC) string.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, List, NamedTuple

# Chat shorthand ("teencode") seen in messages to public-service chat channels.
TEENCODE: Dict[str, str] = {
    "ko": "không", "k": "không", "kg": "không", "khg": "không", "hok": "không",
    "hông": "không", "hem": "không", "hổng": "không",
    "dc": "được", "đc": "được", "dk": "đăng ký", "đk": "đăng ký", "dky": "đăng ký",
    "j": "gì", "bn": "bao nhiêu", "bnh": "bao nhiêu", "bnhiu": "bao nhiêu",
    "ns": "nói", "a": "anh", "e": "em", "c": "chị", "mk": "mình", "mik": "mình",
    "ak": "ạ", "vs": "với", "r": "rồi", "ntn": "như thế nào", "cx": "cũng",
    "z": "vậy", "v": "vậy", "dzậy": "vậy", "zậy": "vậy", "trc": "trước", "sđt": "số điện thoại",
    "cccd": "căn cước", "tks": "cảm ơn", "thanks": "cảm ơn", "thank": "cảm ơn", "ok": "vâng",
    "oke": "vâng", "okie": "vâng", "bhxh": "bảo hiểm xã hội", "bhyt": "bảo hiểm y tế",
    "ubnd": "ủy ban nhân dân", "gcn": "giấy chứng nhận", "lltp": "lý lịch tư pháp",
    "hello": "xin chào", "helo": "xin chào", "bye": "tạm biệt",
}

_LEGACY_CHARS = str.maketrans({"Ð": "Đ", "ð": "đ", "\u00a0": " "})
_SYLLABLE = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")
# A folded Vietnamese syllable: optional onset, 1-3 vowels, optional coda.
_VIETNAMESE_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|nh|ng|[cmnpt])?$"
)
# Below this share of Vietnamese syllables a message is treated as noise.
MIN_VIETNAMESE_SHARE = 0.3


def nfc(text: str) -> str:
    """Compose Unicode (NFC), fix legacy look-alike characters, trim spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(_LEGACY_CHARS)).strip()


def fold_char(char: str) -> str:
    """One character without its diacritics, lowercase; always one character."""
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0].lower()
    return base if len(base) == 1 else char


def fold(text: str) -> str:
    """Lowercase and strip diacritics, keeping the length: 'Đăng Ký' -> 'dang ky'."""
    return "".join(fold_char(c) for c in unicodedata.normalize("NFC", text))


def expand_teencode(syllable: str) -> str:
    """Full form of one chat-shorthand syllable ('ko' -> 'không'), else unchanged."""
    return TEENCODE.get(syllable.lower(), syllable)


class Term(NamedTuple):
    """A normalised search term and the span of the original text it came from."""

    text: str
    start: int
    end: int


def terms(text: str) -> List[Term]:
    """Folded, teencode-expanded terms of `text`, with spans in the NFC text.

    A shorthand syllable may expand to several terms ('dk' -> 'dang', 'ky');
    they share the span of the syllable.
    """
    composed = unicodedata.normalize("NFC", text)
    result: List[Term] = []
    for match in _SYLLABLE.finditer(composed):
        expanded = expand_teencode(match.group())
        for word in fold(expanded).split():
            result.append(Term(word, match.start(), match.end()))
    return result


def folded_key(text: str) -> str:
    """The comparison key of a name or alias: folded, expanded terms joined by spaces."""
    return " ".join(term.text for term in terms(text))


def vietnamese_share(text: str) -> float:
    """Share of the words of `text` that are Vietnamese syllables (0.0 when empty)."""
    words = [term.text for term in terms(text)]
    if not words:
        return 0.0
    return sum(bool(_VIETNAMESE_SYLLABLE.match(word)) for word in words) / len(words)


def looks_like_vietnamese(text: str) -> bool:
    """False for empty text, emoji, code, gibberish: nothing a citizen could have said."""
    return vietnamese_share(text) >= MIN_VIETNAMESE_SHARE


def unaccented(text: str) -> str:
    """The text without diacritics, keeping case ('Đăng Ký' -> 'Dang Ky'), for ASCII devices."""
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return stripped.replace("đ", "d").replace("Đ", "D")


def lower_first(text: str) -> str:
    """'Đăng ký khai sinh' -> 'đăng ký khai sinh' inside a sentence; 'VNeID', 'UBND' stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
