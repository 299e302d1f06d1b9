"""Per-client request limits on the public endpoints of the staff API (an HTTP middleware).

Each route group (ticket issuing, logins, speech) allows so many requests per minute per
client address (settings `rate_limit_*_per_minute`, 0 = no limit). The counts live in the
window `window_for` gives: in this process with the embedded backend, in Redis (shared by
every API worker) with the services backend (procedure_kb/rate_windows.py).
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Dict, Optional, Tuple

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from procedure_kb.api.pages.templating import render
from procedure_kb.rate_windows import client_address, retry_after, window_for
from procedure_kb.settings import Settings, get_settings

LIMITED_ROUTES: Dict[Tuple[str, str], str] = {
    ("POST", "/api/queue/tickets"): "tickets",
    ("POST", "/api/auth/token"): "login",
    ("POST", "/staff/login"): "login",
    ("POST", "/api/speech/turn"): "speech",
    ("POST", "/api/speech/tts"): "speech",
}


def limit_per_minute(settings: Settings, group: str) -> int:
    return getattr(settings, f"rate_limit_{group}_per_minute")


def too_many_requests(request: Request, wait: float) -> Response:
    """429 with a Retry-After; the page login form gets a page, the API a JSON detail."""
    seconds = retry_after(wait)
    message = f"Dạ, Anh/Chị gửi yêu cầu quá nhanh, vui lòng thử lại sau {seconds} giây ạ."
    headers = {"Retry-After": str(seconds)}
    if request.url.path.startswith("/staff/"):
        response = render(request, "message.html", status_code=429, message=message)
        response.headers.update(headers)
        return response
    return JSONResponse({"detail": message, "code": "rate_limited"}, 429, headers=headers)


class RateLimiter:
    """HTTP middleware applying LIMITED_ROUTES' limits per client address."""

    def __init__(self) -> None:
        self.window = window_for(get_settings())

    async def __call__(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        wait = await self._wait(request)
        return too_many_requests(request, wait) if wait else await call_next(request)

    async def _wait(self, request: Request) -> Optional[float]:
        group = LIMITED_ROUTES.get((request.method, request.url.path))
        if group is None:
            return None
        settings = get_settings()
        limit = limit_per_minute(settings, group)
        if limit <= 0:
            return None
        peer = request.client.host if request.client else "unknown"
        address = client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies)
        # In a thread: the Redis window waits on the network.
        return await asyncio.to_thread(self.window.hit, f"{group}:{address}", limit)
