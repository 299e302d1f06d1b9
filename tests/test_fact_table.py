"""The fact table (tests/data/fact_table/): the seeded KB gives each expected value with
its legal basis, and the running bot gives it to a citizen who asks in their own words."""
from collections import Counter
from datetime import date

import pytest

from procedure_kb import answers
from procedure_kb.facts import documents_in_force, each_fact
from procedure_kb.schemas import ProcedureOut
from procedure_kb.seed import load_seed_file
from scripts import fact_table
from scripts.fact_table import ASPECTS, contains

TODAY = date.today()
ROWS = fact_table.load(TODAY)
SEED = {p.id: ProcedureOut(**p.dict(), version=1) for p in load_seed_file()}
# Through the bot a few questions may still be misread (issue 16 improves understanding);
# the figures are in `make bench` (scripts/bench_facts.py) and the README.
MIN_BOT_PASS_RATE = 0.85


def _facts_basis(procedure: ProcedureOut) -> str:
    return " ".join(fact.basis for _, fact in each_fact(procedure))


def test_the_table_has_at_least_80_questions_with_and_without_diacritics():
    assert len(ROWS) >= 80
    ascii_only = [row for row in ROWS if row.question.isascii()]
    assert 0.3 <= len(ascii_only) / len(ROWS) <= 0.7
    assert {row.aspect for row in ROWS} <= set(ASPECTS)
    assert {"deadline", "applicants", "fee", "duration", "documents"} <= {row.aspect for row in ROWS}


def test_every_row_names_a_seeded_procedure_and_a_basis_with_an_article():
    for row in ROWS:
        assert row.procedure in SEED, row
        assert row.basis_number or "Quyết định" in row.basis, row


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.procedure}-{r.aspect}-{r.question[:30]}")
def test_the_kb_answer_gives_the_expected_value_and_the_fact_cites_the_basis(row):
    procedure = SEED[row.procedure]
    answer = answers.answer(procedure, answers.Aspect(row.answer_aspect), TODAY)
    assert contains(" ".join([answer.speech, *answer.details]), row.expect), answer
    number = row.basis_number
    assert number is None or contains(_facts_basis(procedure), number), (number, row.procedure)


def test_every_procedure_in_force_today_has_documents_for_the_table():
    assert all(documents_in_force(p.documents, TODAY) for p in SEED.values())


@pytest.mark.stack
def test_the_running_bot_answers_the_fact_table(stack):
    results = fact_table.ask_all(stack.rasa_url, ROWS)
    value_rate = sum(r.value_ok for r in results) / len(results)
    basis_rate = sum(r.basis_ok for r in results if r.value_ok) / max(1, sum(r.value_ok for r in results))
    misses = Counter(r.row.aspect for r in results if not r.value_ok)
    failed = [(r.row.question, r.row.expect, r.reply[:160]) for r in results if not r.value_ok]
    assert value_rate >= MIN_BOT_PASS_RATE, (value_rate, misses, failed[:15])
    assert basis_rate >= MIN_BOT_PASS_RATE, basis_rate
