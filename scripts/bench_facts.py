"""Fact-table benchmark (`make bench`): the share of citizens' questions in
tests/data/fact_table/ that the running bot answers with the expected value, and the
share whose legal-basis follow-up names the expected document, per aspect."""
from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import fact_table  # noqa: E402
from scripts.stack import Stack, seeded_database  # noqa: E402


def report(results) -> None:
    by_aspect = defaultdict(list)
    for result in results:
        by_aspect[result.row.aspect].append(result)
    print(f"{'aspect':<12}{'questions':>10}{'value':>8}{'basis':>8}")
    for aspect, group in sorted(by_aspect.items()):
        print(f"{aspect:<12}{len(group):>10}{_share(r.value_ok for r in group):>8.2f}"
              f"{_share(r.basis_ok for r in group):>8.2f}")
    ascii_only = [r for r in results if r.row.question.isascii()]
    print(f"all: {len(results)} questions, value {_share(r.value_ok for r in results):.3f}, "
          f"basis {_share(r.basis_ok for r in results):.3f}; without diacritics "
          f"({len(ascii_only)}): value {_share(r.value_ok for r in ascii_only):.3f}")
    for result in results:
        if not result.value_ok:
            print(f"  miss: {result.row.question!r} wanted {result.row.expect!r}: {result.reply[:120]!r}")


def _share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else 0.0


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="letan-facts-"))
    stack = Stack(workdir=workdir, database_url=seeded_database(workdir))
    stack.start()
    try:
        report(fact_table.ask_all(stack.rasa_url, fact_table.load(date.today())))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
