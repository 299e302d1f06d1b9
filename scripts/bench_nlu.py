"""NLU benchmark: `make bench`.

Starts the real servers on free ports (a copy of the seeded KB in a temp dir), then
prints intent accuracy and macro-F1 on the held-back split (with and without
diacritics), /model/parse latency and throughput, and the REST round trip of a
full answer (NLU + dialogue + action server + KB).
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import List

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.nlu_eval import evaluate, load_holdout, without_diacritics  # noqa: E402
from scripts.stack import Stack, seeded_database  # noqa: E402

CONCURRENCY = 8
ROUND_TRIP_QUESTIONS = [
    "Làm giấy khai sinh cần gì?", "còn lệ phí thì sao?", "mất bao lâu?",
    "đăng ký tạm trú nộp ở đâu", "làm căn cước online được không",
]


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed_parses(client: httpx.Client, url: str, texts: List[str]) -> List[float]:
    latencies = []
    for text in texts:
        started = time.perf_counter()
        client.post(f"{url}/model/parse", json={"text": text}).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def parse_throughput(url: str, texts: List[str]) -> float:
    async with httpx.AsyncClient(timeout=60) as client:
        queue = list(texts)

        async def worker() -> None:
            while queue:
                text = queue.pop()
                (await client.post(f"{url}/model/parse", json={"text": text})).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return len(texts) / (time.perf_counter() - started)


def round_trips(client: httpx.Client, url: str, conversations: int) -> List[float]:
    latencies = []
    for _ in range(conversations):
        sender = uuid.uuid4().hex
        for text in ROUND_TRIP_QUESTIONS:
            started = time.perf_counter()
            client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="letan-bench-"))
    stack = Stack(workdir=workdir, database_url=seeded_database(workdir))
    stack.start()
    try:
        run(stack)
    finally:
        stack.stop()


def run(stack: Stack) -> None:
    client = httpx.Client(timeout=60)
    examples = load_holdout()
    texts = [text for text, _ in examples]

    def parse_intent(text: str) -> str:
        response = client.post(f"{stack.rasa_url}/model/parse", json={"text": text})
        return response.json()["intent"]["name"]

    timed_parses(client, stack.rasa_url, texts[:20])  # warm-up
    with_accents = evaluate(parse_intent, examples)
    accentless = evaluate(parse_intent, without_diacritics(examples))
    latencies = timed_parses(client, stack.rasa_url, texts * 2)
    throughput = asyncio.run(parse_throughput(stack.rasa_url, texts * 2))
    trips = round_trips(client, stack.rasa_url, conversations=20)

    print(f"held-back split: {len(examples)} examples")
    print(f"intent accuracy            {with_accents.accuracy:.3f}   macro-F1 {with_accents.macro_f1:.3f}")
    print(f"without diacritics         {accentless.accuracy:.3f}   macro-F1 {accentless.macro_f1:.3f}")
    print(f"/model/parse latency (ms)  p50 {statistics.median(latencies):.1f}   p95 {percentile(latencies, 0.95):.1f}   (sequential, n={len(latencies)})")
    print(f"/model/parse throughput    {throughput:.1f} messages/s ({CONCURRENCY} concurrent clients)")
    print(f"REST answer round trip(ms) p50 {statistics.median(trips):.1f}   p95 {percentile(trips, 0.95):.1f}   (n={len(trips)}, with action server and KB)")
    for text, expected, predicted in with_accents.errors:
        print(f"  miss: {text!r}: expected {expected}, got {predicted}")


if __name__ == "__main__":
    main()
