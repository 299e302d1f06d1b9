"""Text normalisation for the lobby robot's TTS: number readings, each category, the API."""
import re

import pytest

from speech.normalize import REGIONS, normalize, read_number
from tests.conftest import api_client

NO_DIGITS = re.compile(r"\d")

# n: (bac, nam); trung reads like nam.
TRICKY_NUMBERS = {
    0: ("không", "không"),
    5: ("năm", "năm"),
    10: ("mười", "mười"),
    11: ("mười một", "mười một"),
    14: ("mười bốn", "mười bốn"),
    15: ("mười lăm", "mười lăm"),
    21: ("hai mươi mốt", "hai mươi mốt"),
    24: ("hai mươi tư", "hai mươi tư"),
    25: ("hai mươi lăm", "hai mươi lăm"),
    100: ("một trăm", "một trăm"),
    101: ("một trăm linh một", "một trăm lẻ một"),
    104: ("một trăm linh bốn", "một trăm lẻ bốn"),
    105: ("một trăm linh năm", "một trăm lẻ năm"),
    110: ("một trăm mười", "một trăm mười"),
    115: ("một trăm mười lăm", "một trăm mười lăm"),
    1000: ("một nghìn", "một ngàn"),
    1001: ("một nghìn không trăm linh một", "một ngàn không trăm lẻ một"),
    1005: ("một nghìn không trăm linh năm", "một ngàn không trăm lẻ năm"),
    1010: ("một nghìn không trăm mười", "một ngàn không trăm mười"),
    1100: ("một nghìn một trăm", "một ngàn một trăm"),
    2025: ("hai nghìn không trăm hai mươi lăm", "hai ngàn không trăm hai mươi lăm"),
    10000: ("mười nghìn", "mười ngàn"),
    100005: ("một trăm nghìn không trăm linh năm", "một trăm ngàn không trăm lẻ năm"),
    1000000: ("một triệu", "một triệu"),
    1000001: ("một triệu không trăm linh một", "một triệu không trăm lẻ một"),
    1001000: ("một triệu không trăm linh một nghìn", "một triệu không trăm lẻ một ngàn"),
    1000000000: ("một tỷ", "một tỷ"),
    1000000010: ("một tỷ không trăm mười", "một tỷ không trăm mười"),
    2147483647: (
        "hai tỷ một trăm bốn mươi bảy triệu bốn trăm tám mươi ba nghìn sáu trăm bốn mươi bảy",
        "hai tỷ một trăm bốn mươi bảy triệu bốn trăm tám mươi ba ngàn sáu trăm bốn mươi bảy",
    ),
    10**12: ("một nghìn tỷ", "một ngàn tỷ"),
    10**12 + 5: ("một nghìn tỷ không trăm linh năm", "một ngàn tỷ không trăm lẻ năm"),
    -15: ("âm mười lăm", "âm mười lăm"),
}


@pytest.mark.parametrize("number, readings", TRICKY_NUMBERS.items())
def test_tricky_numbers_in_each_region(number, readings):
    north, south = readings
    assert read_number(number) == read_number(number, "bac") == north
    assert read_number(number, "trung") == read_number(number, "nam") == south


def test_number_reading_invariants():
    samples = [10**k + d for k in range(3, 16) for d in (0, 1, 5, 15, 105)]
    for n in list(range(3000)) + list(range(999_000, 1_002_000, 7)) + samples:
        for region in REGIONS:
            words = read_number(n, region).split()
            assert words and "" not in words
            assert not NO_DIGITS.search(" ".join(words))
            # "mốt" and "tư" only after "mươi", "lăm" only after "mười"/"mươi".
            for before, word in zip([""] + words, words):
                if word in ("mốt", "tư"):
                    assert before == "mươi", (n, words)
                if word == "lăm":
                    assert before in ("mười", "mươi"), (n, words)
            if region == "bac":
                assert "lẻ" not in words and "ngàn" not in words
            else:
                assert "linh" not in words and "nghìn" not in words


