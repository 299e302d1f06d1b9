"""Zalo Official Account channel: `POST /webhooks/zalo/webhook` in, OA messages out.

Every request is verified (signature, app id, age); the webhook answers at once and the
event is handled in the background, because Zalo retries slow webhooks. Retries resend
the same message id, which is recorded durably so an event is answered once, even across
a restart. Credentials come from credentials.yml, which reads them from ZALO_* variables.
"""
from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.server_hooks import APOLOGY, actions_down
from procedure_kb.db import session_scope
from procedure_kb.zalo import events
from procedure_kb.zalo.client import ZaloClient
from procedure_kb.zalo.config import ZaloConfig, from_credentials
from procedure_kb.zalo.events import EventRejected, ZaloIncoming
from procedure_kb.zalo.tokens import TokenStore

MEDIA_RECEIVED = ("Dạ, em đã nhận được tệp Anh/Chị gửi và lưu cùng cuộc trò chuyện để cán bộ "
                  "xem khi cần ạ.")
NOT_READABLE = ("Dạ, em chỉ đọc được tin nhắn chữ thôi ạ. Anh/Chị nhắn giúp em bằng chữ nội "
                "dung cần hỏi nhé ạ.")
# Messages handled at once. The bot's work blocks the event loop between awaits, so a
# small number keeps webhook acknowledgements quick while the others wait their turn.
MAX_CONCURRENT_EVENTS = 2
log = logging.getLogger(__name__)


class ZaloOutput(OutputChannel):
    """Bot messages as OA messages (the client is blocking, so it runs in a thread)."""

    @classmethod
    def name(cls) -> Text:
        return "zalo"

    def __init__(self, client: ZaloClient) -> None:
        self.client = client
        self.sent = 0  # messages sent through this instance

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await asyncio.to_thread(self.client.send, recipient_id, text)
        self.sent += 1

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        await asyncio.to_thread(self.client.send, recipient_id, text, buttons)
        self.sent += 1


class ZaloInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "zalo"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(from_credentials(credentials))

    def __init__(self, config: ZaloConfig) -> None:
        self.config = config
        missing = config.missing()
        if missing:
            log.warning("Zalo channel is off: %s not set", ", ".join(missing))
        self.output = None if missing else ZaloOutput(ZaloClient(config, TokenStore(config)))
        self._users: Dict[str, list] = {}  # user id -> [lock, events waiting or running]
        self._tasks: Set[asyncio.Task] = set()
        self._working: Optional[asyncio.Semaphore] = None  # made inside the server's loop

    def get_output_channel(self) -> Optional[OutputChannel]:
        return self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("zalo_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.output else "off"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.output is None:
                return response.json({"error": "Zalo channel is not configured"}, status=503)
            try:
                body = events.verify(request.body, request.headers.get(events.SIGNATURE_HEADER),
                                     self.config)
            except EventRejected as rejected:
                log.warning("Zalo webhook refused: %s", rejected.reason)
                return response.json({"error": rejected.reason}, status=401)
            agent = getattr(request.app.ctx, "agent", None)
            self._in_background(self._handle(events.parse(body), on_new_message, agent))
            return response.json({"status": "received"})

        return webhook

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def _handle(self, event: ZaloIncoming, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                      agent: Any) -> None:
        """One citizen's events in the order they came, each once. A citizen whose message
        failed, or got no reply because the action server is down, gets an apology (the
        REST and robot webhooks do the same in server_hooks.py); a paused conversation (a
        handover) stays silent."""
        self._working = self._working or asyncio.Semaphore(MAX_CONCURRENT_EVENTS)
        async with self._in_order(event.user_id), self._working:
            try:
                if not await asyncio.to_thread(_first_time, event):
                    return
                sent = await self._dispatch(event, on_new_message)
                if sent == 0 and await actions_down(agent):
                    await self._apologise(event)
            except Exception:
                log.exception("Zalo event %s could not be handled", event.name)
                await self._apologise(event)

    async def _apologise(self, event: ZaloIncoming) -> None:
        if event.kind not in (events.TEXT, events.FOLLOW) or self.output is None:
            return
        try:
            await self.output.send_text_message(event.user_id, APOLOGY)
        except Exception:
            log.exception("Could not send the apology for Zalo event %s", event.name)

    @asynccontextmanager
    async def _in_order(self, user_id: str) -> AsyncIterator[None]:
        """One event at a time per citizen, in arrival order; forgotten when idle."""
        entry = self._users.setdefault(user_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._users[user_id]

    async def _dispatch(self, event: ZaloIncoming,
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Optional[int]:
        """Handles the event; for a message to the bot, how many replies it sent."""
        assert self.output is not None
        if event.kind in (events.TEXT, events.FOLLOW):
            output = ZaloOutput(self.output.client)  # counts this turn's replies
            text = event.text if event.kind == events.TEXT else "/greet"
            await on_new_message(self._message(event, text, output))
            return output.sent
        if event.kind == events.MEDIA:
            await self.output.send_text_message(event.user_id, MEDIA_RECEIVED)
        elif event.kind == events.UNSUPPORTED:
            await self.output.send_text_message(event.user_id, NOT_READABLE)
        elif event.kind == events.UNKNOWN:
            log.info("Zalo event %r recorded, not handled", event.name)
        return None

    def _message(self, event: ZaloIncoming, text: str, output: OutputChannel) -> UserMessage:
        return UserMessage(text, output, event.user_id, input_channel=self.name(),
                           metadata={"zalo_event": event.key})


def _first_time(event: ZaloIncoming) -> bool:
    with session_scope(write_lock=True) as session:
        return events.first_time(session, event)
