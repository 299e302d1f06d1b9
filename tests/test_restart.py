"""Every process restarted: a half-filled complaint form, a stored complaint, an open
handover and a rating all survive (SQLite for the KB and for Rasa's tracker store)."""
import re

import httpx
import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from scripts.stack import MODEL, Stack
from tests.conftest import Conversation, seeded_database

pytestmark = pytest.mark.stack
PASSWORD = "mat-khau-khoi-dong-lai"


def resumed(stack, before):
    """The same citizen (sender id) talking to the restarted servers."""
    again = Conversation(stack)
    again.sender = before.sender
    return again


def test_conversations_and_records_survive_a_restart_of_every_process(tmp_path):
    if not MODEL.exists():
        pytest.fail("No trained model: run `make test`, which trains it first.")
    stack = Stack(workdir=tmp_path, database_url=seeded_database(tmp_path))
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "truc_quay", PASSWORD, [Role.counter_officer])
    try:
        stack.start()
        filed, half_filled, handed_over = Conversation(stack), Conversation(stack), Conversation(stack)
        filed.say("tôi muốn phản ánh")
        filed.say("Hồ sơ của tôi trễ hẹn hai tuần mà cán bộ quầy 2 không giải thích gì")
        filed.say("gửi ẩn danh")
        code = re.search(r"PA-\d{8}-\d{4}", filed.say_text("gửi phản ánh")).group()
        half_filled.say("cho tôi gửi phản ánh")
        half_filled.say("Phòng chờ không có quạt, người già ngồi chờ rất nóng")
        handed_over.say("cho tôi gặp cán bộ")
        stack.stop()

        stack.start()
        assert "Người gửi: ẩn danh" in resumed(stack, half_filled).say_text("gửi ẩn danh")
        assert re.search(r"mã tra cứu là PA-\d{8}-\d{4}",
                         resumed(stack, half_filled).say_text("đúng rồi"))
        assert f"phản ánh {code}" in resumed(stack, filed).say_text(f"tra cứu phản ánh {code}")
        assert resumed(stack, handed_over).say("alo có ai không") == []  # still with an officer
        token = httpx.post(f"{stack.api_url}/api/auth/token",
                           json={"username": "truc_quay", "password": PASSWORD}).json()["access_token"]
        inbox = httpx.get(f"{stack.api_url}/api/handovers",
                          headers={"Authorization": f"Bearer {token}"}).json()
        assert [h["sender_id"] for h in inbox] == [handed_over.sender]
    finally:
        stack.stop()
