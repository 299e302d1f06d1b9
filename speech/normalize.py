"""Vietnamese text normalisation for the lobby robot's TTS (espeak-ng).

`normalize(text, region)` turns a reply into the words to speak: numbers, money, dates,
times, percentages, phone numbers, ticket and form codes, legal references and the
field's abbreviations are written out; links and long codes point to the screen.
`read_number(n, region)` is the Vietnamese cardinal reading.

Decisions:
- Regions differ only in number words: "linh" and "nghìn" in the north (bac), "lẻ" and
  "ngàn" in the centre (trung, as spoken from Huế to the south-central coast) and the
  south (nam). Everywhere "mốt", "tư" and "lăm" after a tens word ("nhăm" is a casual
  northern variant, "lăm" is understood and used in every region), and "tỷ" for 10^9.
- Queue tickets are announced as the letter and the number's value, as the centres'
  callers do: "A015" → "A mười lăm". Form codes of two or more letters are spelled,
  digit by digit: "CT01" → "xê tê không một".
- Links and e-mail addresses become "địa chỉ trên màn hình"; after "xem", "xem thêm" or
  "tham khảo" with "tại/ở/trên" it is "xem trên màn hình", and after a noun such as
  "địa chỉ" or "trang web" just "trên màn hình".
- Dossier codes (000.00.15.H29-251020-0031) and complaint codes (PA-20261122-0001) are
  too long to take in by ear: they become "mã trên màn hình" (a "mã" already written
  before them is kept: "mã hồ sơ <code>" → "mã hồ sơ trên màn hình").
- Money: "đ", "VNĐ" after an amount become "đồng"; "đồng" is never added where the text
  has no currency ("1,5 triệu người" stays people). Decimals: "3,5" → "ba phẩy năm".
- Legal references are read as officials do: "123/2015/NĐ-CP" → "một trăm hai mươi ba
  năm hai nghìn không trăm mười lăm của Chính phủ".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Dict, List, Literal, Optional, Tuple, get_args

Region = Literal["bac", "trung", "nam"]
REGIONS: Tuple[str, ...] = get_args(Region)

DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCREEN = "trên màn hình"


@dataclass(frozen=True)
class _NumberWords:
    zero_tens: str  # the word for an empty tens place: 105 → "một trăm linh năm"
    thousand: str


_NUMBER_WORDS: Dict[str, _NumberWords] = {
    "bac": _NumberWords(zero_tens="linh", thousand="nghìn"),
    "trung": _NumberWords(zero_tens="lẻ", thousand="ngàn"),
    "nam": _NumberWords(zero_tens="lẻ", thousand="ngàn"),
}


def _check_region(region: str) -> None:
    if region not in REGIONS:
        raise ValueError(f"Unknown region {region!r}: expected one of {', '.join(REGIONS)}.")


def _number_words(region: str) -> _NumberWords:
    _check_region(region)
    return _NUMBER_WORDS[region]


# --- numbers ---------------------------------------------------------------------------

def read_number(n: int, region: str = "bac") -> str:
    """The Vietnamese cardinal reading of `n`: 2025 → "hai nghìn không trăm hai mươi lăm"."""
    words = _number_words(region)
    if n < 0:
        return f"âm {read_number(-n, region)}"
    return _read_positive(n, words, after_higher_unit=False) if n else "không"


def _read_positive(n: int, words: _NumberWords, after_higher_unit: bool) -> str:
    """n > 0, by groups of three digits; a group after a higher unit reads its zeros."""
    billions, rest = divmod(n, 10**9)
    parts: List[str] = []
    if billions:
        parts.append(f"{_read_positive(billions, words, after_higher_unit)} tỷ")
    full = bool(billions) or after_higher_unit
    for scale, unit in ((10**6, " triệu"), (10**3, f" {words.thousand}"), (1, "")):
        group, rest = divmod(rest, scale)
        if group:
            parts.append(_read_group(group, words, full) + unit)
            full = True
    return " ".join(parts)


def _read_group(n: int, words: _NumberWords, full: bool) -> str:
    """1..999; `full` says "không trăm" and "linh" (1005 → "... không trăm linh năm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    spoken = [DIGIT_WORDS[hundreds], "trăm"] if hundreds or full else []
    if tens == 1:
        spoken.append("mười")
    elif tens > 1:
        spoken += [DIGIT_WORDS[tens], "mươi"]
    elif units and spoken:
        spoken.append(words.zero_tens)
    if units:
        spoken.append(_units_word(tens, units))
    return " ".join(spoken)


def _units_word(tens: int, units: int) -> str:
    if tens and units == 5:
        return "lăm"
    if tens > 1 and units == 1:
        return "mốt"
    if tens > 1 and units == 4:
        return "tư"
    return DIGIT_WORDS[units]


LONGEST_READ_NUMBER = 15  # digits; longer runs (an id, a pasted code) are read digit by digit


def _read_digits(digits: str) -> str:
    return " ".join(DIGIT_WORDS[int(digit)] for digit in digits)


def _read_decimal(written: str, region: str) -> str:
    """ "1.250.000" (thousands dots), "3,5" (decimal comma); a short fraction is a number."""
    whole, _, fraction = written.partition(",")
    digits = whole.replace(".", "")
    if len(digits) > LONGEST_READ_NUMBER:  # no one says these as a number: digit by digit
        return _read_digits(written.replace(".", "").replace(",", ""))
    spoken = read_number(int(digits), region)
    if not fraction:
        return spoken
    if len(fraction) > 3:
        return f"{spoken} phẩy {_read_digits(fraction)}"
    significant = fraction.lstrip("0")
    zeros = ["không"] * (len(fraction) - len(significant))
    rest = [read_number(int(significant), region)] if significant else []
    return f"{spoken} phẩy {' '.join(zeros + rest)}"


def _read_ordinal(n: int, region: str) -> str:
    return {1: "nhất", 4: "tư"}.get(n) or read_number(n, region)


def _read_month(month: int, region: str) -> str:
    return "tư" if month == 4 else read_number(month, region)


# --- the rules, in the order they apply ---------------------------------------------------

Rule = Callable[[str, str], str]
_PAUSE_MARKS = ".,;:!?…"
_BULLET = re.compile(r"^\s*(?:[-*•+]|#+)\s+")
_EMPHASIS = re.compile(r"[*`]+")


def _clean_markup(text: str, _: str) -> str:
    """NFC; no emoji, bullets or emphasis; lines joined with a pause where none is written."""
    text = "".join(char for char in unicodedata.normalize("NFC", text) if not _is_symbol(char))
    lines = [_EMPHASIS.sub("", _BULLET.sub("", line)).strip() for line in text.splitlines()]
    joined = ""
    for line in filter(None, lines):
        if joined:
            joined += " " if joined[-1] in _PAUSE_MARKS else ", "
        joined += line
    return joined


def _is_symbol(char: str) -> bool:
    """Emoji and pictographs, their modifiers, joiners and variation selectors."""
    return unicodedata.category(char) in ("So", "Sk", "Cf", "Cs") or char in "\ufe0e\ufe0f\u20e3"


_LINK_TAIL = r"[^\s<>()\"']*[^\s<>()\"'.,;:!?]"
_LINK = (
    rf"(?:https?://|www\.){_LINK_TAIL}"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|(?<![\w@./-])[\w-]+(?:\.[\w-]+)*\.(?:vn|com|net|org|info)(?![\w-]|\.\w)(?:/{_LINK_TAIL})?"
)
_LINK_TO_SEE = re.compile(rf"\b(xem thêm|xem|tham khảo)\s+(?:tại|ở|trên)\s+(?:{_LINK})", re.I)
_LINK_AFTER_NOUN = re.compile(rf"\b(địa chỉ|trang web|website|trang)\s*:?\s+(?:{_LINK})", re.I)
_LINK_ALONE = re.compile(_LINK)


def _screen_links(text: str, _: str) -> str:
    text = _LINK_TO_SEE.sub(rf"\1 {SCREEN}", text)
    text = _LINK_AFTER_NOUN.sub(rf"\1 {SCREEN}", text)
    return _LINK_ALONE.sub(f"địa chỉ {SCREEN}", text)


_LONG_CODE = re.compile(
    r"(?:\b(mã(?: số| hồ sơ| phản ánh)?)\s+)?(?<![\w.-])"
    r"(?:\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}|PA-\d{8}-\d{4})(?![\w-])",
    re.I,
)


def _screen_codes(text: str, _: str) -> str:
    """Dossier and complaint codes → "mã trên màn hình"."""
    return _LONG_CODE.sub(lambda m: f"{m.group(1) or 'mã'} {SCREEN}", text)


_ISSUERS = {
    "CP": "Chính phủ", "TTg": "Thủ tướng Chính phủ", "BTC": "Bộ Tài chính", "BTP": "Bộ Tư pháp",
    "BCA": "Bộ Công an", "BLĐTBXH": "Bộ Lao động Thương binh và Xã hội", "BXD": "Bộ Xây dựng",
    "BTNMT": "Bộ Tài nguyên và Môi trường", "BNV": "Bộ Nội vụ", "BYT": "Bộ Y tế",
    "UBND": "Ủy ban nhân dân",
}
# "59/2024/TT-BTC", "123/2015/NĐ-CP", "41/2024/QH15" (the Quốc hội and its term).
_LEGAL_REFERENCE = re.compile(r"(?<![\w/])(\d{1,4})/(\d{4})/(?:[A-ZĐ]+-)?([A-ZĐ][A-Za-zĐ]*?)(\d*)(?![\w-])")


def _legal_references(text: str, region: str) -> str:
    def spoken(match: re.Match) -> str:
        number, year, issuer, term = match.groups()
        reading = f"{read_number(int(number), region)} năm {read_number(int(year), region)}"
        if issuer == "QH" and term:
            return f"{reading} của Quốc hội khóa {read_number(int(term), region)}"
        return f"{reading} của {_ISSUERS[issuer]}" if issuer in _ISSUERS and not term else reading

    return _LEGAL_REFERENCE.sub(spoken, text)


ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "CCCD": "căn cước công dân", "CMND": "chứng minh nhân dân", "VNeID": "vê en ê ai đi",
    "BHXH": "bảo hiểm xã hội", "BHYT": "bảo hiểm y tế", "BHTN": "bảo hiểm thất nghiệp",
    "TTHC": "thủ tục hành chính", "GCN": "giấy chứng nhận", "QSDĐ": "quyền sử dụng đất",
    "GPXD": "giấy phép xây dựng", "GPLX": "giấy phép lái xe", "ĐKKD": "đăng ký kinh doanh",
    "HKD": "hộ kinh doanh", "MST": "mã số thuế", "CSVC": "cơ sở vật chất",
    "STT": "số thứ tự", "SĐT": "số điện thoại", "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông", "TP": "thành phố", "HCM": "Hồ Chí Minh",
}
# "TP." always; "P.", "Q.", "TX." before a capitalised name or a number ("Q.1", "P. Bến Nghé").
_PLACE_PREFIXES = {"TP": "thành phố", "TX": "thị xã", "P": "phường", "Q": "quận"}
_PLACE_PREFIX = re.compile(r"(?<![\w.])(TP|TX|P|Q)\.\s*(\w)")
_ABBREVIATION = re.compile(
    r"(?<![\w.])(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?!\w)"
)


