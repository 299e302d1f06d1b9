"""The public chat channel, `POST /webhooks/rest/webhook`: Rasa's REST channel, except that
a message whose handling failed is marked, not logged with the citizen's words.

Rasa's RestInput catches any error of a turn, logs it with the message's text (which may
hold a phone or ID number) and answers `[]`. Here the error is caught first: it is logged
without the text and marked in TURN_FAILED, so that server_hooks.py answers with an apology
instead of silence. Rasa's own log lines of this channel that still carry the text (a turn
that timed out) are redacted by WithoutCitizenText.
"""
from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

# Set in the request's context when its turn failed (read by the response middleware).
TURN_FAILED: ContextVar[bool] = ContextVar("turn_failed", default=False)
REST_LOGGER = "rasa.core.channels.rest"
TEXT_FIELD = re.compile(r'"text":\s*"(?:[^"\\]|\\.)*"')
log = logging.getLogger(__name__)


class WithoutCitizenText(logging.Filter):
    """Replaces the "text" of a log record (a structlog dict or its JSON) with a placeholder."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict) and "text" in record.msg:
            record.msg = {**record.msg, "text": "[redacted]"}
        elif isinstance(record.msg, str) and '"text"' in record.msg:
            record.msg = TEXT_FIELD.sub('"text": "[redacted]"', record.getMessage())
            record.args = ()
        return True


def failures_marked(on_new_message: Callable[[UserMessage], Awaitable[Any]]
                    ) -> Callable[[UserMessage], Awaitable[None]]:
    """`on_new_message`, with an error logged without the text and marked in TURN_FAILED."""

    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception as error:
            TURN_FAILED.set(True)
            log.error("A %s message could not be handled: %s", message.input_channel,
                      type(error).__name__)

    return handle


class ChatInput(RestInput):
    """POST /webhooks/rest/webhook {"sender", "message"}; answers as Rasa's REST channel."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self) -> None:
        super().__init__()
        rest_logger = logging.getLogger(REST_LOGGER)
        if not any(isinstance(f, WithoutCitizenText) for f in rest_logger.filters):
            rest_logger.addFilter(WithoutCitizenText())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(failures_marked(on_new_message))
