"""Hooks installed into the Rasa server (listed in credentials.yml, as channels are):

1. The one Rasa HTTP API route that the public contract names stays open under `--auth-token`.
2. A REST or robot turn that failed (bot/channels/chat.py marks it) or got no reply because
   the action server is down gets a polite apology instead of silence.
3. Message limits per sender (and per address) on the webhooks (bot/channels/webhook_limits.py).
4. Request bodies over MAX_REQUEST_BYTES get 413, instead of Sanic's 100 MB default: the
   webhooks' JSON (a Zalo event, a robot or REST message) and the API calls the staff API
   makes (tracker events of a handover) are a few KB.

About (1):
`rasa run --enable-api --auth-token T` (scripts/run.sh, scripts/stack.py) makes every route
of Rasa's HTTP API require `?token=T`, `POST /model/parse` included (`requires_auth` in
rasa/server.py). The contract says outside clients call `/model/parse` without a token, so
this request middleware answers that route with its handler minus the token check. Every
other API route (conversations and tracker events, model replace/train, status, domain)
still requires the token; the channels' webhooks are not API routes and never needed it.

Named in credentials.yml so that Rasa loads it: it adds no webhook, only a listener that
installs the middlewares and the size limit when the server starts (Sanic reads
REQUEST_MAX_SIZE per connection, so setting it before the server starts applies it).
"""
from __future__ import annotations

import time
from inspect import isawaitable
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

import httpx
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.channels.chat import TURN_FAILED
from bot.channels.webhook_limits import WebhookLimiter
from procedure_kb.settings import get_settings

MAX_REQUEST_BYTES = 1024 * 1024
PUBLIC_ROUTES = frozenset({("POST", "/model/parse")})


class ServerHooks(InputChannel):
    """Not a chat channel: installs the middlewares on the Rasa server."""

    @classmethod
    def name(cls) -> Text:
        return "server_hooks"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("server_hooks", __name__)
        blueprint.listener("before_server_start")(_install)
        return blueprint


async def _install(app: Sanic, _: Any) -> None:
    app.config.REQUEST_MAX_SIZE = MAX_REQUEST_BYTES
    app.register_middleware(serve_public_route, "request")
    app.register_middleware(WebhookLimiter(get_settings()), "request")
    app.register_middleware(apologise_for_a_failed_turn, "response")


async def serve_public_route(request: Request) -> Optional[HTTPResponse]:
    """A public route's response without Rasa's token check; None (go on as usual) otherwise.

    Rasa's handlers are wrapped by `requires_auth` (outermost, `functools.wraps`), so
    `__wrapped__` is the handler with its other checks (a loaded model) but no token check.
    """
    route = request.route
    if route is None or (request.method, request.path.rstrip("/")) not in PUBLIC_ROUTES:
        return None
    handler = getattr(route.handler, "__wrapped__", None)
    if handler is None:
        return None
    response = handler(request, **request.match_info)
    return await response if isawaitable(response) else response


APOLOGY = ("Dạ, em xin lỗi, hệ thống đang gặp sự cố nên em chưa trả lời được. Anh/Chị vui lòng "
           "thử lại sau ít phút hoặc hỏi tại Quầy Hướng dẫn chung ạ.")
SPEAKING_WEBHOOKS = frozenset({"/webhooks/rest/webhook", "/webhooks/robot/webhook"})
HEALTH_TIMEOUT_SECONDS = 1.0
HEALTH_CACHE_SECONDS = 5.0
_health: Dict[str, Tuple[float, bool]] = {}  # action server URL -> (checked at, up)


async def apologise_for_a_failed_turn(request: Request, response: HTTPResponse) -> Optional[HTTPResponse]:
    """An empty reply is normal in a handover (the bot is paused); after a failed turn (a
    lock or tracker store error, marked by bot/channels/chat.py) or with the action server
    down, the citizen hears an apology instead."""
    if request.path not in SPEAKING_WEBHOOKS or response.status != 200 or response.body != b"[]":
        return None
    if not TURN_FAILED.get() and not await actions_down(getattr(request.app.ctx, "agent", None)):
        return None
    sender = (request.json or {}).get("sender", "") if isinstance(request.json, dict) else ""
    return json_response([{"recipient_id": sender, "text": APOLOGY}])


async def actions_down(agent: Any) -> bool:
    """The agent's action server does not answer its health check. Rasa catches a failed
    custom action itself and ends the turn, so this is how such a turn is recognised."""
    endpoint = getattr(agent, "action_endpoint", None)
    return endpoint is not None and not await action_server_up(endpoint.url)


async def action_server_up(webhook_url: str) -> bool:
    """The action server's /health answers (cached a few seconds)."""
    checked_at, up = _health.get(webhook_url, (0.0, True))
    if time.monotonic() - checked_at < HEALTH_CACHE_SECONDS:
        return up
    health = webhook_url.rsplit("/webhook", 1)[0] + "/health"
    try:
        async with httpx.AsyncClient(timeout=HEALTH_TIMEOUT_SECONDS) as client:
            up = (await client.get(health)).status_code == 200
    except httpx.HTTPError:
        up = False
    _health[webhook_url] = (time.monotonic(), up)
    return up