def _abbreviations(text: str, _: str) -> str:
    def place(match: re.Match) -> str:
        prefix, first = match.groups()
        if prefix != "TP" and not (first.isupper() or first.isdigit()):
            return match.group(0)
        return f"{_PLACE_PREFIXES[prefix]} {first}"

    text = _PLACE_PREFIX.sub(place, text)
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)


_PHONE_NUMBER = r"(?:\+84[ .\-]?)?\d+(?:[ .\-]\d+)*"
_HOTLINE = re.compile(
    rf"\b(số điện thoại|điện thoại|đường dây nóng|hotline|tổng đài|gọi)(\s*(?:số\s*)?:?\s*)"
    rf"({_PHONE_NUMBER})(?!\w)",
    re.I,
)
# 0 or +84, then 9 digits (mobile) or 10 (landline, 02x), each after an optional separator.
_PHONE = re.compile(r"(?<![\w+])(?:\+84|0)(?:[ .\-]?\d){9,10}(?![ .\-]?\d)")
_PHONE_SEPARATORS = re.compile(r"[ .\-]+")
_PHONE_GROUPS = {8: (4, 4), 10: (4, 3, 3), 11: (3, 4, 4)}
_MIN_HOTLINE_DIGITS = 3


def _phone_numbers(text: str, _: str) -> str:
    """Digit by digit, in the written groups (or the usual ones), a pause between groups."""
    def hotline(match: re.Match) -> str:
        keyword, gap, number = match.groups()
        if sum(char.isdigit() for char in number) < _MIN_HOTLINE_DIGITS:
            return match.group(0)
        return f"{keyword}{gap}{_speak_phone(number)}"

    text = _HOTLINE.sub(hotline, text)
    return _PHONE.sub(lambda m: _speak_phone(m.group(0)), text)


