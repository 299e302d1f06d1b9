"""The centre's own facts: when it is open (from the clock) and where the amenities are.

Nothing is told to citizens until staff have confirmed the centre's details
(`confirmed`); before that the bot says it has no exact information.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Dict, List, Optional, Tuple

from pydantic import BaseModel, Field, validator
from sqlalchemy.orm import Session

from procedure_kb import audit
from procedure_kb.models import CentreInfo
from procedure_kb.queue import local_now
from procedure_kb.text import folded_key, lower_first

WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
# Folded ways of naming a weekday (Monday = 0).
WEEKDAY_WORDS = {
    0: ["thu hai", "thu 2"], 1: ["thu ba", "thu 3"], 2: ["thu tu", "thu 4"],
    3: ["thu nam", "thu 5"], 4: ["thu sau", "thu 6"], 5: ["thu bay", "thu 7"],
    6: ["chu nhat", "cn"],
}
TOMORROW_WORDS = ["ngay mai", "mai"]
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class Holiday(BaseModel):
    day: date
    name: str = Field(..., min_length=2, max_length=120)


class Amenity(BaseModel):
    name: str = Field(..., min_length=2, max_length=80)
    aliases: List[str] = Field([], max_items=20)
    where: str = Field(..., min_length=2, max_length=300)
    detail: str = Field("", max_length=300)


class CentreData(BaseModel):
    """What staff edit; `schedule` maps weekday (0 = Monday) to sessions ['07:30','11:30']."""

    name: str = Field(..., min_length=3, max_length=200)
    confirmed: bool = False
    schedule: Dict[int, List[Tuple[str, str]]]
    holidays: List[Holiday] = Field([], max_items=100)
    amenities: List[Amenity] = Field([], max_items=40)

    @validator("schedule")
    def _sessions_are_times(cls, value: Dict[int, List[Tuple[str, str]]]) -> Dict[int, List[Tuple[str, str]]]:
        for weekday, sessions in value.items():
            if weekday not in range(7):
                raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
            for start, end in sessions:
                if not (HHMM.match(start) and HHMM.match(end) and start < end):
                    raise ValueError(f"session {start}-{end} must be HH:MM-HH:MM, start before end")
        return value


def load(session: Session) -> Optional[CentreData]:
    row = session.get(CentreInfo, 1)
    return CentreData.parse_obj(row.data) if row else None


def save(session: Session, data: CentreData, actor: str) -> CentreData:
    row = session.get(CentreInfo, 1) or CentreInfo(id=1)
    row.data = json.loads(data.json())
    row.updated_at = datetime.utcnow()
    session.add(row)
    audit.record(session, actor, "centre.save", "centre", {"confirmed": data.confirmed})
    return data


def day_asked(text: str, today: date) -> date:
    """The day a question is about: a weekday named, tomorrow, else today ('bây giờ')."""
    padded = f" {folded_key(text)} "
    if any(f" {word} " in padded for word in TOMORROW_WORDS):
        return today + timedelta(days=1)
    for weekday, words in WEEKDAY_WORDS.items():
        if any(f" {word} " in padded for word in words):
            return today + timedelta(days=(weekday - today.weekday()) % 7)
    return today


def hours_reply(info: Optional[CentreData], text: str, now: Optional[datetime] = None) -> str:
    if info is None or not info.confirmed:
        return ("Dạ, em chưa có thông tin chính xác về giờ làm việc của Trung tâm ạ. "
                "Anh/Chị vui lòng hỏi cán bộ tại Quầy Hướng dẫn chung ạ.")
    moment = local_now(now)
    day = day_asked(text, moment.date())
    label = _day_label(day, moment.date())
    holiday = next((h for h in info.holidays if h.day == day), None)
    if holiday:
        return f"Dạ, {label} ({day:%d/%m}) là ngày nghỉ {holiday.name}, Trung tâm không làm việc ạ."
    sessions = info.schedule.get(day.weekday(), [])
    if not sessions:
        return f"Dạ, {label} ({WEEKDAYS[day.weekday()]}) Trung tâm không làm việc ạ."
    reply = f"Dạ, {label} Trung tâm làm việc {_sessions_phrase(sessions)} ạ."
    if day == moment.date():
        reply += " " + _now_phrase(sessions, moment.time())
    return reply


def amenity_reply(info: Optional[CentreData], text: str) -> str:
    if info is None or not info.confirmed or not info.amenities:
        return ("Dạ, em chưa có thông tin chính xác về tiện ích của Trung tâm ạ. "
                "Anh/Chị vui lòng hỏi cán bộ tại Quầy Hướng dẫn chung ạ.")
    padded = f" {folded_key(text)} "
    for amenity in info.amenities:
        keys = [folded_key(name) for name in [amenity.name, *amenity.aliases]]
        if any(key and f" {key} " in padded for key in keys):
            reply = f"Dạ, {amenity.name.lower()}: {lower_first(amenity.where.rstrip('.'))}"
            if amenity.detail:
                reply += f"; {amenity.detail.rstrip('.')}"
            return reply + " ạ."
    names = ", ".join(a.name.lower() for a in info.amenities)
    return f"Dạ, Trung tâm có: {names}. Anh/Chị cần hỏi tiện ích nào ạ?"


def _day_label(day: date, today: date) -> str:
    if day == today:
        return "hôm nay"
    if day == today + timedelta(days=1):
        return "ngày mai"
    return WEEKDAYS[day.weekday()].lower()


def _sessions_phrase(sessions: List[Tuple[str, str]]) -> str:
    parts = []
    for start, end in sessions:
        period = "buổi sáng" if start < "12:00" else "buổi chiều"
        parts.append(f"{period} từ {_spoken(start)} đến {_spoken(end)}")
    return ", ".join(parts)


def _now_phrase(sessions: List[Tuple[str, str]], now: time) -> str:
    current = now.strftime("%H:%M")
    if any(start <= current < end for start, end in sessions):
        return "Bây giờ Trung tâm đang làm việc ạ."
    later = [start for start, _ in sessions if start > current]
    if later:
        return f"Bây giờ Trung tâm chưa làm việc, sẽ mở lúc {_spoken(later[0])} ạ."
    return "Bây giờ Trung tâm đã hết giờ làm việc ạ."


def _spoken(hhmm: str) -> str:
    """'07:30' -> '7 giờ 30', '17:00' -> '17 giờ' (reads well aloud)."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return f"{hours} giờ {minutes}" if minutes else f"{hours} giờ"