def test_a_group_after_a_higher_unit_reads_its_zeros():
    for n in range(1, 1000):
        if n >= 100:
            group = read_number(n)
        elif n >= 10:
            group = f"không trăm {read_number(n)}"
        else:
            group = f"không trăm linh {read_number(n)}"
        assert read_number(5000 + n) == f"năm nghìn {group}"
        assert read_number(7_000_000 + n) == f"bảy triệu {group}"
        assert read_number(3 * 10**9 + n) == f"ba tỷ {group}"


def test_written_numbers_never_leave_digits():
    for n in range(0, 100_000, 37):
        dotted = f"{n:,}".replace(",", ".")
        for region in REGIONS:
            assert normalize(str(n), region) == read_number(n, region)
            assert normalize(dotted, region) == read_number(n, region)
            assert not NO_DIGITS.search(normalize(f"{n}% {n},5 {n}đ {n}-{n + 2} ngày", region))


def test_unknown_region_is_refused_clearly():
    for call in (lambda: normalize("5", "hue"), lambda: read_number(5, "south")):
        with pytest.raises(ValueError, match="Unknown region .*bac, trung, nam"):
            call()


def table(rows):
    return pytest.mark.parametrize("written, spoken", rows)


@table([
    ("Phía trước còn 4 người", "Phía trước còn bốn người"),
    ("năm 2025", "năm hai nghìn không trăm hai mươi lăm"),
    ("50.000", "năm mươi nghìn"),
    ("1.250.000", "một triệu hai trăm năm mươi nghìn"),
    ("3,5", "ba phẩy năm"),
    ("2,05", "hai phẩy không năm"),
    ("0,25", "không phẩy hai mươi lăm"),
    ("thứ 2", "thứ hai"),
    ("thứ 4", "thứ tư"),
    ("lần thứ 1", "lần thứ nhất"),
    ("Thứ 7", "Thứ bảy"),
    ("5-7 ngày", "năm đến bảy ngày"),
    ("5 – 7 ngày", "năm đến bảy ngày"),
    ("Điều 20-22", "Điều hai mươi đến hai mươi hai"),
    ("số 05", "số năm"),
])
def test_numbers_ordinals_and_ranges(written, spoken):
    assert normalize(written) == spoken


@table([
    ("số A015", "số A mười lăm"),
    ("Dạ, số thứ tự của Anh/Chị là B7, mời đến quầy số 3.",
     "Dạ, số thứ tự của Anh/Chị là bê bảy, mời đến quầy số ba."),
    ("C120", "xê một trăm hai mươi"),
    ("Đ2 và G10, H3", "đê hai và giê mười, hát ba"),
    ("tờ khai mẫu CT01", "tờ khai mẫu xê tê không một"),
])
def test_ticket_and_form_codes(written, spoken):
    assert normalize(written) == spoken


@table([
    ("14:30", "mười bốn giờ ba mươi phút"),
    ("lúc 8h", "lúc tám giờ"),
    ("8h30", "tám giờ ba mươi phút"),
    ("7g30", "bảy giờ ba mươi phút"),
    ("8:05", "tám giờ năm phút"),
    ("17:00", "mười bảy giờ"),
    ("7h30-11h30", "bảy giờ ba mươi phút đến mười một giờ ba mươi phút"),
    ("từ 13:30 đến 17:00", "từ mười ba giờ ba mươi phút đến mười bảy giờ"),
    ("12/3/2025", "ngày mười hai tháng ba năm hai nghìn không trăm hai mươi lăm"),
    ("12/3", "ngày mười hai tháng ba"),
    ("hạn ngày 24/4", "hạn ngày hai mươi tư tháng tư"),
    ("Ngày 01/04/2026", "Ngày một tháng tư năm hai nghìn không trăm hai mươi sáu"),
    ("hôm nay (12/03) nghỉ", "hôm nay (ngày mười hai tháng ba) nghỉ"),
    ("từ 1/7 - 15/7", "từ ngày một tháng bảy đến ngày mười lăm tháng bảy"),
    ("tháng 4/2025", "tháng tư năm hai nghìn không trăm hai mươi lăm"),
    ("trong tháng 4", "trong tháng tư"),
    ("tháng 11", "tháng mười một"),
    ("thứ 2-6", "thứ hai đến thứ sáu"),
    ("Thứ 2 - Thứ 6", "Thứ hai đến thứ sáu"),
    ("thứ 2 đến thứ 7", "thứ hai đến thứ bảy"),
])
def test_times_and_dates(written, spoken):
    assert normalize(written) == spoken


