"""The lobby robot's channel: the chat channel (bot/channels/chat.py) under its own name.

The name lets actions tell a citizen standing in the lobby from one chatting remotely
(sent to the desk rather than handed over in chat; shorter replies for speech). With
`robot_token` set (LETAN_ROBOT_TOKEN), only a client that sends it as a bearer token may
speak as the robot: the webhook is reachable on the centre's network, and the robot's
channel is trusted more (it sends citizens to the desk, its turns count as the lobby's).
"""
from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.channels.chat import ChatInput
from procedure_kb.settings import get_settings


class RobotInput(ChatInput):
    """POST /webhooks/robot/webhook {"sender", "message"}, answered like the REST channel."""

    @classmethod
    def name(cls) -> Text:
        return "robot"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        webhook.middleware("request")(refuse_without_token)
        return webhook


async def refuse_without_token(request: Request) -> Optional[HTTPResponse]:
    """401 unless the request carries the configured token (none configured: open)."""
    token = get_settings().robot_token
    if not token or request.method != "POST":
        return None
    sent = request.headers.get("authorization", "")
    if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return None
    return json_response({"error": "the robot channel needs its token"}, status=401,
                         headers={"WWW-Authenticate": "Bearer"})