def _speak_phone(written: str) -> str:
    international = written.startswith("+84")
    groups = _PHONE_SEPARATORS.split(written[3:].strip(" .-") if international else written)
    if international:
        groups[0] = "0" + groups[0]
    if len(groups) == 1:
        groups = _usual_groups(groups[0])
    return ", ".join(_read_digits(group) for group in groups)


def _usual_groups(digits: str) -> List[str]:
    groups, start = [], 0
    for size in _PHONE_GROUPS.get(len(digits), (len(digits),)):
        groups.append(digits[start:start + size])
        start += size
    return groups


_CURRENCY = re.compile(r"(\d|triệu|nghìn|ngàn|tỷ|tỉ)\s*(?:đ|Đ|VNĐ|VND|vnđ|vnd)(?!\w)")
_MILLIONS_SHORT = re.compile(r"(?<=\d)\s*tr(?!\w)")
_PER_UNIT = re.compile(r"\bđồng\s*/\s*(?=\w)")


def _currency(text: str, _: str) -> str:
    """ "50.000đ", "50.000 VNĐ" → "50.000 đồng"; "1,5tr" → "1,5 triệu"; "đồng/bản" → "đồng một bản"."""
    text = _CURRENCY.sub(r"\1 đồng", text)
    text = _MILLIONS_SHORT.sub(" triệu", text)
    return _PER_UNIT.sub("đồng một ", text)