@table([
    ("50.000 đồng", "năm mươi nghìn đồng"),
    ("50.000đ", "năm mươi nghìn đồng"),
    ("50.000 VNĐ", "năm mươi nghìn đồng"),
    ("1,5 triệu đồng", "một phẩy năm triệu đồng"),
    ("1,5 triệu đ", "một phẩy năm triệu đồng"),
    ("1,5tr", "một phẩy năm triệu"),
    ("Lệ phí: 8.000 đồng/bản", "Lệ phí: tám nghìn đồng một bản"),
    ("15%", "mười lăm phần trăm"),
    ("giảm 2,5%", "giảm hai phẩy năm phần trăm"),
    ("10-15%", "mười đến mười lăm phần trăm"),
])
def test_money_and_percentages(written, spoken):
    assert normalize(written) == spoken


MOBILE = "không chín một hai, ba bốn năm, sáu bảy tám"


@table([
    ("0912 345 678", MOBILE),
    ("0912345678", MOBILE),
    ("+84 912 345 678", MOBILE),
    ("+84912345678", MOBILE),
    ("0912.345.678", MOBILE),
    ("SĐT: 0912-345-678.", f"số điện thoại: {MOBILE}."),
    ("02438253536", "không hai bốn, ba tám hai năm, ba năm ba sáu"),
    ("gọi 1022", "gọi một không hai hai"),
    ("đường dây nóng 1900 1234", "đường dây nóng một chín không không, một hai ba bốn"),
    ("Hotline: 19001234", "Hotline: một chín không không, một hai ba bốn"),
    ("số điện thoại 113", "số điện thoại một một ba"),
    ("gọi 3 lần", "gọi ba lần"),
    ("thẻ số 001203004567", "thẻ số không không một hai không ba không không bốn năm sáu bảy"),
])
def test_phone_numbers_digit_by_digit_in_groups(written, spoken):
    assert normalize(written) == spoken


@table([
    ("UBND phường", "Ủy ban nhân dân phường"),
    ("HĐND xã", "Hội đồng nhân dân xã"),
    ("CCCD hoặc CMND", "căn cước công dân hoặc chứng minh nhân dân"),
    ("BHXH, BHYT", "bảo hiểm xã hội, bảo hiểm y tế"),
    ("TTHC", "thủ tục hành chính"),
    ("GCN QSDĐ", "giấy chứng nhận quyền sử dụng đất"),
    ("ứng dụng VNeID mức 2", "ứng dụng vê en ê ai đi mức hai"),
    ("TP. Hà Nội", "thành phố Hà Nội"),
    ("TP.HCM", "thành phố Hồ Chí Minh"),
    ("P. Bến Nghé, Q.1", "phường Bến Nghé, quận một"),
    ("P. nào", "P. nào"),
    ("STT và SĐT", "số thứ tự và số điện thoại"),
    ("ĐKKD, CSVC", "đăng ký kinh doanh, cơ sở vật chất"),
    ("UBNDX", "UBNDX"),
    ("Thông tư 59/2024/TT-BTC",
     "Thông tư năm mươi chín năm hai nghìn không trăm hai mươi tư của Bộ Tài chính"),
    ("Nghị định 123/2015/NĐ-CP",
     "Nghị định một trăm hai mươi ba năm hai nghìn không trăm mười lăm của Chính phủ"),
    ("Luật số 26/2023/QH15",
     "Luật số hai mươi sáu năm hai nghìn không trăm hai mươi ba của Quốc hội khóa mười lăm"),
])
def test_abbreviations_and_legal_references(written, spoken):
    assert normalize(written) == spoken


