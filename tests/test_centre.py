"""Opening hours from the clock, holidays, amenities; nothing said before staff confirm."""
from datetime import date, datetime, timezone

from procedure_kb import centre
from procedure_kb.seed import CENTRE_FILE

EXAMPLE = centre.CentreData.parse_raw(CENTRE_FILE.read_text(encoding="utf-8"))
CONFIRMED = EXAMPLE.copy(update={"confirmed": True})


def at(local_hour: int, local_minute: int = 0, day: int = 23) -> datetime:
    """A moment on Monday 23/11/2026 (or another November day), in Hà Nội time."""
    return datetime(2026, 11, day, local_hour - 7, local_minute, tzinfo=timezone.utc)


def test_unconfirmed_details_are_not_told_to_citizens():
    assert "chưa có thông tin chính xác" in centre.hours_reply(EXAMPLE, "mấy giờ mở cửa", at(9))
    assert "chưa có thông tin chính xác" in centre.amenity_reply(EXAMPLE, "wifi")


def test_today_now_lunch_and_evening():
    assert centre.hours_reply(CONFIRMED, "bây giờ có làm việc không", at(9)).endswith(
        "Bây giờ Trung tâm đang làm việc ạ.")
    lunch = centre.hours_reply(CONFIRMED, "giờ này mở cửa chưa", at(12, 15))
    assert "buổi sáng từ 7 giờ 30 đến 11 giờ 30, buổi chiều từ 13 giờ 30 đến 17 giờ" in lunch
    assert lunch.endswith("sẽ mở lúc 13 giờ 30 ạ.")
    assert centre.hours_reply(CONFIRMED, "hôm nay làm đến mấy giờ", at(18)).endswith("đã hết giờ làm việc ạ.")


def test_saturday_sunday_and_holidays():
    assert centre.day_asked("thứ bảy có làm không", date(2026, 11, 23)) == date(2026, 11, 28)
    saturday = centre.hours_reply(CONFIRMED, "thu 7 co lam khong", at(9))
    assert saturday == "Dạ, thứ bảy Trung tâm làm việc buổi sáng từ 7 giờ 30 đến 11 giờ 30 ạ."
    assert "Chủ nhật) Trung tâm không làm việc" in centre.hours_reply(CONFIRMED, "chủ nhật thì sao", at(9))
    new_year = datetime(2027, 1, 1, 2, 0, tzinfo=timezone.utc)
    assert "nghỉ Tết Dương lịch" in centre.hours_reply(CONFIRMED, "hôm nay có làm không", new_year)


def test_amenities_by_name_or_alias_and_the_list():
    assert centre.amenity_reply(CONFIRMED, "nhà vệ sinh ở đâu em") == \
        "Dạ, nhà vệ sinh: cuối hành lang tầng 1 ạ."
    assert "wifi miễn phí" in centre.amenity_reply(CONFIRMED, "cho xin pass wifi")
    assert centre.amenity_reply(CONFIRMED, "ở đây có gì").startswith("Dạ, Trung tâm có: wifi miễn phí")
