"""Rasa's SQL tracker store with every event's JSON encrypted (procedure_kb/secret_box.py).

Citizens' messages, the bot's read-backs and slot values (a complaint's name and phone)
live in the `data` column of Rasa's `events` table. This store maps the same table with
`data` encrypted on write and decrypted on read; the other columns (sender_id, type_name,
timestamp, intent_name, action_name) stay as Rasa writes them, since Rasa queries them.

endpoints.yml:
    tracker_store:
      type: bot.tracker_store.EncryptedSQLTrackerStore
      dialect: "sqlite"          # and the other SQL store parameters (url, port, db, …)
      db: "var/letan.db"
      key_file: "var/tracker.key"  # optional; used only when LETAN_TRACKER_KEY is empty
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Optional, Text, Tuple, Type, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.types import TypeDecorator

from procedure_kb.secret_box import SecretBox, tracker_box

logger = logging.getLogger(__name__)
# Waits between attempts when the database is unreachable (about 7.5 s in all: a PostgreSQL
# restart or failover), before the error reaches Rasa's FailSafeTrackerStore, which would
# answer the message without the conversation's history, or drop the turn's events.
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
Result = TypeVar("Result")


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token."""

    impl = sa.Text
    cache_ok = True  # the box is compared by identity

    def __init__(self, box: SecretBox) -> None:
        super().__init__()
        self.box = box

    def process_bind_param(self, value: Optional[str], dialect: Any) -> Optional[str]:
        return None if value is None else self.box.encrypt(value)

    def process_result_value(self, value: Optional[str], dialect: Any) -> Optional[str]:
        return None if value is None else self.box.decrypt(value)


def _encrypted_event_model(box: SecretBox) -> Tuple[Any, Type]:
    """A declarative base and an event class for Rasa's `events` table, `data` encrypted."""
    metadata = sa.MetaData()
    table = SQLTrackerStore.SQLEvent.__table__.to_metadata(metadata)
    table.c.data.type = EncryptedText(box)
    base = declarative_base(metadata=metadata)
    return base, type("EncryptedSQLEvent", (base,), {"__table__": table})


class EncryptedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` whose `events.data` column is encrypted."""

    def __init__(self, domain: Optional[Domain] = None, key_file: Optional[Text] = None,
                 **kwargs: Any) -> None:
        """`kwargs`: SQLTrackerStore's (dialect, host, port, db, username, password, …)."""
        self.box = tracker_box(Path(key_file) if key_file else None)
        # Rasa's methods reach the table through these two attributes only.
        self.Base, self.SQLEvent = _encrypted_event_model(self.box)
        super().__init__(domain, **kwargs)
        self._ping_before_use()
        self._encrypt_clear_rows()
        self._check_key()

    def _check_key(self) -> None:
        """Raises SecretBoxError when the newest stored event does not decrypt with our keys.

        Rasa wraps the store in its `FailSafeTrackerStore`, which logs a failed read and goes
        on with an empty conversation; a wrong key must rather stop Rasa at start.
        """
        with self.session_scope() as session:
            session.query(self.SQLEvent).order_by(self.SQLEvent.id.desc()).first()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await _retrying(lambda: super(EncryptedSQLTrackerStore, self).retrieve(sender_id))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await _retrying(
            lambda: super(EncryptedSQLTrackerStore, self).retrieve_full_tracker(conversation_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa writes only the events the table does not hold yet, in one transaction, so a
        failed attempt leaves nothing behind and a retry writes them once."""
        await _retrying(lambda: super(EncryptedSQLTrackerStore, self).save(tracker))

    def _ping_before_use(self) -> None:
        """Rasa's engine reuses pooled connections blindly: after a database restart each one
        fails once, and Rasa's FailSafeTrackerStore answers that turn with an empty history.
        With pre-ping a dead connection is replaced before use."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sessionmaker(bind=self.engine)

    def _encrypt_clear_rows(self) -> None:
        """Encrypts the events written in clear (by Rasa's own store, before the switch)."""
        events = sa.table("events", sa.column("id"), sa.column("data"))
        clear = events.c.data.like("{%")  # Rasa's JSON; a Fernet token starts with "gAAAA"
        with self.engine.begin() as connection:
            rows = connection.execute(sa.select(events.c.id, events.c.data).where(clear)).all()
            for row in rows:
                connection.execute(events.update().where(events.c.id == row.id, clear)
                                   .values(data=self.box.encrypt(row.data)))
        if rows:
            logger.info(f"Encrypted {len(rows)} tracker events stored in clear.")


async def _retrying(call: Callable[[], Awaitable[Result]]) -> Result:
    """`call()`, again after each RETRY_DELAYS wait while the database is unreachable."""
    for delay in RETRY_DELAYS:
        try:
            return await call()
        except sa.exc.OperationalError as error:
            logger.warning("Tracker store database unreachable, retrying in %.1f s: %s",
                           delay, str(error).splitlines()[0])
            await asyncio.sleep(delay)
    return await call()
