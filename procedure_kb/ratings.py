"""Citizens' satisfaction ratings: recording them, reading a score from a message, and the
satisfaction rate per local day.

A rating is *satisfied* when its score is 4 or 5 ("hài lòng", "rất hài lòng"); 3 is neutral,
1 and 2 are not satisfied. Days are the centre's local days (Asia/Ho_Chi_Minh, as for
queue numbers); times are stored in UTC.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from procedure_kb.errors import DomainError
from procedure_kb.models import Rating
from procedure_kb.queue import LOCAL_TZ, local_now
from procedure_kb.text import fold, folded_key, nfc

SCORES = range(1, 6)
SATISFIED_FROM = 4
MAX_COMMENT = 1000
MAX_CHANNEL, MAX_SERVICE, MAX_SENDER = 20, 40, 100
COMMENTS_SHOWN = 50
DEFAULT_DAYS = 30


@dataclass
class DaySatisfaction:
    day: date
    count: int
    average: float  # mean score, two decimals
    satisfied_share: float  # share of scores >= SATISFIED_FROM, 0..1
    scores: Dict[int, int]  # how many ratings gave each score 1..5


@dataclass
class RatingComment:
    at: datetime  # local time
    score: int
    channel: str
    service: str
    text: str


def record_rating(session: Session, score: int, channel: str, service: str,
                  sender_id: str = "", comment: str = "") -> Rating:
    """Store a rating and give it an id (the caller commits).

    `comment` is kept verbatim (stripped, at most 1000 characters); an empty one is None.
    """
    rating = Rating(
        score=_checked_score(score),
        channel=_checked_label(channel or "unknown", MAX_CHANNEL, "Kênh"),
        service=_checked_label(service, MAX_SERVICE, "Dịch vụ được đánh giá"),
        sender_id=sender_id.strip()[:MAX_SENDER] or None,
        comment=_clean_comment(comment),
    )
    session.add(rating)
    session.flush()
    return rating


def add_comment(session: Session, rating_id: int, comment: str) -> Rating:
    """Attach a comment sent after the score; a later one is appended, never replacing."""
    rating = session.get(Rating, rating_id)
    if rating is None:
        raise DomainError(f"Không tìm thấy lượt đánh giá số {rating_id}.")
    addition = _clean_comment(comment)
    if addition:
        rating.comment = _clean_comment(f"{rating.comment}\n{addition}") if rating.comment else addition
    return rating


def daily_satisfaction(session: Session, since: date, until: date, channel: Optional[str] = None,
                       service: Optional[str] = None) -> List[DaySatisfaction]:
    """Each local day from `since` to `until` (inclusive) that has ratings, oldest first."""
    query = _filtered(select(Rating.at, Rating.score), since, until, channel, service)
    scores_by_day: Dict[date, List[int]] = defaultdict(list)
    for at, score in session.execute(query):
        scores_by_day[_local_time(at).date()].append(score)
    return [_summary(day, scores) for day, scores in sorted(scores_by_day.items())]


def latest_comments(session: Session, since: date, until: date, channel: Optional[str] = None,
                    service: Optional[str] = None, limit: int = COMMENTS_SHOWN) -> List[RatingComment]:
    """The newest comments in the period, with their scores."""
    query = (
        _filtered(select(Rating), since, until, channel, service)
        .where(Rating.comment.is_not(None))
        .order_by(Rating.at.desc(), Rating.id.desc())
        .limit(limit)
    )
    return [
        RatingComment(_local_time(r.at), r.score, r.channel, r.service, r.comment or "")
        for r in session.execute(query).scalars()
    ]


def rated_channels_and_services(session: Session) -> Tuple[List[str], List[str]]:
    """The channels and the services that have ratings, for filter lists."""
    channels = session.execute(select(Rating.channel).distinct().order_by(Rating.channel)).scalars()
    services = session.execute(select(Rating.service).distinct().order_by(Rating.service)).scalars()
    return list(channels), list(services)


def period(since: Optional[date] = None, until: Optional[date] = None,
           now: Optional[datetime] = None) -> Tuple[date, date]:
    """The days asked for: `until` defaults to today, `since` to 29 days before `until`."""
    until = until or local_now(now).date()
    return since or until - timedelta(days=DEFAULT_DAYS - 1), until


def as_csv(days: List[DaySatisfaction]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["day", "count", "average", "satisfied_share", *(f"score_{s}" for s in SCORES)])
    for d in days:
        writer.writerow([d.day.isoformat(), d.count, d.average, d.satisfied_share,
                         *(d.scores[s] for s in SCORES)])
    return buffer.getvalue()


def _local_time(at: datetime) -> datetime:
    """The centre's local time of a stored (naive UTC) time."""
    return local_now(at.replace(tzinfo=timezone.utc))


