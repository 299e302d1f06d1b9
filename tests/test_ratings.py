"""Satisfaction ratings: reading a score, recording it, the daily rate, the staff API and page."""
from datetime import date, datetime

import pytest

from procedure_kb import accounts, ratings
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from procedure_kb.errors import DomainError
from procedure_kb.models import Rating
from scripts.stack import Stack
from tests.conftest import (
    api_client,
    chromium_page,
    log_in,
    needs_chromium,
    seeded_database,
)

PASSWORD = "mat-khau-can-bo-1"
# Stored times are UTC; the centre's days are Asia/Ho_Chi_Minh (UTC+7).
MARCH_1_MORNING = datetime(2026, 3, 1, 2, 0)  # 09:00 local, 1 March
MARCH_1_EVENING = datetime(2026, 3, 1, 16, 59)  # 23:59 local, 1 March
MARCH_2_JUST_AFTER_MIDNIGHT = datetime(2026, 3, 1, 17, 1)  # 00:01 local, 2 March
MARCH_2_NOON = datetime(2026, 3, 2, 5, 0)
SCRIPT_COMMENT = "<script>alert(1)</script> thủ tục nhanh"


@pytest.mark.parametrize("text, score", [
    ("5", 5), ("5 sao", 5), ("năm sao", 5), ("nam sao", 5), ("cho 5 sao nhé", 5), ("5*", 5),
    ("4/5", 4), ("4 điểm", 4), ("chấm 4 ạ", 4), ("⭐⭐⭐", 3), ("★★★★☆", 4),
    ("rất hài lòng", 5), ("RAT HAI LONG", 5), ("hài lòng", 4), ("bình thường", 3),
    ("tạm được", 3), ("không hài lòng", 2), ("ko hài lòng", 2), ("không được hài lòng lắm", 2),
    ("rất không hài lòng", 1), ("rất tệ", 1), ("tám", 4),
    ("10 điểm", 5), ("9/10", 5), ("7 điểm", 4), ("6/10", 3), ("3/10", 2), ("0 điểm", 1), ("10", 5),
    ('/rate{"score": 2}', 2), ('/rate{"score": "4"}', 4),
])
def test_parse_score_reads_what_citizens_type_and_tap(text, score):
    assert ratings.parse_score(text) == score


@pytest.mark.parametrize("text", [
    "", "abc", "xin chào", "cảm ơn", "tạm", "7 sao", "6/5", "15 điểm", "1 sao, 5 sao", "⭐⭐⭐⭐⭐⭐",
    "tôi chờ 30 phút", "2026", '/rate{"score": 9}',
])
def test_parse_score_does_not_guess(text):
    assert ratings.parse_score(text) is None


@pytest.fixture()
def database(tmp_path):
    return seeded_database(tmp_path)


@pytest.mark.parametrize("score", [0, 6, "abc", 4.5, True])
def test_scores_outside_one_to_five_are_refused_politely(database, score):
    with session_scope(database) as session, pytest.raises(DomainError) as refused:
        ratings.record_rating(session, score, "zalo", "queue_ticket")
    assert "Điểm đánh giá phải là số nguyên từ 1 đến 5" in refused.value.message


def test_comments_are_kept_verbatim_and_a_later_one_is_appended(database):
    with session_scope(database) as session:
        quiet = ratings.record_rating(session, 5, "robot", "procedure_answer", comment="   ")
        rating = ratings.record_rating(session, 2, "zalo", "queue_ticket", sender_id="u1",
                                       comment="  Chờ <b>lâu</b> quá  ")
        lengthy = ratings.record_rating(session, 3, "rest", "complaint", comment="x" * 1500)
        assert (quiet.comment, quiet.sender_id) == (None, None)
        assert (rating.comment, rating.sender_id) == ("Chờ <b>lâu</b> quá", "u1")
        assert len(lengthy.comment) == 1000
        ratings.add_comment(session, quiet.id, " Cán bộ nhiệt tình ")
        ratings.add_comment(session, rating.id, "Nhưng cán bộ vui vẻ")
        ids = quiet.id, rating.id
    with session_scope(database) as session:
        assert session.get(Rating, ids[0]).comment == "Cán bộ nhiệt tình"
        assert session.get(Rating, ids[1]).comment == "Chờ <b>lâu</b> quá\nNhưng cán bộ vui vẻ"
        with pytest.raises(DomainError, match="Không tìm thấy lượt đánh giá"):
            ratings.add_comment(session, 999999, "góp ý")


def test_a_service_name_is_required_and_short(database):
    with session_scope(database) as session:
        for service in ("", "x" * 41):
            with pytest.raises(DomainError, match="Dịch vụ được đánh giá cần có từ 1 đến 40 ký tự"):
                ratings.record_rating(session, 4, "zalo", service)


