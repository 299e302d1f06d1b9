"""Check reviewed procedure files: python docs/facts/review/validate.py out/g1/*.json ...

Run with the project's venv from /work/main:  .venv/bin/python docs/facts/review/validate.py FILES
"""
import json
import re
import sys
from datetime import date

sys.path.insert(0, ".")
from procedure_kb.facts import documents_in_force, each_fact, in_force  # noqa: E402
from procedure_kb.schemas import ProcedureData  # noqa: E402

ARTICLE = re.compile(r"\b(Điều|Mục|Phụ lục|khoản)\b", re.IGNORECASE)
DAYS = (date(2026, 12, 1), date(2027, 1, 2), date(2027, 7, 1))


def problems(path: str) -> list:
    out = []
    try:
        raw = json.load(open(path, encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001
        return [f"not JSON: {exc}"]
    try:
        p = ProcedureData(**raw)
    except Exception as exc:  # noqa: BLE001
        return [f"schema: {exc}"]
    if not p.sources:
        out.append("sources is empty")
    if len(p.aliases) < 3 or len(p.steps) < 3:
        out.append("need >=3 aliases and >=3 steps")
    if p.last_reviewed is None or p.last_reviewed < date(2026, 12, 1):
        out.append("last_reviewed must be >= 2026-12-01")
    for name, fact in each_fact(p):
        if fact.checked < date(2026, 12, 1):
            out.append(f"{name}: checked {fact.checked} < 2026-12-01")
        if not (ARTICLE.search(fact.basis) or "Quyết định" in fact.basis):
            out.append(f"{name}: basis names no article: {fact.basis!r}")
        if "Chưa ghi căn cứ" in fact.basis:
            out.append(f"{name}: placeholder basis")
    for day in DAYS:
        if in_force(p.agency, day) is None:
            out.append(f"no agency in force on {day}")
        if not documents_in_force(p.documents, day):
            out.append(f"no documents in force on {day}")
        if in_force(p.duration, day) is None:
            out.append(f"no duration in force on {day} (say plainly when the law sets none)")
    return out


if __name__ == "__main__":
    bad = 0
    for path in sys.argv[1:]:
        found = problems(path)
        bad += bool(found)
        print(("OK   " if not found else "FAIL ") + path)
        for line in found:
            print("     - " + line)
    sys.exit(1 if bad else 0)
