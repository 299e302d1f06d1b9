"""A procedure added through the staff API is understood and answered without retraining."""
import time

import httpx
import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from tests.samples import festival_procedure

pytestmark = pytest.mark.stack

NEW = festival_procedure("le_hoi_truyen_thong")


def procedure_values(stack, text):
    response = httpx.post(f"{stack.rasa_url}/model/parse", json={"text": text}, timeout=30)
    return [e["value"] for e in response.json()["entities"] if e["entity"] == "procedure"]


def editor_headers(stack):
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "bien_tap_live", "mat-khau-bien-tap", [Role.kb_editor])
    response = httpx.post(f"{stack.api_url}/api/auth/token",
                          json={"username": "bien_tap_live", "password": "mat-khau-bien-tap"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_new_alias_is_recognised_and_answered_without_retraining(stack, conversation):
    question = "cho hỏi xin phép tổ chức lễ hội làng cần giấy tờ gì"
    assert procedure_values(stack, question) == []
    created = httpx.post(f"{stack.api_url}/api/procedures", json={**NEW, "change_note": "Thêm thủ tục lễ hội"},
                         headers=editor_headers(stack))
    assert created.status_code == 201, created.text
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not procedure_values(stack, question):
        time.sleep(0.5)
    assert procedure_values(stack, question) == [NEW["id"]]
    reply = conversation.say_text(question.replace("cần giấy tờ gì", "cần những giấy tờ gì ạ"))
    assert "văn bản đăng ký tổ chức lễ hội" in reply.lower()