_RANGE_DASH = r"\s*(?:[-–]|đến)\s*"
_DATE = (r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{4})?|\d{1,2}-\d{1,2}-\d{4}"
         r"|\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}/\d{4}")
_DATE_PIECE = re.compile(rf"(?<![\w/.,])(?:{_DATE})(?![\w/]|[.,]\d)")
_DATES = re.compile(
    rf"(?:\b(ngày|tháng)\s+)?{_DATE_PIECE.pattern}(?:{_RANGE_DASH}(?:ngày\s+)?{_DATE_PIECE.pattern})?",
    re.I,
)


def _dates(text: str, region: str) -> str:
    """ "12/3/2025" → "ngày mười hai tháng ba năm ..."; "4/2025" → "tháng tư năm ..."; ranges."""
    def spoken(match: re.Match) -> str:
        readings = [_speak_date(piece.group(0), region) for piece in _DATE_PIECE.finditer(match.group(0))]
        if None in readings:
            return match.group(0)
        return " đến ".join([_after_written_word(match.group(1), readings[0])] + readings[1:])

    return _DATES.sub(spoken, text)


def _after_written_word(written: Optional[str], reading: str) -> str:
    """The writer's "ngày"/"tháng" before a date: kept in place of the reading's own word."""
    if not written:
        return reading
    first, _, rest = reading.partition(" ")
    return f"{written} {rest}" if first == written.lower() else f"{written} {reading}"


def _speak_date(written: str, region: str) -> Optional[str]:
    parts = re.split(r"[/.\-]", written)
    if len(parts[0]) == 4:
        parts.reverse()
    numbers = [int(part) for part in parts]
    if len(parts) == 2 and len(parts[1]) == 4:
        month, year = numbers
        if not 1 <= month <= 12:
            return None
        return f"tháng {_read_month(month, region)} năm {read_number(year, region)}"
    day, month = numbers[0], numbers[1]
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    spoken = f"ngày {read_number(day, region)} tháng {_read_month(month, region)}"
    return f"{spoken} năm {read_number(numbers[2], region)}" if len(numbers) == 3 else spoken


_TIME = r"(?:[01]?\d|2[0-4])(?::[0-5]\d|h(?:[0-5]\d)?|g[0-5]\d)"
_TIME_PIECE = re.compile(rf"(?<![\w:.,]){_TIME}(?![\w:])")
_TIMES = re.compile(rf"{_TIME_PIECE.pattern}(?:{_RANGE_DASH}{_TIME_PIECE.pattern})?")


def _times(text: str, region: str) -> str:
    """ "14:30", "8h30", "7g30" → "... giờ ... phút", "8h" → "tám giờ"; ranges with "đến"."""
    def spoken(match: re.Match) -> str:
        pieces = _TIME_PIECE.finditer(match.group(0))
        return " đến ".join(_speak_time(piece.group(0), region) for piece in pieces)

    return _TIMES.sub(spoken, text)


