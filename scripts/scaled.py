"""`make run-scaled` (scripts/run_scaled.sh) started in the background, for tests and fault runs.

Each deployment gets its own PostgreSQL database, RabbitMQ queue, Redis key prefix, run
folder and ports (LETAN_PORT_OFFSET), so it can run beside `make run` or another test, and
leaves nothing behind when stopped.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import aio_pika
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from procedure_kb.db import get_engine
from scripts.stack import PG_SERVER, ROOT, responds_ok

SCRIPT = ROOT / "scripts" / "run_scaled.sh"
STARTUP_SECONDS = 300
# Base ports of run_scaled.sh; the deployment adds its offset to each.
PUBLIC_PORTS = {"rasa": 5005, "actions": 5055, "api": 8000}
REPLICA_PORTS = {"rasa": (5105, 5106), "actions": (5155, 5156), "api": (8100, 8101)}
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
LOCK_REDIS_DB = 1


def _ports_free(offset: int) -> bool:
    ports = [base + offset for base in PUBLIC_PORTS.values()]
    ports += [base + offset for pair in REPLICA_PORTS.values() for base in pair]
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_offset() -> int:
    """A port offset (multiple of 10, 20000–39990) under which every port is free."""
    for _ in range(50):
        offset = 20000 + 10 * secrets.randbelow(2000)
        if _ports_free(offset):
            return offset
    raise RuntimeError("no free port range for the scaled deployment")


@dataclass
class ScaledDeployment:
    """nginx, 2 Rasa servers, 2 action servers, 2 API workers and the event consumer."""

    run_dir: Path
    offset: int = field(default_factory=free_offset)
    name: str = field(default_factory=lambda: f"letan_scaled_{uuid.uuid4().hex[:10]}")
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    tracker_key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    extra_env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None

    def url(self, service: str, replica: int = 0) -> str:
        """The public (nginx) address of `service`, or replica 1 or 2 behind it."""
        base = PUBLIC_PORTS[service] if replica == 0 else REPLICA_PORTS[service][replica - 1]
        return f"http://127.0.0.1:{base + self.offset}"

    @property
    def database_url(self) -> str:
        return f"{PG_SERVER}/{self.name}"

    def env(self) -> Dict[str, str]:
        return {
            **os.environ,
            # Tests and load runs send many citizens' messages from one address.
            "LETAN_RATE_LIMIT_TICKETS_PER_MINUTE": "0", "LETAN_RATE_LIMIT_WEBHOOK_PER_MINUTE": "0",
            "LETAN_NGINX_CHAT_RATE": "1000r/s", "LETAN_NGINX_TICKET_RATE": "1000r/s",
            **self.extra_env,
            "LETAN_PORT_OFFSET": str(self.offset), "LETAN_RUN_DIR": str(self.run_dir),
            "LETAN_PG_DATABASE": self.name, "LETAN_EVENT_QUEUE": self.name,
            "LETAN_LOCK_KEY_PREFIX": self.name, "LETAN_RASA_TOKEN": self.rasa_token,
            "LETAN_TRACKER_KEY": self.tracker_key,
            "LETAN_DATABASE_URL": "", "LETAN_RABBITMQ_URL": "",
        }

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.chmod(0o755)  # nginx's workers run as www-data under root
        log = open(self.run_dir / "run_scaled.log", "wb")
        self.process = subprocess.Popen([str(SCRIPT)], cwd=ROOT, env=self.env(), stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        checks = [f"{self.url('rasa', n)}/status?token={self.rasa_token}" for n in (1, 2)]
        checks += [f"{self.url('api')}/health", f"{self.url('actions')}/health"]
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"run_scaled.sh exited\n{self.logs()}")
            if all(responds_ok(url) for url in checks):
                return
            time.sleep(1)
        raise RuntimeError(f"the scaled deployment was not ready in {STARTUP_SECONDS}s\n{self.logs()}")

    def pid(self, process_name: str) -> int:
        """The running server named e.g. "rasa-25105" (run_scaled.sh writes its pid)."""
        return int((self.run_dir / f"{process_name}.pid").read_text())

    def replica_name(self, service: str, replica: int) -> str:
        return f"{service}-{REPLICA_PORTS[service][replica - 1] + self.offset}"

    def kill(self, service: str, replica: int) -> int:
        """SIGKILL one replica and wait until it is gone (its supervisor restarts it 2 s later);
        returns the pid killed."""
        pid = self.pid(self.replica_name(service, replica))
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid)
        return pid

    def logs(self) -> str:
        paths = [self.run_dir / "run_scaled.log", *sorted((self.run_dir / "log").glob("*.log"))]
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-2000:]}"
                         for path in paths if path.exists())

    def stop(self) -> None:
        """Stop every process, then drop the database, queue and lock keys."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._drop_database()
        asyncio.run(_delete_queue(self.name))
        _delete_keys(f"{self.name}:*")

    def _drop_database(self) -> None:
        get_engine(self.database_url).dispose()
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()


def wait_gone(pid: int, seconds: float = 10.0) -> None:
    """Until `pid` has exited and was reaped: a killed server's socket may accept a connection
    in the few milliseconds its teardown takes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise RuntimeError(f"process {pid} still exists {seconds:.0f} s after SIGKILL")


async def _delete_queue(name: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)


def _delete_keys(pattern: str) -> None:
    client = redis.Redis(host="127.0.0.1", port=6379, db=LOCK_REDIS_DB, socket_timeout=2)
    keys: List[bytes] = list(client.scan_iter(match=pattern))
    if keys:
        client.delete(*keys)
    client.close()
