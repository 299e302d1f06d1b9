"""The fact table: questions as citizens write them, each with the value the answer must
give and the legal basis it rests on (tests/data/fact_table/*.yml).

tests/test_fact_table.py checks the seeded KB against it and asks the running bot;
scripts/bench_facts.py reports the pass rates for `make bench`.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, List, Optional

import httpx
import yaml

TABLE = Path(__file__).resolve().parent.parent / "tests" / "data" / "fact_table"
ASPECTS = ("documents", "fee", "duration", "deadline", "location", "agency", "online", "applicants")
# "Số 60/2014/QH13", "123/2015/NĐ-CP", "16/2025/TT-BTC": the number a citizen can look up.
DOCUMENT_NUMBER = re.compile(r"\d{1,4}/\d{4}/[A-ZĐa-zđ0-9\-]+")
BASIS_FOLLOW_UP = "theo văn bản nào vậy ạ"


@dataclass(frozen=True)
class FactQuestion:
    question: str
    procedure: str
    aspect: str
    expect: str
    basis: str
    # The last day the expected value applies (a reduction that ends); None = open-ended.
    until: Optional[date] = None

    @property
    def answer_aspect(self) -> str:
        """The answer that carries this fact ('agency' is told with the place)."""
        return "location" if self.aspect == "agency" else self.aspect

    @property
    def basis_number(self) -> Optional[str]:
        match = DOCUMENT_NUMBER.search(self.basis)
        return match.group(0) if match else None


@dataclass(frozen=True)
class Result:
    row: FactQuestion
    reply: str
    basis_reply: str

    @property
    def value_ok(self) -> bool:
        return contains(self.reply, self.row.expect)

    @property
    def basis_ok(self) -> bool:
        number = self.row.basis_number
        return number is None or contains(self.basis_reply, number)


def load(today: date, folder: Path = TABLE) -> List[FactQuestion]:
    """Every row whose expected value still applies on `today`."""
    rows = []
    for path in sorted(folder.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            row = FactQuestion(**raw)
            if row.until is None or today <= row.until:
                rows.append(row)
    return rows


def contains(text: str, expected: str) -> bool:
    """Case-insensitive, composed-Unicode substring test (the reply and the KB are NFC)."""
    return _normal(expected) in _normal(text)


def ask_all(url: str, rows: Iterable[FactQuestion], timeout: float = 60) -> List[Result]:
    """Ask each question in a conversation of its own, then ask for the legal basis."""
    results = []
    with httpx.Client(timeout=timeout) as client:
        for row in rows:
            sender = f"fact-{uuid.uuid4().hex}"
            reply = _say(client, url, sender, row.question)
            results.append(Result(row, reply, _say(client, url, sender, BASIS_FOLLOW_UP)))
    return results


def _say(client: httpx.Client, url: str, sender: str, text: str) -> str:
    response = client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
    response.raise_for_status()
    return "\n".join(m.get("text", "") for m in response.json())


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()
