"""Per-client sliding windows for rate limits, without any web framework.

`SlidingWindow` counts in the process (one server); `RedisSlidingWindow` counts in Redis,
so every API worker and Rasa server sharing the database shares the counts. Both allow
at most `limit` hits per key in any `window` seconds, and a refused hit is not counted.

Redis unreachable or failing: the Redis window fails open (every hit is allowed), logs a
warning at most once a minute, and does not try Redis again for `RETRY_SECONDS`, so that
requests do not each wait for a timeout. A broken Redis never refuses a citizen.
"""
from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from typing import Callable, Deque, Optional, Protocol, Sequence

import redis

from procedure_kb.settings import Settings

WINDOW_SECONDS = 60.0
# Clients remembered at most by the in-process window; past it the longest idle is forgotten.
MAX_CLIENTS = 10_000
REDIS_DB = 2
KEY_PREFIX = "letan:rate:"
REDIS_TIMEOUT_SECONDS = 0.5
RETRY_SECONDS = 5.0
WARN_EVERY_SECONDS = 60.0
# KEYS[1]: a sorted set of the key's hit times (ms, Redis's clock); ARGV: window (ms),
# limit, a member unique to this hit. Returns 0 (counted) or the ms until a hit would be.
HIT_SCRIPT = """
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
    return tonumber(oldest[2]) + window - now
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""

log = logging.getLogger(__name__)


class RateWindow(Protocol):
    def hit(self, key: str, limit: int) -> float:
        """Count a hit and return 0, or return the seconds until one would be allowed."""


class SlidingWindow:
    """In process: thread-safe, bounded memory.

    Keys are kept in order of last use, so the idle ones (no hit within the window) are
    at the front and are forgotten as new hits come.
    """

    def __init__(self, window: float = WINDOW_SECONDS, max_keys: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._window, self._max_keys, self._clock = window, max_keys, clock
        self._hits: "OrderedDict[str, Deque[float]]" = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int) -> float:
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


class RedisSlidingWindow:
    """In Redis: one sorted set per key, changed by one Lua script, so the check and the
    count are atomic across processes. Times are Redis's, so the servers' clocks do not
    matter; a key expires one window after its last counted hit."""

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, db: int = REDIS_DB,
                 window: float = WINDOW_SECONDS, prefix: str = KEY_PREFIX,
                 timeout: float = REDIS_TIMEOUT_SECONDS) -> None:
        self.address = f"{host}:{port}"
        self._window_ms, self._prefix = int(window * 1000), prefix
        self._redis = redis.Redis(host=host, port=port, db=db, socket_timeout=timeout,
                                  socket_connect_timeout=timeout)
        self._script = self._redis.register_script(HIT_SCRIPT)
        self._retry_at = 0.0
        self._warned_at: Optional[float] = None

    def hit(self, key: str, limit: int) -> float:
        now = time.monotonic()
        if now < self._retry_at:
            return 0.0
        try:
            wait_ms = self._script(keys=[self._prefix + key],
                                   args=[self._window_ms, limit, secrets.token_hex(8)])
        except redis.RedisError as error:
            self._fail_open(now, error)
            return 0.0
        return int(wait_ms) / 1000

    def close(self) -> None:
        self._redis.close()

    def _fail_open(self, now: float, error: redis.RedisError) -> None:
        self._retry_at = now + RETRY_SECONDS
        if self._warned_at is None or now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("Rate limits are off: Redis at %s failed (%s); every request is allowed "
                        "until it answers again", self.address, error)


def window_for(settings: Settings) -> RateWindow:
    """Shared counts in Redis with the services backend, else counts in this process."""
    if settings.backend == "services":
        return RedisSlidingWindow(settings.redis_host, settings.redis_port)
    return SlidingWindow()


def client_address(peer: str, forwarded_for: Optional[str], trusted_proxies: Sequence[str]) -> str:
    """The peer's address, or the one a trusted proxy says it forwarded for.

    X-Forwarded-For is read right to left, skipping trusted proxies, so a client cannot
    choose its address by sending the header itself.
    """
    if peer not in trusted_proxies:
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",")]
    return next((hop for hop in reversed(hops) if hop and hop not in trusted_proxies), peer)


def retry_after(wait: float) -> int:
    """Whole seconds for a Retry-After header (at least 1)."""
    return max(1, math.ceil(wait))
