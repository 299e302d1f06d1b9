"""A queue action whose database fails tells the citizen so and announces no ticket."""
from __future__ import annotations

import asyncio
from typing import Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.queue import ActionIssueTicket, ActionQueueStatus
from procedure_kb import queue_replies
from procedure_kb.db import get_engine
from procedure_kb.settings import get_settings

UNREACHABLE = "postgresql+psycopg2://postgres@127.0.0.1:1/letan"  # nothing listens on port 1


@pytest.fixture()
def database_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LETAN_DATABASE_URL", UNREACHABLE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    get_engine(UNREACHABLE).dispose()


def tracker(text: str, **slots: str) -> Tracker:
    message = {"text": text, "intent": {"name": "request_queue_number", "confidence": 1.0},
               "entities": [{"entity": "procedure", "value": "khai-sinh"}]}
    return Tracker("citizen-1", slots, message, [], False, None, {}, "action_listen")


def run(action, tracker_: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return events, [m.get("text") for m in dispatcher.messages]


def test_no_ticket_is_announced_when_the_database_fails(database_down: None) -> None:
    events, texts = run(ActionIssueTicket(), tracker("cho tôi lấy số làm khai sinh"))
    assert events == []
    assert texts == [queue_replies.unavailable()]
    assert "sự cố" in texts[0] and "số thứ tự của Anh/Chị là" not in texts[0]


def test_a_status_question_is_answered_politely_when_the_database_fails(database_down: None) -> None:
    events, texts = run(ActionQueueStatus(), tracker("số A015 đến lượt chưa"))
    assert events == [] and texts == [queue_replies.unavailable()]