def _speak_time(written: str, region: str) -> str:
    hours, minutes = re.split(r"[:hg]", written)
    spoken = f"{read_number(int(hours), region)} giờ"
    return f"{spoken} {read_number(int(minutes), region)} phút" if minutes and int(minutes) else spoken


_NUMBER_RANGE = re.compile(r"(?<=\d)\s*[-–]\s*(?=\d)")


def _ranges(text: str, _: str) -> str:
    """ "5-7 ngày" → "5 đến 7 ngày"."""
    return _NUMBER_RANGE.sub(" đến ", text)


_ORDINAL = re.compile(rf"\b(thứ)\s+(\d{{1,3}})(?:{_RANGE_DASH}(?:thứ\s+)?(\d{{1,3}}))?(?!\w)", re.I)
_MONTH = re.compile(r"\b(tháng)\s+(\d{1,2})(?!\w)", re.I)


def _ordinals_and_months(text: str, region: str) -> str:
    """ "thứ 4" → "thứ tư", "thứ 2-6" → "thứ hai đến thứ sáu", "tháng 4" → "tháng tư"."""
    def ordinal(match: re.Match) -> str:
        word, first, last = match.groups()
        spoken = f"{word} {_read_ordinal(int(first), region)}"
        return f"{spoken} đến thứ {_read_ordinal(int(last), region)}" if last else spoken

    def month(match: re.Match) -> str:
        word, number = match.group(1), int(match.group(2))
        return f"{word} {_read_month(number, region)}" if 1 <= number <= 12 else match.group(0)

    return _MONTH.sub(month, _ORDINAL.sub(ordinal, text))


LETTER_NAMES = {
    "A": "A", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "E", "F": "ép", "G": "giê",
    "H": "hát", "I": "I", "J": "gi", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ",
    "O": "O", "P": "pê", "Q": "quy", "R": "e rờ", "S": "ét xì", "T": "tê", "U": "U",
    "V": "vê", "W": "vê kép", "X": "ích xì", "Y": "i dài", "Z": "dét",
}
_LETTERS_AND_DIGITS = re.compile(r"(?<![\w./-])([A-ZĐ]+)(\d+)(?!\w)")


def _letter_codes(text: str, region: str) -> str:
    """Ticket "A015" → "A mười lăm"; form code "CT01" → "xê tê không một"."""
    def spoken(match: re.Match) -> str:
        letters, digits = match.groups()
        names = " ".join(LETTER_NAMES[letter] for letter in letters)
        if len(letters) == 1:
            return f"{names} {read_number(int(digits), region)}"
        return f"{names} {_read_digits(digits)}"

    return _LETTERS_AND_DIGITS.sub(spoken, text)


_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d+(?:,\d+)?"
_PERCENT = re.compile(rf"({_NUMBER})\s*%")
_NUMBERS = re.compile(_NUMBER)


def _percentages(text: str, region: str) -> str:
    return _PERCENT.sub(lambda m: f"{_read_decimal(m.group(1), region)} phần trăm", text)


def _numbers(text: str, region: str) -> str:
    """Every number left; a long one with a leading zero is an identifier, read digit by digit."""
    def spoken(match: re.Match) -> str:
        written = match.group(0)
        if written.isdigit() and written.startswith("0") and len(written) > 3:
            return _read_digits(written)
        return _read_decimal(written, region)

    return _NUMBERS.sub(spoken, text)


_SPACED_DASH = re.compile(r"\s+[-–—]\s+")
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_MARK = re.compile(r"\s+(?=[.,;:!?…)])")


def _pauses_and_spaces(text: str, _: str) -> str:
    """A spaced dash is a pause (a comma); whitespace collapsed."""
    text = _SPACES.sub(" ", _SPACED_DASH.sub(", ", text))
    return _SPACE_BEFORE_MARK.sub("", text).strip()


_RULES: Tuple[Rule, ...] = (
    _clean_markup, _screen_links, _screen_codes, _legal_references, _abbreviations,
    _phone_numbers, _currency, _dates, _times, _ranges, _ordinals_and_months,
    _letter_codes, _percentages, _numbers, _pauses_and_spaces,
)


def normalize(text: str, region: str = "bac") -> str:
    """The words to speak for `text`, in the number words of `region` (bac, trung, nam)."""
    _check_region(region)
    for rule in _RULES:
        text = rule(text, region)
    return text