@table([
    ("Anh/Chị xem tại https://dichvucong.gov.vn", "Anh/Chị xem trên màn hình"),
    ("Xem thêm tại dichvucong.gov.vn.", "Xem thêm trên màn hình."),
    ("nộp trực tuyến tại https://dichvucong.gov.vn/p/home.",
     "nộp trực tuyến tại địa chỉ trên màn hình."),
    ("truy cập www.hanoi.gov.vn, chọn", "truy cập địa chỉ trên màn hình, chọn"),
    ("theo địa chỉ: https://a.gov.vn", "theo địa chỉ trên màn hình"),
    ("gửi thư tới hotro@dichvucong.gov.vn.", "gửi thư tới địa chỉ trên màn hình."),
    ("Dạ, em chưa tìm thấy hồ sơ có mã 000.00.15.H29-251020-0031.",
     "Dạ, em chưa tìm thấy hồ sơ có mã trên màn hình."),
    ("mã hồ sơ 000.00.15.H29-251020-0031", "mã hồ sơ trên màn hình"),
    ("Dạ, phản ánh PA-20261122-0001 của Anh/Chị đã được tiếp nhận ạ.",
     "Dạ, phản ánh mã trên màn hình của Anh/Chị đã được tiếp nhận ạ."),
])
def test_links_and_long_codes_point_to_the_screen(written, spoken):
    assert normalize(written) == spoken


@table([
    ("Dạ, Anh/Chị cần chuẩn bị tờ khai ạ.", "Dạ, Anh/Chị cần chuẩn bị tờ khai ạ."),
    ("  Xin   chào\t Anh/Chị!  ", "Xin chào Anh/Chị!"),
    ("Chào Anh/Chị 😊👍🏻 ạ", "Chào Anh/Chị ạ"),
    ("Cần:\n- Tờ khai\n* **Bản sao** giấy khai sinh\n\n• Ảnh", "Cần: Tờ khai, Bản sao giấy khai sinh, Ảnh"),
    ("Hộ tịch – Chứng thực", "Hộ tịch, Chứng thực"),
    ("Dạ, vâng; được ạ… Cảm ơn?", "Dạ, vâng; được ạ… Cảm ơn?"),
])
def test_plain_text_kept_markup_and_emoji_dropped(written, spoken):
    assert normalize(written) == spoken


def test_decomposed_input_is_composed():
    assert normalize("Tho\u0302ng tu\u031b") == "Thông tư"


@pytest.mark.parametrize("region, spoken", [
    ("bac", "một trăm linh năm nghìn đồng, ngày hai mươi tư tháng tư năm hai nghìn không trăm linh năm"),
    ("trung", "một trăm lẻ năm ngàn đồng, ngày hai mươi tư tháng tư năm hai ngàn không trăm lẻ năm"),
    ("nam", "một trăm lẻ năm ngàn đồng, ngày hai mươi tư tháng tư năm hai ngàn không trăm lẻ năm"),
])
def test_regions_differ_in_number_words_only(region, spoken):
    assert normalize("105.000đ, 24/4/2005", region) == spoken


def test_a_whole_reply_leaves_no_digits():
    reply = ("Dạ, số thứ tự của Anh/Chị là A015, mời Anh/Chị đến quầy số 1, 2 hoặc 3; phía trước còn "
             "12 người. Trung tâm làm việc thứ 2-6, 7h30-11h30, lệ phí 50.000đ; hạn 12/3/2025. "
             "Hotline 1900 1234, xem tại https://dichvucong.gov.vn.")
    for region in REGIONS:
        assert not NO_DIGITS.search(normalize(reply, region))


def test_endpoint_normalizes_for_the_region(database_url):
    with api_client(database_url) as client:
        south = client.get("/api/speech/normalize", params={"text": "Số A015, 105 người", "region": "nam"})
        default = client.get("/api/speech/normalize", params={"text": "1.000đ"})
    assert south.status_code == 200
    assert south.json() == {"text": "Số A mười lăm, một trăm lẻ năm người"}
    assert default.json() == {"text": "một nghìn đồng"}


def test_endpoint_refuses_a_bad_region_or_too_long_text(database_url):
    with api_client(database_url) as client:
        region = client.get("/api/speech/normalize", params={"text": "5", "region": "hue"})
        long_text = client.get("/api/speech/normalize", params={"text": "a" * 5001})
        missing = client.get("/api/speech/normalize")
        longest = client.get("/api/speech/normalize", params={"text": "a" * 5000})
    assert region.status_code == 422
    assert region.json()["detail"] == "Vùng không hợp lệ: chỉ nhận bac, trung hoặc nam."
    assert long_text.status_code == missing.status_code == 422
    assert "text" in long_text.json()["detail"]
    assert longest.status_code == 200