def add_ratings(url):
    """Two local days, two channels; one rating on each side of local midnight."""
    rows = [
        (5, "zalo", "queue_ticket", MARCH_1_MORNING, ""),
        (4, "robot", "procedure_answer", MARCH_1_MORNING, ""),
        (2, "zalo", "procedure_answer", MARCH_1_EVENING, SCRIPT_COMMENT),
        (1, "robot", "queue_ticket", MARCH_2_JUST_AFTER_MIDNIGHT, "Máy in số bị hỏng"),
        (4, "zalo", "queue_ticket", MARCH_2_NOON, ""),
        (5, "zalo", "queue_ticket", datetime(2026, 3, 10, 3, 0), "ngoài khoảng lọc"),
    ]
    with session_scope(url) as session:
        for score, channel, service, at, comment in rows:
            ratings.record_rating(session, score, channel, service, comment=comment).at = at


def test_daily_satisfaction_per_local_day_with_filters(database):
    add_ratings(database)
    with session_scope(database) as session:
        first, second = ratings.daily_satisfaction(session, date(2026, 3, 1), date(2026, 3, 2))
        assert (first.day, first.count, first.average) == (date(2026, 3, 1), 3, 3.67)
        assert first.satisfied_share == 0.667
        assert first.scores == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
        assert (second.day, second.count, second.average, second.satisfied_share) == (
            date(2026, 3, 2), 2, 2.5, 0.5)
        zalo = ratings.daily_satisfaction(session, date(2026, 3, 1), date(2026, 3, 2), channel="zalo")
        assert [(d.day.day, d.count, d.average) for d in zalo] == [(1, 2, 3.5), (2, 1, 4.0)]
        robot_tickets = ratings.daily_satisfaction(session, date(2026, 2, 1), date(2026, 3, 31),
                                                   channel="robot", service="queue_ticket")
        assert [(d.day, d.scores[1]) for d in robot_tickets] == [(date(2026, 3, 2), 1)]
        assert ratings.daily_satisfaction(session, date(2026, 3, 3), date(2026, 3, 9)) == []
        comments = ratings.latest_comments(session, date(2026, 3, 1), date(2026, 3, 2))
        assert [c.text for c in comments] == ["Máy in số bị hỏng", SCRIPT_COMMENT]
        assert comments[0].at.strftime("%d/%m %H:%M") == "02/03 00:01"
        with pytest.raises(DomainError, match="Ngày bắt đầu phải trước"):
            ratings.daily_satisfaction(session, date(2026, 3, 2), date(2026, 3, 1))


@pytest.fixture()
def client(database):
    add_ratings(database)
    with session_scope(database) as session:
        accounts.create_user(session, "quay1", PASSWORD, [Role.counter_officer])
    with api_client(database) as test_client:
        yield test_client


def bearer(client):
    token = client.post("/api/auth/token", json={"username": "quay1", "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


MARCH_1_TO_2 = {"since": "2026-03-01", "until": "2026-03-02"}


def test_the_api_needs_a_login_and_gives_the_days(client):
    assert client.get("/api/ratings/daily", params=MARCH_1_TO_2).status_code == 401
    assert client.get("/api/ratings/daily.csv", params=MARCH_1_TO_2).status_code == 401
    response = client.get("/api/ratings/daily", params={**MARCH_1_TO_2, "channel": "zalo"},
                          headers=bearer(client))
    assert response.status_code == 200
    assert response.json()[0] == {"day": "2026-03-01", "count": 2, "average": 3.5, "satisfied_share": 0.5,
                                  "scores": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}}
    backwards = client.get("/api/ratings/daily", params={"since": "2026-03-02", "until": "2026-03-01"},
                           headers=bearer(client))
    assert backwards.status_code == 400 and "Ngày bắt đầu" in backwards.json()["detail"]


def test_csv_export(client):
    response = client.get("/api/ratings/daily.csv", params=MARCH_1_TO_2, headers=bearer(client))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="hai-long-2026-03-01-2026-03-02.csv"' in response.headers["content-disposition"]
    assert response.text.splitlines() == [
        "day,count,average,satisfied_share,score_1,score_2,score_3,score_4,score_5",
        "2026-03-01,3,3.67,0.667,0,1,0,1,1",
        "2026-03-02,2,2.5,0.5,1,0,0,1,0",
    ]


@pytest.fixture(scope="module")
def staff_api(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("ratings-page")
    stack = Stack(workdir=workdir, database_url=seeded_database(workdir))
    add_ratings(stack.database_url)
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "quay", PASSWORD, [Role.counter_officer])
    stack.start_api()
    yield stack
    stack.stop()


@needs_chromium
def test_any_staff_member_filters_the_page_and_comments_are_shown_as_text(staff_api):
    with chromium_page(staff_api.api_url) as page:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        log_in(page, "quay", PASSWORD)
        page.click("text=Mức độ hài lòng")
        page.wait_for_url("**/staff/ratings")
        page.fill("#since", "2026-03-01")
        page.fill("#until", "2026-03-02")
        page.select_option("#channel", "zalo")
        page.click("#filter button[type=submit]")
        page.wait_for_url("**channel=zalo**")
        days = page.inner_text("#days")
        assert "01/03/2026" in days and "3,50" in days and "50,0%" in days
        assert "02/03/2026" in days and "100,0%" in days
        comments = page.inner_text("#comments")
        assert SCRIPT_COMMENT in comments and "Máy in số bị hỏng" not in comments
        assert dialogs == []
