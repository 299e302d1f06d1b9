"""Talks to the running Rasa server: its REST channel (staff preview) and its HTTP API
(handover: read a conversation, relay an officer's reply, resume the bot)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import httpx

from procedure_kb.errors import DomainError
from procedure_kb.settings import get_settings

TIMEOUT_SECONDS = 15
# Bot messages appended through the API go out through the channel the citizen last used.
DELIVER = {"execute_side_effects": "true", "output_channel": "latest"}


@dataclass
class BotMessage:
    text: str
    buttons: List[str] = field(default_factory=list)


@dataclass
class TranscriptLine:
    author: str  # "citizen", "bot", or the officer's username
    text: str
    at: datetime


class BotUnavailable(DomainError):
    status = 503


def ask(sender: str, text: str) -> List[BotMessage]:
    """The bot's replies to `text` in the conversation `sender`."""
    data = _call("POST", "/webhooks/rest/webhook", json={"sender": sender, "message": text})
    return [
        BotMessage(item.get("text", ""), [b.get("title", "") for b in item.get("buttons", [])])
        for item in data
    ]


def transcript(sender: str, last: int = 50) -> List[TranscriptLine]:
    """The latest messages of a conversation, oldest first."""
    tracker = _call("GET", f"/conversations/{quote(sender, safe='')}/tracker")
    lines = [_line(event) for event in tracker.get("events", [])]
    return [line for line in lines if line is not None][-last:]


def relay(sender: str, text: str, author: str) -> None:
    """An officer's reply, recorded in the conversation and sent through its channel."""
    _append(sender, [{"event": "bot", "text": text, "metadata": {"staff": author}}])


def resume(sender: str, text: str) -> None:
    """Give the conversation back to the bot, telling the citizen so.

    A paused bot never ran `action_listen` after handing over; adding it lets the rules
    match the citizen's next message as a fresh turn.
    """
    _append(sender, [{"event": "resume"}, {"event": "action", "name": "action_listen"},
                     {"event": "bot", "text": text}])


def _append(sender: str, events: List[Dict[str, Any]]) -> None:
    _call("POST", f"/conversations/{quote(sender, safe='')}/tracker/events", json=events,
          params=DELIVER)


def _line(event: Dict[str, Any]) -> Optional[TranscriptLine]:
    if event.get("event") not in ("user", "bot") or not event.get("text"):
        return None
    at = datetime.fromtimestamp(event.get("timestamp") or 0, timezone.utc)
    staff = (event.get("metadata") or {}).get("staff")
    author = "citizen" if event["event"] == "user" else staff or "bot"
    return TranscriptLine(author, event["text"], at)


def _call(method: str, path: str, **kwargs: Any) -> Any:
    settings = get_settings()
    params = dict(kwargs.pop("params", {}))
    if settings.rasa_token:
        params["token"] = settings.rasa_token
    try:
        response = httpx.request(method, settings.rasa_url.rstrip("/") + path, params=params,
                                 timeout=TIMEOUT_SECONDS, **kwargs)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise BotUnavailable("Không kết nối được với trợ lý (máy chủ Rasa). Vui lòng thử lại sau.") from error
    return response.json()
