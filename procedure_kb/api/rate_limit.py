"""Per-client request limits on the public endpoints: a sliding window, in process.

Each route group (ticket issuing, logins, speech) allows so many requests per minute per
client address (settings `rate_limit_*_per_minute`, 0 = no limit). The counts live in the
API process, so with several workers the limit applies per worker.
"""
from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from typing import Awaitable, Callable, Deque, Dict, Hashable, Optional, Sequence, Tuple

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from procedure_kb.api.pages.templating import render
from procedure_kb.settings import Settings, get_settings

WINDOW_SECONDS = 60.0
# Clients remembered at most; past it the longest idle is forgotten first.
MAX_CLIENTS = 10_000
LIMITED_ROUTES: Dict[Tuple[str, str], str] = {
    ("POST", "/api/queue/tickets"): "tickets",
    ("POST", "/api/auth/token"): "login",
    ("POST", "/staff/login"): "login",
    ("POST", "/api/speech/turn"): "speech",
    ("POST", "/api/speech/tts"): "speech",
}


class SlidingWindow:
    """At most `limit` hits per key in any `window` seconds; thread-safe, bounded memory.

    Keys are kept in order of last use, so the idle ones (no hit within the window) are
    at the front and are forgotten as new hits come.
    """

    def __init__(self, window: float = WINDOW_SECONDS, max_keys: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._window, self._max_keys, self._clock = window, max_keys, clock
        self._hits: "OrderedDict[Hashable, Deque[float]]" = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: Hashable, limit: int) -> float:
        """Count a hit and return 0, or return the seconds until one would be allowed."""
        now = self._clock()
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self._window:
                hits.popleft()
            self._hits[key] = hits
            if len(hits) >= limit:
                return hits[len(hits) - limit] + self._window - now
            hits.append(now)
            self._forget_idle(now)
            return 0.0

    def __len__(self) -> int:
        return len(self._hits)

    def _forget_idle(self, now: float) -> None:
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            idle = not hits or hits[-1] <= now - self._window
            if not idle and len(self._hits) <= self._max_keys:
                return
            del self._hits[key]


def client_address(request: Request, trusted_proxies: Sequence[str]) -> str:
    """The peer's address, or the one a trusted proxy says it forwarded for.

    X-Forwarded-For is read right to left, skipping trusted proxies, so a client cannot
    choose its address by sending the header itself.
    """
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    return next((hop for hop in reversed(hops) if hop and hop not in trusted_proxies), peer)


def limit_per_minute(settings: Settings, group: str) -> int:
    return getattr(settings, f"rate_limit_{group}_per_minute")


def too_many_requests(request: Request, wait: float) -> Response:
    """429 with a Retry-After; the page login form gets a page, the API a JSON detail."""
    seconds = max(1, math.ceil(wait))
    message = f"Bạn gửi yêu cầu quá nhanh, vui lòng thử lại sau {seconds} giây."
    headers = {"Retry-After": str(seconds)}
    if request.url.path.startswith("/staff/"):
        response = render(request, "message.html", status_code=429, message=message)
        response.headers.update(headers)
        return response
    return JSONResponse({"detail": message, "code": "rate_limited"}, 429, headers=headers)


class RateLimiter:
    """HTTP middleware applying LIMITED_ROUTES' limits per client address."""

    def __init__(self) -> None:
        self.window = SlidingWindow()

    async def __call__(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        wait = self._wait(request)
        return too_many_requests(request, wait) if wait else await call_next(request)

    def _wait(self, request: Request) -> Optional[float]:
        group = LIMITED_ROUTES.get((request.method, request.url.path))
        if group is None:
            return None
        settings = get_settings()
        limit = limit_per_minute(settings, group)
        if limit <= 0:
            return None
        return self.window.hit((group, client_address(request, settings.trusted_proxies)), limit)
