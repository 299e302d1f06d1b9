"""Talks to the running Rasa server over its REST channel (for the staff preview)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

import httpx

from procedure_kb.errors import DomainError
from procedure_kb.settings import get_settings

TIMEOUT_SECONDS = 15


@dataclass
class BotMessage:
    text: str
    buttons: List[str] = field(default_factory=list)


class BotUnavailable(DomainError):
    pass


def ask(sender: str, text: str) -> List[BotMessage]:
    """The bot's replies to `text` in the conversation `sender`."""
    url = f"{get_settings().rasa_url.rstrip('/')}/webhooks/rest/webhook"
    try:
        response = httpx.post(url, json={"sender": sender, "message": text}, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise BotUnavailable("Không kết nối được với trợ lý (máy chủ Rasa). Vui lòng thử lại sau.") from error
    return [
        BotMessage(item.get("text", ""), [b.get("title", "") for b in item.get("buttons", [])])
        for item in response.json()
    ]
