"""`make run-scaled` end to end: nginx, 2 Rasa servers, 2 action servers, 2 API workers on
PostgreSQL, Redis and RabbitMQ (scripts/run_scaled.sh, started by scripts/scaled.py)."""
from __future__ import annotations

import shutil
import time
import uuid
from typing import Callable, Iterator, List

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from procedure_kb.models import Ticket
from scripts.scaled import ScaledDeployment
from scripts.stack import responds_ok

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None,
                                reason="nginx is not installed (.ci/run installs nginx-light)")
RESTART_SECONDS = 180


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledDeployment]:
    scaled = ScaledDeployment(run_dir=tmp_path_factory.mktemp("scaled"))
    try:
        scaled.start()
        yield scaled
    finally:
        scaled.stop()


def say(url: str, sender: str, message: str) -> List[dict]:
    response = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                          timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def reply(replies: List[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def user_texts(deployment: ScaledDeployment, sender: str) -> List[str]:
    response = httpx.get(f"{deployment.url('rasa')}/conversations/{sender}/tracker",
                         params={"token": deployment.rasa_token}, timeout=30)
    response.raise_for_status()
    return [e["text"] for e in response.json()["events"] if e["event"] == "user"]


def eventually(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(1)
    return False


def test_rasa_api_needs_the_token_behind_nginx(deployment: ScaledDeployment) -> None:
    assert httpx.get(f"{deployment.url('rasa')}/status", timeout=10).status_code == 401
    assert httpx.get(f"{deployment.url('rasa')}/status", params={"token": deployment.rasa_token},
                     timeout=10).status_code == 200


def test_a_ticket_through_nginx_is_stored_in_postgresql(deployment: ScaledDeployment) -> None:
    sender = f"scaled-{uuid.uuid4().hex[:8]}"
    answer = reply(say(deployment.url("rasa"), sender, "cho tôi lấy số làm khai sinh"))
    assert "số thứ tự của Anh/Chị là A" in answer
    engine = create_engine(deployment.database_url, future=True)
    try:
        with engine.connect() as connection:
            codes = connection.execute(select(Ticket.code).where(Ticket.chat_user_id == sender)).scalars().all()
    finally:
        engine.dispose()
    assert len(codes) == 1 and codes[0] in answer
    # Both API workers behind nginx read it from the same database.
    for worker in (1, 2):
        seen = httpx.get(f"{deployment.url('api', worker)}/api/queue/tickets/{codes[0]}", timeout=10)
        assert seen.status_code == 200 and seen.json()["code"] == codes[0]


def test_one_conversation_alternating_between_replicas_stays_whole(deployment: ScaledDeployment) -> None:
    sender = f"scaled-{uuid.uuid4().hex[:8]}"
    messages = ["làm khai sinh cần giấy tờ gì", "còn lệ phí thì sao", "mất bao lâu", "cảm ơn em"]
    for number, message in enumerate(messages):
        assert reply(say(deployment.url("rasa", 1 + number % 2), sender, message))
    assert user_texts(deployment, sender) == messages


def test_citizen_messages_reach_the_statistics_through_rabbitmq(deployment: ScaledDeployment) -> None:
    engine = create_engine(deployment.database_url, future=True)

    def recorded() -> int:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM message_events")).scalar()

    try:
        before = recorded()
        say(deployment.url("rasa"), f"scaled-{uuid.uuid4().hex[:8]}", "đăng ký kết hôn cần những gì")
        assert eventually(lambda: recorded() > before, 30)
    finally:
        engine.dispose()


def test_a_killed_rasa_replica_is_not_noticed_and_comes_back(deployment: ScaledDeployment) -> None:
    sender = f"scaled-{uuid.uuid4().hex[:8]}"
    say(deployment.url("rasa"), sender, "làm khai sinh cần giấy tờ gì")
    killed = deployment.kill("rasa", 1)
    for message in ["còn lệ phí thì sao", "mất bao lâu", "làm ở đâu"]:
        assert reply(say(deployment.url("rasa"), sender, message))  # nginx sends them to replica 2
    assert user_texts(deployment, sender) == ["làm khai sinh cần giấy tờ gì", "còn lệ phí thì sao",
                                              "mất bao lâu", "làm ở đâu"]
    status = f"{deployment.url('rasa', 1)}/status?token={deployment.rasa_token}"
    assert eventually(lambda: responds_ok(status), RESTART_SECONDS), "the supervisor did not restart it"
    assert deployment.pid(deployment.replica_name("rasa", 1)) != killed


def test_a_killed_action_server_is_not_noticed(deployment: ScaledDeployment) -> None:
    deployment.kill("actions", 2)
    sender = f"scaled-{uuid.uuid4().hex[:8]}"
    issued, status = (reply(say(deployment.url("rasa"), sender, message))
                      for message in ["cho tôi lấy số làm khai sinh", "còn bao nhiêu người nữa"])
    assert "số thứ tự của Anh/Chị là" in issued
    assert status.startswith("Dạ, số")
