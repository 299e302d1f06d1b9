"""Starts the real servers (Rasa, actions, API) on free ports, for tests and benchmarks."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import httpx
import yaml
from sqlalchemy import create_engine, text

from procedure_kb.db import get_engine, session_scope
from procedure_kb.migrate import upgrade
from procedure_kb.seed import load_seed_file, seed, seed_centre, seed_queue

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "letan.tar.gz"
STARTUP_SECONDS = 240
# Credentials shared by the fake OA and the bot in development and tests (not secrets).
ZALO_DEVELOPMENT = {
    "ZALO_APP_ID": "1234567890", "ZALO_OA_SECRET_KEY": "dev-oa-secret-key",
    "ZALO_APP_SECRET": "dev-app-secret", "ZALO_ACCESS_TOKEN": "dev-access-token-1",
    "ZALO_REFRESH_TOKEN": "dev-refresh-token-1",
}
# Tests and benchmarks send many requests from one address; tests/test_security.py checks the
# limits in process. A stack's `extra_env` can set them again.
RATE_LIMITS_OFF = {"LETAN_RATE_LIMIT_TICKETS_PER_MINUTE": "0", "LETAN_RATE_LIMIT_LOGIN_PER_MINUTE": "0",
                   "LETAN_RATE_LIMIT_SPEECH_PER_MINUTE": "0", "LETAN_RATE_LIMIT_WEBHOOK_PER_MINUTE": "0"}
ZALO_VARIABLES = ("ZALO_APP_ID", "ZALO_OA_SECRET_KEY", "ZALO_APP_SECRET", "ZALO_ACCESS_TOKEN",
                  "ZALO_REFRESH_TOKEN", "ZALO_API_BASE", "ZALO_OAUTH_BASE")


PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """A new, empty database on this machine's PostgreSQL, dropped afterwards.

    Raises sqlalchemy's OperationalError when no server answers.
    """
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
    name = f"letan_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{PG_SERVER}/{name}"
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seeded_database(directory: Path) -> str:
    """A migrated SQLite database in `directory` with the seed procedures, queue and centre."""
    return seed_database(f"sqlite:///{directory / 'letan.db'}")


def seed_database(url: str) -> str:
    """Migrates the (empty) database at `url` and adds the seed procedures, queue and centre."""
    upgrade(url)
    with session_scope(url) as session:
        seed(session, load_seed_file())
        seed_queue(session)
        seed_centre(session)
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    workdir: Path
    database_url: str
    rasa_url: str = ""
    actions_url: str = ""
    api_url: str = ""
    # Extra environment for every process.
    extra_env: Dict[str, str] = field(default_factory=dict)
    # Also run the fake Zalo OA (scripts/fake_zalo.py) and point the Zalo channel at it.
    zalo: bool = False
    zalo_url: str = ""
    # endpoints.yml sections that replace or add to the defaults (e.g. tracker_store, lock_store).
    endpoints: Dict[str, dict] = field(default_factory=dict)
    # Rasa servers sharing the action server and the stores; `rasa_url` is the first.
    rasa_servers: int = 1
    rasa_urls: List[str] = field(default_factory=list)
    processes: List[subprocess.Popen] = field(default_factory=list)
    named: Dict[str, subprocess.Popen] = field(default_factory=dict)  # "actions", "api", "rasa", "zalo"…
    # Rasa's HTTP API token (`--auth-token`), new per stack; every process gets it.
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def env(self) -> Dict[str, str]:
        return {
            **{name: "" for name in ZALO_VARIABLES},  # the Zalo channel off unless given
            **os.environ,
            **RATE_LIMITS_OFF,
            **self.extra_env,
            "LETAN_DATABASE_URL": self.database_url,
            "LETAN_KB_REFRESH_SECONDS": "1",
            "LETAN_RASA_URL": self.rasa_url,
            "LETAN_RASA_TOKEN": self.rasa_token,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        }

    def start(self) -> None:
        """Rasa server(s), action server and API."""
        rasa_ports, actions_port = [free_port() for _ in range(self.rasa_servers)], free_port()
        self.rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
        self.rasa_url = self.rasa_urls[0]
        self.actions_url = f"http://127.0.0.1:{actions_port}"
        if self.zalo:
            self._start_fake_zalo()
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump(self._endpoints()), encoding="utf-8")
        self._spawn("actions", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                                "--port", str(actions_port)], {"SANIC_HOST": "127.0.0.1"})
        self._spawn_api()
        for number, port in enumerate(rasa_ports, start=1):
            self._spawn("rasa" if number == 1 else f"rasa{number}", self.rasa_command(port, endpoints))
        self._wait_until_ready([f"{url}/status?token={self.rasa_token}" for url in self.rasa_urls]
                               + [f"{self.actions_url}/health", f"{self.api_url}/health"])

    def rasa_command(self, port: int, endpoints: Path) -> List[str]:
        """`rasa run` with the API behind the token (`--auth-token=`: it may start with "-")."""
        return [str(BIN / "rasa"), "run", "--enable-api", f"--auth-token={self.rasa_token}",
                "-i", "127.0.0.1", "--port", str(port), "--model", str(MODEL),
                "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")]

    def _endpoints(self) -> Dict[str, dict]:
        """The action server and an encrypted SQLite tracker store (its key file in the
        workdir), then `self.endpoints` over them."""
        return {
            "action_endpoint": {"url": f"{self.actions_url}/webhook"},
            "tracker_store": {"type": "bot.tracker_store.EncryptedSQLTrackerStore", "dialect": "sqlite",
                              "db": str(self.workdir / "tracker.db"),
                              "key_file": str(self.workdir / "tracker.key")},
            **self.endpoints,
        }

    def _start_fake_zalo(self) -> None:
        port = free_port()
        self.zalo_url = f"http://127.0.0.1:{port}"
        self.extra_env.update(ZALO_DEVELOPMENT, ZALO_API_BASE=self.zalo_url, ZALO_OAUTH_BASE=self.zalo_url)
        self._spawn("zalo", [str(BIN / "python"), "-m", "scripts.fake_zalo", "--port", str(port),
                             "--webhook-url", f"{self.rasa_url}/webhooks/zalo/webhook"])
        self._wait_until_ready([f"{self.zalo_url}/fake/stats"])

    def start_api(self) -> None:
        """The staff API and pages alone."""
        self._spawn_api()
        self._wait_until_ready([f"{self.api_url}/health"])

    def _spawn_api(self) -> None:
        api_port = free_port()
        self.api_url = f"http://127.0.0.1:{api_port}"
        self._spawn("api", [str(BIN / "uvicorn"), "procedure_kb.api.app:app",
                            "--host", "127.0.0.1", "--port", str(api_port), "--ws", "wsproto"])

    def _spawn(self, name: str, command: List[str], env: Optional[Dict[str, str]] = None) -> None:
        """`env`: extra variables for this process only."""
        log = open(self.workdir / f"{name}.log", "wb")
        process = subprocess.Popen(command, cwd=ROOT, env={**self.env(), **(env or {})},
                                   stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        self.named[name] = process

    def _wait_until_ready(self, checks: List[str]) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                raise RuntimeError(f"a server exited early; logs in {self.workdir}\n{self.logs()}")
            if all(responds_ok(url) for url in checks):
                return
            time.sleep(1)
        raise RuntimeError(f"servers not ready in {STARTUP_SECONDS}s\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.workdir.glob("*.log"))
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def all_alive(self) -> bool:
        return all(process.poll() is None for process in self.processes)


def responds_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
