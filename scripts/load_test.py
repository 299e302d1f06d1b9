"""Bounded load generator: realistic Vietnamese conversations through the REST webhook.

`python scripts/load_test.py [--backend embedded|services] [--replicas 1|2] --users N
--seconds S [--json PATH]` starts its own servers (scripts/stack.py) on free ports: one Rasa
server on SQLite (embedded), or one or two Rasa servers with everything on a temporary
PostgreSQL database and AtomicRedisLockStore (services), requests spread round-robin over
them (a client-side balancer standing in for nginx). With --rasa-url (and --database-url,
--rasa-token) it targets a running deployment; scripts/fault_test.py drives `make
run-scaled` through nginx. Virtual users mix Q&A with follow-ups, queue tickets and
complaints; afterwards the tickets, complaints and conversation trackers are checked
against the database. Loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple
from urllib.parse import urlsplit

import httpx
import redis
from sqlalchemy import select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from procedure_kb.db import session_scope  # noqa: E402
from procedure_kb.models import Complaint, Ticket  # noqa: E402
from scripts.stack import Stack, seed_database, seeded_database, temporary_postgres_database  # noqa: E402

REQUEST_TIMEOUT = 30.0
GRACE_SECONDS = 5.0  # after --seconds, requests in flight get this long, then are cancelled
THINK_SECONDS = (0.2, 0.8)
TRACKER_SAMPLE = 20
REDIS = {"url": "127.0.0.1", "port": 6379, "db": 1}
TICKET = re.compile(r"số thứ tự của Anh/Chị là ([A-Z]\d{3})")
COMPLAINT = re.compile(r"mã tra cứu là (PA-\d{8}-\d{4})")
DEGRADED = "sự cố"  # every polite "something is broken, try again" reply says this
QUESTIONS = [
    ["làm khai sinh cần giấy tờ gì", "còn lệ phí thì sao", "mất bao lâu", "cảm ơn em"],
    ["đăng ký kết hôn cần những gì", "lệ phí bao nhiêu", "làm ở đâu", "cảm ơn em nhé"],
    ["đăng ký tạm trú cần giấy tờ gì", "mất bao lâu vậy em", "còn lệ phí thì sao", "cảm ơn"],
]
TICKET_REQUESTS = ["cho tôi lấy số làm khai sinh", "lấy số quầy đất đai", "cho tôi lấy số làm căn cước"]
STORIES = [
    "Sáng nay cán bộ quầy số 3 thu thêm của tôi 200 nghìn ngoài lệ phí khai sinh",
    "Nhà vệ sinh tầng một bị hỏng vòi nước mấy hôm nay chưa ai sửa",
    "Tôi chờ hơn hai tiếng mà quầy tiếp nhận hồ sơ đất đai không gọi số",
]


@dataclass
class Turn:
    """One request: who, what, how long and what went wrong (if anything)."""

    sender: str
    text: str
    seconds: float
    error: Optional[str] = None
    at: float = 0.0  # sent this many seconds after the load started
    replies: List[dict] = field(default_factory=list)


@dataclass
class Results:
    turns: List[Turn] = field(default_factory=list)
    tickets: Dict[str, str] = field(default_factory=dict)  # code → sender
    complaints: Dict[str, Tuple[str, str]] = field(default_factory=dict)  # code → (sender, content)
    senders: Dict[str, List[str]] = field(default_factory=dict)  # sender → texts answered or sent
    problems: List[str] = field(default_factory=list)


class Balancer:
    """Round-robin over the Rasa servers, one shared HTTP client."""

    def __init__(self, urls: List[str], client: httpx.AsyncClient, deadline: float) -> None:
        self.urls, self.client, self.deadline = itertools.cycle(urls), client, deadline
        self.started = time.monotonic()

    async def say(self, results: Results, sender: str, text: str, expect_reply: bool = True) -> Turn:
        """POST one message; errors, timeouts and missing replies are recorded on the turn."""
        url = f"{next(self.urls)}/webhooks/rest/webhook"
        results.senders.setdefault(sender, []).append(text)
        started = time.perf_counter()
        turn = Turn(sender, text, 0.0, at=time.monotonic() - self.started)
        try:
            response = await self.client.post(url, json={"sender": sender, "message": text})
            if response.status_code != 200:
                turn.error = f"HTTP {response.status_code}"
            else:
                turn.replies = response.json()
                if expect_reply and not any(r.get("text") for r in turn.replies):
                    turn.error = "empty reply"
        except httpx.TimeoutException:
            turn.error = "timeout"
        except httpx.HTTPError as error:
            turn.error = type(error).__name__
        turn.seconds = time.perf_counter() - started
        results.turns.append(turn)
        return turn

    def time_left(self) -> bool:
        return time.monotonic() < self.deadline


def reply_text(turn: Turn) -> str:
    return "\n".join(r.get("text", "") for r in turn.replies)


def apologised(turn: Turn) -> bool:
    """Answered with a polite apology that the request could not be handled."""
    return not turn.error and DEGRADED in reply_text(turn)


def failed(turn: Turn) -> bool:
    """An error, or an apology."""
    return bool(turn.error) or apologised(turn)


async def think() -> None:
    await asyncio.sleep(random.uniform(*THINK_SECONDS))


async def questions(lb: Balancer, results: Results, sender: str) -> None:
    """Q&A with follow-ups."""
    for text in random.choice(QUESTIONS):
        if not lb.time_left():
            return
        await lb.say(results, sender, text)
        await think()


async def ticket(lb: Balancer, results: Results, sender: str) -> None:
    """A queue ticket, then how many people are ahead."""
    turn = await lb.say(results, sender, random.choice(TICKET_REQUESTS))
    found = TICKET.search(reply_text(turn))
    if not found:
        if not failed(turn):
            results.problems.append(f"{sender}: no ticket code in {reply_text(turn)[:80]!r}")
        return
    results.tickets[found.group(1)] = sender
    await think()
    if lb.time_left():
        status = await lb.say(results, sender, "còn bao nhiêu người nữa")
        if not failed(status) and not reply_text(status).startswith(f"Dạ, số {found.group(1)}"):
            results.problems.append(f"{sender}: status not about {found.group(1)}: {reply_text(status)[:80]!r}")


async def complaint(lb: Balancer, results: Results, sender: str) -> None:
    """A complaint through the form, anonymous; the PA-… code is kept. When the bot asks for
    a category (content it could not classify), the user taps the first button offered."""
    content = f"{random.choice(STORIES)} (lượt {sender[-6:]})"
    steps = ["tôi muốn phản ánh", content, "Gửi ẩn danh", "Gửi phản ánh"]
    while steps and lb.time_left():
        turn = await lb.say(results, sender, steps.pop(0))
        if failed(turn):
            return
        buttons = [b for r in turn.replies for b in r.get("buttons", [])]
        if steps and steps[0] in BUTTON_STEPS and buttons and steps[0] not in {b["title"] for b in buttons}:
            steps.insert(0, buttons[0]["payload"])  # asked something else first: the category
        await think()
    if steps:
        return
    found = COMPLAINT.search(reply_text(turn))
    if found:
        results.complaints[found.group(1)] = (sender, content)
    else:
        results.problems.append(f"{sender}: no complaint code in {reply_text(turn)[:160]!r}")


BUTTON_STEPS = {"Gửi ẩn danh", "Gửi phản ánh"}
SCENARIOS = [(questions, 50), (ticket, 30), (complaint, 20)]


async def user(lb: Balancer, results: Results, number: int) -> None:
    """One virtual user: conversations one after another, each under a new sender id."""
    run = uuid.uuid4().hex[:6]
    for conversation in itertools.count():
        if not lb.time_left():
            return
        scenario = random.choices([s for s, _ in SCENARIOS], [w for _, w in SCENARIOS])[0]
        await scenario(lb, results, f"load-{run}-u{number}-c{conversation}")
        await think()


async def generate(urls: List[str], users: int, seconds: float) -> Tuple[Results, float]:
    """Runs the users for `seconds`; returns the results and the wall time measured."""
    results = Results()
    limits = httpx.Limits(max_connections=users * 2)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT, limits=limits) as client:
        lb = Balancer(urls, client, time.monotonic() + seconds)
        started = time.perf_counter()
        tasks = [asyncio.create_task(user(lb, results, n)) for n in range(users)]
        _, pending = await asyncio.wait(tasks, timeout=seconds + GRACE_SECONDS)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return results, time.perf_counter() - started


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))] if ordered else 0.0


def summary(results: Results, wall: float, replicas: int, users: int) -> Dict[str, object]:
    latencies = [t.seconds * 1000 for t in results.turns]
    errors: Dict[str, int] = {}
    for turn in results.turns:
        if turn.error:
            errors[turn.error] = errors.get(turn.error, 0) + 1
    return {
        "replicas": replicas, "users": users, "seconds": round(wall, 1),
        "requests": len(results.turns), "requests_per_second": round(len(results.turns) / wall, 1),
        "p50_ms": round(percentile(latencies, 0.50)), "p95_ms": round(percentile(latencies, 0.95)),
        "p99_ms": round(percentile(latencies, 0.99)), "errors": sum(errors.values()),
        "errors_by_kind": errors, "tickets": len(results.tickets), "complaints": len(results.complaints),
    }


def check_tickets(database_url: str, results: Results) -> List[str]:
    """Each code given stored once; no duplicate (day, prefix, number); no gap per prefix."""
    problems: List[str] = []
    with session_scope(database_url) as session:
        rows = session.execute(select(Ticket.day, Ticket.prefix, Ticket.number, Ticket.code)).all()
    codes = [row.code for row in rows]
    for code in results.tickets:
        if codes.count(code) != 1:
            problems.append(f"ticket {code} stored {codes.count(code)} times")
    by_prefix: Dict[Tuple[date, str], List[int]] = {}
    for row in rows:
        by_prefix.setdefault((row.day, row.prefix), []).append(row.number)
    for (day, prefix), numbers in by_prefix.items():
        if len(numbers) != len(set(numbers)):
            problems.append(f"duplicate ticket numbers for {day} {prefix}")
        if set(numbers) != set(range(1, max(numbers) + 1)):
            problems.append(f"gap in ticket numbers for {day} {prefix}")
    return problems


def check_complaints(database_url: str, results: Results) -> List[str]:
    """Each complaint code given stored once, with the content that was sent."""
    problems: List[str] = []
    with session_scope(database_url) as session:
        for code, (sender, content) in results.complaints.items():
            stored = list(session.execute(select(Complaint).where(Complaint.code == code)).scalars())
            if len(stored) != 1:
                problems.append(f"complaint {code} stored {len(stored)} times")
            elif (stored[0].content, stored[0].sender_id) != (content, sender):
                problems.append(f"complaint {code} stored with other content or sender")
    return problems


def tracker_problems(events: List[dict], sent: List[str], sender: str) -> List[str]:
    """All user messages present in order, each answered and closed by action_listen."""
    problems: List[str] = []
    starts = [n for n, event in enumerate(events) if event["event"] == "user"]
    texts = [events[n].get("text") for n in starts]
    if texts != sent:
        problems.append(f"{sender}: tracker has {len(texts)} user messages in this order, sent {len(sent)}")
    for start, end in zip(starts, starts[1:] + [len(events)]):
        actions = [e["name"] for e in events[start:end] if e["event"] == "action"]
        if len(actions) < 2 or actions[-1] != "action_listen" or actions.count("action_listen") != 1:
            problems.append(f"{sender}: turn {events[start].get('text')!r} not closed by action_listen")
    return problems


def check_trackers(rasa_url: str, token: str, results: Results, broken: Set[str]) -> List[str]:
    """A sample of conversations whose requests all succeeded, read from the tracker store."""
    complete = [s for s in results.senders if s not in broken]
    problems: List[str] = []
    for sender in random.sample(complete, min(TRACKER_SAMPLE, len(complete))):
        response = httpx.get(f"{rasa_url}/conversations/{sender}/tracker",
                             params={"include_events": "ALL", "token": token}, timeout=30)
        if response.status_code != 200:
            problems.append(f"{sender}: tracker HTTP {response.status_code}")
            continue
        problems += tracker_problems(response.json()["events"], results.senders[sender], sender)
    return problems


def integrity(database_url: str, rasa_url: str, token: str, results: Results) -> List[str]:
    answered: Dict[str, int] = {}
    for turn in results.turns:
        answered[turn.sender] = answered.get(turn.sender, 0) + 1
    broken = {t.sender for t in results.turns if failed(t)}
    broken |= {s for s, sent in results.senders.items() if answered.get(s, 0) != len(sent)}  # cancelled
    return (results.problems + check_tickets(database_url, results)
            + check_complaints(database_url, results) + check_trackers(rasa_url, token, results, broken))


def print_table(row: Dict[str, object]) -> None:
    print("| replicas | users | seconds | requests | req/s | p50 | p95 | p99 | errors | tickets | complaints |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"| {row['replicas']} | {row['users']} | {row['seconds']} | {row['requests']} | "
          f"{row['requests_per_second']} | {row['p50_ms']} ms | {row['p95_ms']} ms | {row['p99_ms']} ms | "
          f"{row['errors']} | {row['tickets']} | {row['complaints']} |")
    if row["errors_by_kind"]:
        print(f"errors: {row['errors_by_kind']}")


def loopback(url: str) -> str:
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"loopback only: {url}")
    return url.rstrip("/")


def delete_redis_keys(prefix: str) -> None:
    """The run's lock keys, if any are left."""
    client = redis.Redis(host=REDIS["url"], port=REDIS["port"], db=REDIS["db"], socket_timeout=2)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def own_stack(backend: str, replicas: int, cleanup: ExitStack) -> Stack:
    """Servers on free ports. "embedded": the KB, queue, complaints and tracker on SQLite
    (Rasa's in-memory locks, so one replica). "services": all of it on a temporary
    PostgreSQL database, the conversation locks in Redis (AtomicRedisLockStore)."""
    workdir = Path(tempfile.mkdtemp(prefix="letan-load-"))
    if backend == "embedded":
        stack = Stack(workdir=workdir, database_url=seeded_database(workdir), rasa_servers=replicas)
    else:
        database_url = seed_database(cleanup.enter_context(temporary_postgres_database()))
        stack = Stack(workdir=workdir, database_url=database_url, rasa_servers=replicas)
        prefix = f"load{uuid.uuid4().hex[:12]}"
        database = make_url(database_url)
        stack.endpoints = {
            "tracker_store": {"type": "bot.tracker_store.EncryptedSQLTrackerStore", "dialect": "postgresql",
                              "url": database.host, "port": database.port, "db": database.database,
                              "username": database.username, "key_file": str(workdir / "tracker.key")},
            "lock_store": {"type": "bot.lock_store.AtomicRedisLockStore", **REDIS, "key_prefix": prefix},
        }
        cleanup.callback(delete_redis_keys, prefix)
    cleanup.callback(stack.stop)
    print(f"starting {replicas} Rasa server(s) on the {backend} backend, logs in {workdir} …", flush=True)
    stack.start()
    return stack


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, choices=(1, 2), default=1)
    parser.add_argument("--backend", choices=("embedded", "services"), default="embedded",
                        help="embedded: SQLite (one replica); services: PostgreSQL + Redis locks")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0, help="hard bound on sending")
    parser.add_argument("--rasa-url", action="append", help="a running Rasa (repeatable); loopback")
    parser.add_argument("--api-url", help="a running staff API, checked with /health; loopback")
    parser.add_argument("--database-url", default=os.environ.get("LETAN_DATABASE_URL"),
                        help="with --rasa-url: the deployment's database (LETAN_DATABASE_URL)")
    parser.add_argument("--rasa-token", default=os.environ.get("LETAN_RASA_TOKEN", ""))
    parser.add_argument("--json", type=Path, help="also write the figures and problems here")
    return parser.parse_args()


def main() -> None:
    args = parse()
    with ExitStack() as cleanup:
        if args.rasa_url:
            if not args.database_url:
                raise SystemExit("--rasa-url needs --database-url (or LETAN_DATABASE_URL)")
            urls, database_url, token = [loopback(u) for u in args.rasa_url], args.database_url, args.rasa_token
            if args.api_url:
                httpx.get(f"{loopback(args.api_url)}/health", timeout=5).raise_for_status()
        else:
            if args.backend == "embedded" and args.replicas > 1:
                raise SystemExit("several replicas need --backend services (shared tracker and locks)")
            stack = own_stack(args.backend, args.replicas, cleanup)
            urls, database_url, token = stack.rasa_urls, stack.database_url, stack.rasa_token
        results, wall = asyncio.run(generate(urls, args.users, args.seconds))
        row = summary(results, wall, len(urls), args.users)
        print_table(row)
        problems = integrity(database_url, urls[0], token, results)
    print("nothing lost" if not problems else f"{len(problems)} problems:\n  " + "\n  ".join(problems[:30]))
    if args.json:
        args.json.write_text(json.dumps({**row, "problems": problems}, ensure_ascii=False, indent=2),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
