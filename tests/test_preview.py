"""The staff preview page asks the running bot and shows exactly its answer."""
import re

import httpx
import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def client(stack):
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "xem_truoc", "mat-khau-xem-truoc", [Role.counter_officer])
    client = httpx.Client(base_url=stack.api_url, follow_redirects=True, timeout=30)
    login = client.get("/staff/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login.text).group(1)
    client.post("/staff/login", data={"username": "xem_truoc", "password": "mat-khau-xem-truoc",
                                      "csrf_token": csrf})
    yield client
    client.close()


def csrf_of(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_preview_shows_the_bot_answer_and_can_continue_the_conversation(client):
    page = client.get("/staff/preview")
    assert page.status_code == 200
    first = client.post("/staff/preview", data={"csrf_token": csrf_of(page),
                                                 "question": "làm khai sinh cần gì"})
    assert "đăng ký khai sinh" in first.text and "giấy chứng sinh" in first.text.lower()
    conversation = re.search(r'name="conversation" value="([^"]+)"', first.text).group(1)
    follow = client.post("/staff/preview", data={"csrf_token": csrf_of(first), "continue": "1",
                                                  "conversation": conversation,
                                                  "question": "còn lệ phí thì sao"})
    assert "lệ phí đăng ký khai sinh" in follow.text


def test_preview_escapes_what_was_typed(client):
    page = client.get("/staff/preview")
    answer = client.post("/staff/preview", data={"csrf_token": csrf_of(page),
                                                  "question": "<script>alert(1)</script> tạm trú"})
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


def test_preview_needs_a_login_and_a_valid_form_token(stack, client):
    anonymous = httpx.post(f"{stack.api_url}/staff/preview", data={"question": "xin chào"})
    assert anonymous.status_code == 303 and "/staff/login" in anonymous.headers["location"]
    forged = client.post("/staff/preview", data={"csrf_token": "gia-mao", "question": "xin chào"})
    assert forged.status_code == 400 and "hết hạn" in forged.text
