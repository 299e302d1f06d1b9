"""Queue benchmark: `make bench` (after the NLU one), or `python scripts/bench_queue.py`.

Starts the staff API on a fresh database (SQLite file, then PostgreSQL on this machine),
issues tickets through POST /api/queue/tickets with 1, 4 and 16 concurrent clients,
and prints tickets per second, p50/p95 latency and the duplicate and gap counts
(which must be 0). Loopback only, bounded in count.
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Tuple

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from procedure_kb.db import session_scope  # noqa: E402
from procedure_kb.migrate import upgrade  # noqa: E402
from procedure_kb.models import Ticket  # noqa: E402
from procedure_kb.seed import seed_queue  # noqa: E402
from scripts.stack import Stack, temporary_postgres_database  # noqa: E402

TICKETS_PER_LEVEL = 300
LEVELS = [(1, "ho_tich_chung_thuc", "A"), (4, "dat_dai_xay_dung", "B"), (16, "cu_tru_can_cuoc", "C")]


async def issue(url: str, service: str, clients: int) -> Tuple[float, List[float]]:
    remaining = TICKETS_PER_LEVEL
    latencies: List[float] = []

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            started = time.perf_counter()
            response = await client.post(f"{url}/api/queue/tickets", json={"service": service})
            response.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)

    async with httpx.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
        return TICKETS_PER_LEVEL / (time.perf_counter() - started), latencies


def duplicates_and_gaps(database_url: str, prefix: str) -> Tuple[int, int]:
    with session_scope(database_url) as session:
        numbers = list(session.execute(select(Ticket.number).where(Ticket.prefix == prefix)).scalars())
    duplicates = len(numbers) - len(set(numbers))
    gaps = (max(numbers) if numbers else 0) - len(set(numbers))
    return duplicates, gaps


def run(name: str, database_url: str, workdir: Path) -> None:
    upgrade(database_url)
    with session_scope(database_url) as session:
        seed_queue(session)
    stack = Stack(workdir=workdir, database_url=database_url)
    stack.start_api()
    try:
        for clients, service, prefix in LEVELS:
            rate, latencies = asyncio.run(issue(stack.api_url, service, clients))
            ordered = sorted(latencies)
            p95 = ordered[int(0.95 * (len(ordered) - 1))]
            duplicates, gaps = duplicates_and_gaps(database_url, prefix)
            print(f"{name:10} {clients:3} clients  {rate:7.1f} tickets/s  p50 {statistics.median(latencies):6.1f} ms"
                  f"  p95 {p95:6.1f} ms  duplicates {duplicates}  gaps {gaps}")
    finally:
        stack.stop()


@contextmanager
def sqlite_database(workdir: Path) -> Iterator[str]:
    yield f"sqlite:///{workdir / 'queue.db'}"


def main() -> None:
    print(f"{TICKETS_PER_LEVEL} tickets per level through the HTTP API (one uvicorn worker)")
    for name, database in (("SQLite", sqlite_database), ("PostgreSQL", None)):
        workdir = Path(tempfile.mkdtemp(prefix="letan-bench-queue-"))
        with (database(workdir) if database else temporary_postgres_database()) as url:
            run(name, url, workdir)


if __name__ == "__main__":
    main()
