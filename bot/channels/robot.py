"""The lobby robot's channel: the REST protocol under its own name.

The name lets actions tell a citizen standing in the lobby from one chatting remotely
(sent to the desk rather than handed over in chat; shorter replies for speech).
"""
from __future__ import annotations

from typing import Text

from rasa.core.channels.rest import RestInput


class RobotInput(RestInput):
    """POST /webhooks/robot/webhook {"sender", "message"}, answered like the REST channel."""

    @classmethod
    def name(cls) -> Text:
        return "robot"
