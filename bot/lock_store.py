"""An atomic Redis lock store, so that several Rasa servers can share conversations.

Rasa 3.6's `RedisLockStore` reads, changes and writes a list of tickets, so two replicas
can both believe they hold a conversation (RasaHQ/rasa#9213). Here a conversation's lock
is one Redis key, taken with `SET key token NX PX lifetime` (a random token per holder)
and released by a Lua script that deletes the key only while it still holds that token.

Semantics (docs/OPERATIONS.md, "Locks across Rasa replicas"):
- one holder per conversation at a time across every process sharing the Redis
  database; different conversations never wait for each other;
- no FIFO order: waiters poll with a short, jittered backoff;
- a waiter gives up with Rasa's `LockError` after `lock_lifetime` seconds, as a waiting
  ticket of Rasa's own store does when it expires;
- a holder that dies leaves a key that expires after `lock_lifetime` (Rasa's
  `TICKET_LOCK_LIFETIME`, 60 s by default); a turn that outlives it loses exclusivity,
  which is logged when the turn ends;
- Redis unreachable: `LockError` before anything is processed; a release that fails is
  logged and the key expires on its own.
"""
from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Text

from rasa.core.lock_store import (
    DEFAULT_SOCKET_TIMEOUT_IN_SECONDS,
    LOCK_LIFETIME,
    LockError,
    LockStore,
)
from rasa.utils.endpoints import EndpointConfig
from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Deletes the lock only while it still holds the caller's token; Redis runs it atomically.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""
FIRST_POLL_SECONDS = 0.005
MAX_POLL_SECONDS = 0.05


class AtomicRedisLockStore(LockStore):
    """Per-conversation locks, each a single Redis key.

    endpoints.yml:
        lock_store:
          type: bot.lock_store.AtomicRedisLockStore
          url: <Redis host>        # and optionally port, db, username, password,
                                   # use_ssl, key_prefix, socket_timeout

    Rasa 3.6 takes conversation locks only through `lock()` (agent, processor, HTTP
    API), which is all this store implements; the ticket methods inherited from
    `LockStore` (`issue_ticket`, `get_lock`, ...) are not supported.
    """

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        """Rasa passes the `lock_store` section of endpoints.yml as `endpoint_config`."""
        settings = endpoint_config.kwargs
        host, port = endpoint_config.url or "localhost", int(settings.get("port", 6379))
        self.address = f"{host}:{port}"
        timeout = float(settings.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT_IN_SECONDS))
        self.redis = Redis(
            host=host,
            port=port,
            db=int(settings.get("db", 1)),
            username=settings.get("username"),
            password=settings.get("password"),
            ssl=str(settings.get("use_ssl", False)).lower() == "true",  # also from ${VAR}
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        prefix = settings.get("key_prefix")
        self.key_prefix = f"{prefix}:lock:" if prefix else "lock:"
        self._release_script = self.redis.register_script(RELEASE_SCRIPT)
        super().__init__()

    @asynccontextmanager
    async def lock(  # type: ignore[override]
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[None]:
        """Hold `conversation_id` exclusively for at most `lock_lifetime` seconds.

        Waits at most `lock_lifetime` seconds for it, polling with a backoff no longer
        than `wait_time_in_seconds` (Rasa's meaning: the time between attempts).
        Raises `LockError` when the wait runs out or Redis cannot be reached.
        """
        key = self.key_prefix + conversation_id
        token = secrets.token_hex(16)
        await self._acquire(key, token, lock_lifetime, wait_time_in_seconds)
        try:
            yield
        finally:
            await self._release(key, token)

    async def _acquire(self, key: Text, token: Text, lifetime: float, max_poll: float) -> None:
        deadline = time.monotonic() + lifetime
        delay = FIRST_POLL_SECONDS
        while not await self._try_set(key, token, lifetime):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise LockError(f"Could not acquire lock '{key}' within {lifetime} s.")
            await asyncio.sleep(min(remaining, delay * random.uniform(0.5, 1.0)))
            delay = min(2 * delay, max_poll, MAX_POLL_SECONDS)

    async def _try_set(self, key: Text, token: Text, lifetime: float) -> bool:
        try:
            return bool(await self.redis.set(key, token, nx=True, px=max(1, round(lifetime * 1000))))
        except RedisError as error:
            raise LockError(
                f"Lock store Redis at {self.address} failed, so '{key}' was not taken and "
                f"the message is not processed: {error!r}"
            ) from error

    async def _release(self, key: Text, token: Text) -> None:
        try:
            released = await self._release_script(keys=[key], args=[token])
        except RedisError as error:
            logger.error("Could not release lock '%s' (Redis at %s: %r); it expires after "
                         "its lifetime.", key, self.address, error)
            return
        if not released:
            logger.warning("Lock '%s' expired before its holder released it: the turn "
                           "outlived the lock lifetime (TICKET_LOCK_LIFETIME), so another "
                           "process may have handled the conversation meanwhile.", key)
