"""Hours and amenities through the bot; staff confirm the details over the API first."""
import httpx
import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope

pytestmark = pytest.mark.stack


def test_bot_says_nothing_unconfirmed_then_answers_once_staff_confirm(stack, conversation):
    assert "chưa có thông tin chính xác" in conversation.say_text("nhà vệ sinh ở đâu vậy em")
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "quantri_tt", "mat-khau-quan-tri", [Role.admin])
    token = httpx.post(f"{stack.api_url}/api/auth/token",
                       json={"username": "quantri_tt", "password": "mat-khau-quan-tri"}).json()
    details = httpx.get(f"{stack.api_url}/api/centre").json()
    details["confirmed"] = True
    saved = httpx.put(f"{stack.api_url}/api/centre", json=details,
                      headers={"Authorization": f"Bearer {token['access_token']}"})
    assert saved.status_code == 200
    assert conversation.say_text("nhà vệ sinh ở đâu vậy em") == "Dạ, nhà vệ sinh: cuối hành lang tầng 1 ạ."
    hours = conversation.say_text("thứ bảy trung tâm có làm việc không")
    assert hours == "Dạ, thứ bảy Trung tâm làm việc buổi sáng từ 7 giờ 30 đến 11 giờ 30 ạ."
