"""Message limits on the Rasa webhooks (a request middleware that server_hooks installs).

- REST and robot (`POST /webhooks/rest|robot/webhook`): `rate_limit_webhook_per_minute`
  messages per sender (the body's "sender") and 4x that per client address (the peer, or
  X-Forwarded-For from `trusted_proxies`, as in the staff API). Past either: 429 with
  Retry-After and one polite bot message, so a chat widget or the robot can show it.
- Zalo (`POST /webhooks/zalo/webhook`): the same number per citizen, counted only for
  events that Zalo signed (a forged event naming a citizen must not use up their limit)
  and that the bot answers (not read receipts). Never per address: every event comes from
  Zalo's servers. Past it: 200, so that Zalo does not retry, the event is not processed,
  and a log line says so (event name only: no user, no text).

0 turns the limit off. Where the counts live and what happens when Redis is down:
procedure_kb/rate_windows.py (`window_for`).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Optional

from rasa.shared.constants import DEFAULT_SENDER_ID
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from procedure_kb.rate_windows import client_address, retry_after, window_for
from procedure_kb.settings import Settings
from procedure_kb.zalo import events
from procedure_kb.zalo.config import from_settings
from procedure_kb.zalo.events import EventRejected, ZaloIncoming

TOO_FAST = "Dạ, Anh/Chị gửi tin nhắn nhanh quá, vui lòng chờ {seconds} giây rồi gửi lại ạ."
CHAT_WEBHOOKS = {"/webhooks/rest/webhook": "rest", "/webhooks/robot/webhook": "robot"}
ZALO_WEBHOOK = "/webhooks/zalo/webhook"
ADDRESS_FACTOR = 4  # one address may be a lobby robot or a centre's NAT: several citizens
ZALO_ANSWERED = frozenset({events.TEXT, events.FOLLOW, events.MEDIA, events.UNSUPPORTED})
log = logging.getLogger(__name__)


class WebhookLimiter:
    """Sanic request middleware: a response when over a limit, None (go on) otherwise."""

    def __init__(self, settings: Settings) -> None:
        self._settings, self._window = settings, window_for(settings)
        self._zalo = from_settings()  # credentials.yml reads the same ZALO_* variables

    async def __call__(self, request: Request) -> Optional[HTTPResponse]:
        limit = self._settings.rate_limit_webhook_per_minute
        if request.method != "POST" or limit <= 0:
            return None
        path = request.path.rstrip("/")
        if path in CHAT_WEBHOOKS:
            return await self._limit_chat(request, CHAT_WEBHOOKS[path], limit)
        if path == ZALO_WEBHOOK:
            return await self._limit_zalo(request, limit)
        return None

    async def _limit_chat(self, request: Request, channel: str, limit: int) -> Optional[HTTPResponse]:
        sender = _sender(request)
        address = client_address(request.ip, request.headers.get("x-forwarded-for"),
                                 self._settings.trusted_proxies)
        wait = (await self._hit(f"webhook:{channel}:{sender}", limit)
                or await self._hit(f"webhook:address:{address}", ADDRESS_FACTOR * limit))
        if not wait:
            return None
        log.info("Webhook %s: over the message limit, answered 429", channel)
        seconds = retry_after(wait)
        return json_response([{"recipient_id": sender, "text": TOO_FAST.format(seconds=seconds)}],
                             status=429, headers={"Retry-After": str(seconds)})

    async def _limit_zalo(self, request: Request, limit: int) -> Optional[HTTPResponse]:
        event = self._signed_event(request)
        if event is None or event.kind not in ZALO_ANSWERED:
            return None  # the channel answers (and refuses what is not Zalo's)
        if not await self._hit(f"webhook:zalo:{event.user_id}", limit):
            return None
        log.warning("Zalo event %s dropped: its sender is over %d messages per minute",
                    event.name, limit)
        return json_response({"status": "rate_limited"})

    def _signed_event(self, request: Request) -> Optional[ZaloIncoming]:
        if self._zalo.missing():
            return None  # the channel is off
        try:
            body = events.verify(request.body, request.headers.get(events.SIGNATURE_HEADER), self._zalo)
        except EventRejected:
            return None
        return events.parse(body)

    async def _hit(self, key: str, limit: int) -> float:
        return await asyncio.to_thread(self._window.hit, key, limit)  # Redis waits on the network


def _sender(request: Request) -> str:
    """The conversation as the REST channel names it (Rasa's default when none is given)."""
    try:
        body = request.json
    except InvalidUsage:
        body = None
    sender = body.get("sender") if isinstance(body, dict) else None
    return str(sender or DEFAULT_SENDER_ID)
