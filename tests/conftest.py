from __future__ import annotations

import shutil
import time
import uuid
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Iterator, List

import httpx
import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from procedure_kb.api.app import create_app
from procedure_kb.api.deps import get_session
from procedure_kb.db import session_factory, session_scope
from procedure_kb.rate_windows import REDIS_DB
from scripts.stack import MODEL, Stack, seeded_database, temporary_postgres_database

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, seeded SQLite database used read-only by unit tests."""
    return seeded_database(tmp_path_factory.mktemp("kb"))


@pytest.fixture()
def session(database_url: str) -> Iterator[Session]:
    with session_scope(database_url) as session:
        yield session


def api_app_on(database_url: str) -> FastAPI:
    """The staff API app with its sessions on the given database."""
    app = create_app()

    def session_for_test() -> Iterator[Session]:
        session = session_factory(database_url)()
        try:
            yield session
        finally:
            session.close()

    app.dependency_overrides[get_session] = session_for_test
    return app


@contextmanager
def api_client(database_url: str) -> Iterator[TestClient]:
    """The staff API app in-process (TestClient), on the given database."""
    with TestClient(api_app_on(database_url)) as client:
        yield client


# The session stack's robot channel requires this token (not a secret: tests only).
ROBOT_TOKEN = "robot-token-for-tests"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The real Rasa server, action server and API, once per test session."""
    if not MODEL.exists():
        pytest.fail("No trained model: run `make test`, which trains it first.")
    workdir = tmp_path_factory.mktemp("stack")
    running = Stack(workdir=workdir, database_url=seeded_database(workdir), zalo=True,
                    extra_env={"LETAN_ROBOT_TOKEN": ROBOT_TOKEN})
    try:
        running.start()
        yield running
    finally:
        running.stop()


class Conversation:
    """One citizen talking to the bot over the REST channel."""

    def __init__(self, stack: Stack, channel: str = "rest") -> None:
        self.url = f"{stack.rasa_url}/webhooks/{channel}/webhook"
        self.sender = f"test-{uuid.uuid4().hex[:12]}"
        token = stack.extra_env.get("LETAN_ROBOT_TOKEN") if channel == "robot" else None
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def say(self, text: str) -> List[dict]:
        response = httpx.post(self.url, json={"sender": self.sender, "message": text},
                              headers=self.headers, timeout=60)
        response.raise_for_status()
        return response.json()

    def say_text(self, text: str) -> str:
        return "\n".join(message.get("text", "") for message in self.say(text))


@pytest.fixture()
def conversation(stack: Stack) -> Conversation:
    return Conversation(stack)


CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@contextmanager
def chromium_page(base_url: str) -> Iterator["Page"]:
    """A page in Debian's headless Chromium, driven by Playwright, on `base_url`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        try:
            context = browser.new_context(base_url=base_url, viewport={"width": 1024, "height": 1366})
            yield context.new_page()
        finally:
            browser.close()


def log_in(page: "Page", username: str, password: str) -> None:
    page.goto("/staff")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff")


@pytest.fixture()
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database on this machine's server, dropped afterwards."""
    with ExitStack() as cleanup:
        try:
            url = cleanup.enter_context(temporary_postgres_database())
        except OperationalError as error:
            pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {error}")
        yield url


def rate_redis() -> redis.Redis:
    """The rate limits' database on this machine's Redis; skips the test when it does not answer."""
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        pytest.skip(f"Redis is not reachable on 127.0.0.1:6379: {error}")
    return client


def delete_keys(client: redis.Redis, pattern: str) -> None:
    keys = list(client.scan_iter(match=pattern))
    if keys:
        client.delete(*keys)


@pytest.fixture()
def rate_key_prefix() -> Iterator[str]:
    """A fresh key prefix in the rate limits' Redis database; its keys are deleted afterwards."""
    client = rate_redis()
    prefix = f"test:rate:{uuid.uuid4().hex[:12]}:"
    yield prefix
    delete_keys(client, f"{prefix}*")
    client.close()


class ZaloCitizen:
    """One Zalo user chatting with the OA through the fake."""

    def __init__(self, stack) -> None:
        self.url = stack.zalo_url
        self.user_id = f"zalo-{uuid.uuid4().hex[:10]}"
        self.seen = 0

    def post(self, **action) -> dict:
        return httpx.post(f"{self.url}/fake/users/{self.user_id}/send", json=action, timeout=30).json()

    def say(self, text: str, wait_for: int = 1, timeout: float = 30) -> list:
        """Send a text; the bot's replies once at least `wait_for` arrived and no more come."""
        assert self.post(text=text)["status"] == 200
        return self.replies(wait_for, timeout)

    def replies(self, at_least: int = 1, timeout: float = 30) -> list:
        deadline, found, quiet_since = time.monotonic() + timeout, [], time.monotonic()
        while time.monotonic() < deadline:
            new = httpx.get(f"{self.url}/fake/users/{self.user_id}/messages",
                            params={"after": self.seen}).json()["messages"]
            if new:
                found += new
                self.seen = new[-1]["index"]
                quiet_since = time.monotonic()
            elif len(found) >= at_least and time.monotonic() - quiet_since > 1.0:
                return found
            time.sleep(0.2)
        return found

    def text(self, messages: list) -> str:
        return "\n".join(m["text"] or "" for m in messages)
