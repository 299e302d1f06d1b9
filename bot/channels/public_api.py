"""Keeps the one Rasa HTTP API route that the public contract names open under `--auth-token`.

`rasa run --enable-api --auth-token T` (scripts/run.sh, scripts/stack.py) makes every route
of Rasa's HTTP API require `?token=T`, `POST /model/parse` included (`requires_auth` in
rasa/server.py). The contract says outside clients call `/model/parse` without a token, so
this request middleware answers that route with its handler minus the token check. Every
other API route (conversations and tracker events, model replace/train, status, domain)
still requires the token; the channels' webhooks are not API routes and never needed it.

Named in credentials.yml so that Rasa loads it: it adds no webhook, only a listener that
installs the middleware when the server starts.
"""
from __future__ import annotations

from inspect import isawaitable
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

PUBLIC_ROUTES = frozenset({("POST", "/model/parse")})


class PublicApiRoutes(InputChannel):
    """Not a chat channel: installs `serve_public_route` on the Rasa server."""

    @classmethod
    def name(cls) -> Text:
        return "public_api"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("public_api", __name__)
        blueprint.listener("before_server_start")(_install)
        return blueprint


async def _install(app: Sanic, _: Any) -> None:
    app.register_middleware(serve_public_route, "request")


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
