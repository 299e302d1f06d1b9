"""Questions the bot could not answer, grouped by wording for staff to act on.

Messages are grouped by their topic words (folded, fillers removed, sorted), so
"xin giấy phép nuôi chó" and "giay phep nuoi cho can gi" land in one group.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from procedure_kb import audit
from procedure_kb.models import UnansweredQuestion
from procedure_kb.search import topic_words
from procedure_kb.text import folded_key

MAX_TEXT = 2000
EXAMPLES_SHOWN = 3


@dataclass
class Group:
    key: str
    count: int
    examples: List[str]
    kinds: List[str]
    channels: List[str]
    guesses: List[str]
    last_at: datetime


def group_key(text: str) -> str:
    words = sorted(set(topic_words(text))) or folded_key(text).split()
    return " ".join(words)[:300] or "(trống)"


def record(session: Session, text: str, kind: str, channel: str, guesses: List[str]) -> None:
    session.add(UnansweredQuestion(
        text=text[:MAX_TEXT], group_key=group_key(text), kind=kind, channel=channel or "unknown",
        guesses=list(guesses)[:5],
    ))


def open_groups(session: Session) -> List[Group]:
    """Groups not yet handled, largest first."""
    rows = session.execute(
        select(UnansweredQuestion).where(UnansweredQuestion.handled_at.is_(None))
        .order_by(UnansweredQuestion.at.desc())
    ).scalars()
    groups: Dict[str, Group] = {}
    for row in rows:
        group = groups.setdefault(row.group_key, Group(row.group_key, 0, [], [], [], [], row.at))
        group.count += 1
        if len(group.examples) < EXAMPLES_SHOWN and row.text not in group.examples:
            group.examples.append(row.text)
        for values, value in ((group.kinds, row.kind), (group.channels, row.channel)):
            if value not in values:
                values.append(value)
        group.guesses += [g for g in row.guesses if g not in group.guesses]
    return sorted(groups.values(), key=lambda g: (-g.count, g.key))


def mark_handled(session: Session, key: str, actor: str) -> int:
    """Remove a group from the list; returns how many messages it had."""
    handled = session.execute(
        update(UnansweredQuestion)
        .where(UnansweredQuestion.group_key == key, UnansweredQuestion.handled_at.is_(None))
        .values(handled_at=datetime.utcnow(), handled_by=actor)
    ).rowcount
    audit.record(session, actor, "unanswered.handled", key, {"messages": handled})
    return handled
