"""Delivers the outbox's Zalo messages from the staff API process, in a background thread."""
from __future__ import annotations

import logging
import threading
import uuid
from typing import List, Optional, Tuple

from procedure_kb import outbox
from procedure_kb.db import session_scope
from procedure_kb.models import OutboxMessage
from procedure_kb.zalo.client import ZaloClient, ZaloError
from procedure_kb.zalo.config import from_settings
from procedure_kb.zalo.tokens import TokenStore

CHANNEL = "zalo"
POLL_SECONDS = 1.0
log = logging.getLogger(__name__)


class OutboxSender:
    def __init__(self, client: ZaloClient, database_url: str = "") -> None:
        self._client = client
        self._url = database_url
        self._worker = f"zalo-{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def send_pending(self) -> int:
        """Send what is waiting; returns how many messages were tried."""
        with session_scope(self._url, write_lock=True) as session:
            claimed: List[Tuple[int, str, str]] = [
                (m.id, m.user_id, m.text) for m in outbox.claim(session, CHANNEL, self._worker)]
        for message_id, user_id, text in claimed:
            sent = self._try_send(message_id, user_id, text)
            with session_scope(self._url, write_lock=True) as session:
                outbox.settle(session.get(OutboxMessage, message_id), sent)
        return len(claimed)

    def _try_send(self, message_id: int, user_id: str, text: str) -> bool:
        try:
            self._client.send(user_id, text)
            return True
        except ZaloError as error:  # the user id and text stay out of the log
            log.warning("Outbox message %d not sent (Zalo error %d)", message_id, error.code)
            return False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="zalo-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.send_pending()
            except Exception:  # keep delivering after a database hiccup
                log.exception("Zalo outbox delivery failed")


def sender_from_settings() -> Optional[OutboxSender]:
    """A sender when Zalo is configured; None (and a log line) when it is not."""
    config = from_settings()
    missing = config.missing()
    if missing:
        log.info("Zalo proactive messages are off: %s not set", ", ".join(missing))
        return None
    return OutboxSender(ZaloClient(config, TokenStore(config)))