def _summary(day: date, scores: List[int]) -> DaySatisfaction:
    satisfied = sum(1 for score in scores if score >= SATISFIED_FROM)
    return DaySatisfaction(
        day, len(scores), round(sum(scores) / len(scores), 2), round(satisfied / len(scores), 3),
        {score: scores.count(score) for score in SCORES},
    )


def _filtered(query: Select, since: date, until: date, channel: Optional[str],
              service: Optional[str]) -> Select:
    if since > until:
        raise DomainError("Ngày bắt đầu phải trước hoặc trùng với ngày kết thúc.")
    query = query.where(Rating.at >= _utc_start(since), Rating.at < _utc_start(until + timedelta(days=1)))
    if channel:
        query = query.where(Rating.channel == channel)
    if service:
        query = query.where(Rating.service == service)
    return query


def _utc_start(day: date) -> datetime:
    """Local midnight starting `day`, as the naive UTC time the database stores."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _checked_score(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise DomainError(f"Điểm đánh giá phải là số nguyên từ 1 đến 5, không phải “{score}”.")
    return score


def _checked_label(value: str, limit: int, what: str) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise DomainError(f"{what} cần có từ 1 đến {limit} ký tự.")
    return value


def _clean_comment(comment: str) -> Optional[str]:
    return comment.strip()[:MAX_COMMENT] or None


# --- Reading a score from what the citizen typed or tapped -------------------------------

_STARS = "⭐★🌟*"
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7,
                 "tam": 8, "chin": 9, "muoi": 10}
_NUMBER = r"(\d{1,3}|" + "|".join(_NUMBER_WORDS) + r")"
# "5 sao", "năm sao", "4 điểm", "5*", "5 ⭐" and "4/5", "9/10" (in folded text).
_NUMBER_WITH_UNIT = re.compile(rf"\b{_NUMBER}\s*(?:(sao|diem)\b|[{re.escape(_STARS)}])")
_FRACTION = re.compile(rf"\b{_NUMBER}\s*/\s*(5|10)\b")
# A Rasa button payload: /rate{"score": 5}
_PAYLOAD = re.compile(r'^/\w+\{.*"score"\s*:\s*"?(\d+)"?.*\}$')
# Words around a bare number that do not change it: "cho 5 ạ", "chấm 4 nhé".
_FILLERS = {"cho", "cham", "danh", "gia", "muc", "a", "nhe", "nha", "oi", "em", "anh", "chi",
            "toi", "minh", "thi", "la"}
# Typed with accents, a bare number word must be spelt as one: "tạm" is not "tám".
_ACCENTED_NUMBER_WORDS = {"một", "hai", "ba", "bốn", "tư", "năm", "sáu", "bảy", "bẩy", "tám",
                          "chín", "mười"}
_PHRASES = {
    "rat khong hai long": 1, "hoan toan khong hai long": 1, "rat te": 1, "qua te": 1,
    "te qua": 1, "that te": 1, "rat kem": 1, "rat that vong": 1,
    "khong hai long": 2, "chua hai long": 2, "hoi te": 2, "khong tot": 2, "chua tot": 2,
    "that vong": 2,
    "binh thuong": 3, "tam duoc": 3, "tam on": 3, "trung binh": 3, "tam tam": 3,
    "hai long": 4, "tot": 4, "khong te": 4,
    "rat hai long": 5, "rat tot": 5, "qua tot": 5, "tuyet voi": 5, "xuat sac": 5,
}
_LONGEST_PHRASE = max(len(phrase.split()) for phrase in _PHRASES)
_NEGATIONS = {"khong", "chua"}
_NEGATION_SOFTENERS = {"duoc", "may", "thuc", "su", "qua", "lam"}
NOT_SATISFIED = 2


def parse_score(text: str) -> Optional[int]:
    """The 1–5 score in a citizen's message or button payload, or None when it is unclear.

    Read, in this order, accents optional:
    - a button payload `/rate{"score": N}`;
    - numbers with a unit: "5 sao", "năm sao", "5*", "4/5", "4 điểm", "9/10";
    - stars: "⭐⭐⭐" -> 3;
    - a bare number, with polite words around it: "5", "cho 4 ạ";
    - words: "rất hài lòng" 5, "hài lòng" 4, "bình thường" 3, "không hài lòng" 2,
      "rất không hài lòng" / "rất tệ" 1 (a positive word after "không"/"chưa" is 2).
    Points ("điểm", "/10" or a bare number) from 1 to 5 are read on the five-point scale the
    bot asks for; 0 and 6–10 can only be out of ten and are mapped 0–2→1, 3–4→2, 5–6→3,
    7–8→4, 9–10→5. "7 sao", "6/5", "15 điểm" and two different scores in one message are
    unclear.
    """
    text = nfc(text)
    payload = _PAYLOAD.match(text)
    if payload:
        return _on_five_scale(int(payload.group(1)), "sao")
    folded = fold(text)
    explicit = _explicit_scores(folded)
    if explicit:
        return _the_only(explicit)
    return _bare_number(text) or _the_only(_phrase_scores(folded_key(text)))


def _explicit_scores(folded: str) -> List[Optional[int]]:
    found = [_on_five_scale(_number(m.group(1)), m.group(2) or "sao")
             for m in _NUMBER_WITH_UNIT.finditer(folded)]
    found += [_on_five_scale(_number(m.group(1)), m.group(2)) for m in _FRACTION.finditer(folded)]
    stars = sum(folded.count(star) for star in _STARS)
    if not found and stars:
        found.append(stars if stars in SCORES else None)
    return found


def _bare_number(text: str) -> Optional[int]:
    words = [word for word in re.findall(r"\w+", text.lower()) if fold(word) not in _FILLERS]
    if len(words) != 1:
        return None
    word = words[0]
    if word.isdigit() or word in _ACCENTED_NUMBER_WORDS or word in _NUMBER_WORDS:
        return _on_five_scale(_number(fold(word)), "diem")
    return None


def _phrase_scores(key: str) -> List[Optional[int]]:
    """Scores of the rating phrases in a folded key, longest phrase first at each word."""
    words = key.split()
    found: List[Optional[int]] = []
    position = 0
    while position < len(words):
        length, score = _phrase_at(words, position)
        if score is not None:
            found.append(NOT_SATISFIED if score >= SATISFIED_FROM and _negated(words, position) else score)
        position += length
    return found


def _phrase_at(words: List[str], position: int) -> Tuple[int, Optional[int]]:
    for length in range(min(_LONGEST_PHRASE, len(words) - position), 0, -1):
        score = _PHRASES.get(" ".join(words[position:position + length]))
        if score is not None:
            return length, score
    return 1, None


def _negated(words: List[str], position: int) -> bool:
    """Whether "không"/"chưa" comes just before, e.g. "không được hài lòng"."""
    before = position - 1
    while before >= 0 and words[before] in _NEGATION_SOFTENERS:
        before -= 1
    return before >= 0 and words[before] in _NEGATIONS


def _the_only(scores: List[Optional[int]]) -> Optional[int]:
    distinct = set(scores)
    return distinct.pop() if len(distinct) == 1 else None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _on_five_scale(value: int, unit: str) -> Optional[int]:
    """`unit`: "sao" and "5" are out of five, "10" out of ten, "diem" either (see parse_score)."""
    if unit in ("sao", "5"):
        return value if value in SCORES else None
    if unit == "diem" and value in SCORES:
        return value
    return max(1, (value + 1) // 2) if 0 <= value <= 10 else None
