"""Zalo benchmark: `python scripts/bench_zalo.py`.

Starts the real servers with the fake OA, then 50 citizens message the OA at once, a few
questions each. Reports the webhook acknowledgement time (measured by the fake, which
posts the signed event) and the end-to-end time from sending to the bot's first reply
arriving at the fake OA, p50/p95 in ms.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.stack import Stack, seeded_database  # noqa: E402

USERS = 50
QUESTIONS = ["làm khai sinh cần giấy tờ gì", "lệ phí bao nhiêu", "mất bao lâu vậy em", "cảm ơn em"]
REPLY_TIMEOUT = 60.0


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def one_citizen(zalo_url: str) -> List[Tuple[float, float]]:
    """(ack ms, first reply ms) for each question, asked one after the other."""
    user = f"bench-{uuid.uuid4().hex[:10]}"
    seen, timings = 0, []
    with httpx.Client(timeout=REPLY_TIMEOUT) as client:
        for question in QUESTIONS:
            started = time.perf_counter()
            sent = client.post(f"{zalo_url}/fake/users/{user}/send", json={"text": question}).json()
            while time.perf_counter() - started < REPLY_TIMEOUT:
                replies = client.get(f"{zalo_url}/fake/users/{user}/messages",
                                     params={"after": seen}).json()["messages"]
                if replies:
                    timings.append((sent["ack_ms"], (time.perf_counter() - started) * 1000))
                    time.sleep(0.5)  # let the rest of this answer arrive
                    seen = client.get(f"{zalo_url}/fake/users/{user}/messages").json()["messages"][-1]["index"]
                    break
                time.sleep(0.1)
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(workdir=Path(directory), database_url=seeded_database(Path(directory)), zalo=True)
        stack.start()
        try:
            with ThreadPoolExecutor(USERS) as pool:
                results = [t for timings in pool.map(one_citizen, [stack.zalo_url] * USERS) for t in timings]
        finally:
            stack.stop()
    acks, replies = [a for a, _ in results], [r for _, r in results]
    missing = USERS * len(QUESTIONS) - len(results)
    print(f"Zalo, {USERS} concurrent citizens x {len(QUESTIONS)} questions ({len(results)} answered, "
          f"{missing} unanswered):")
    print(f"  webhook acknowledgement (ms)   p50 {statistics.median(acks):7.1f}   p95 {percentile(acks, 0.95):7.1f}")
    print(f"  send → first reply (ms)        p50 {statistics.median(replies):7.1f}   "
          f"p95 {percentile(replies, 0.95):7.1f}")


if __name__ == "__main__":
    main()
