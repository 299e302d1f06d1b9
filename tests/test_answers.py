"""Answers composed from the KB's facts, as the law stands on the day asked."""
from datetime import date

from procedure_kb.answers import Aspect, answer, legal_basis, subject
from procedure_kb.schemas import ProcedureOut

CHECKED = "2026-12-01"
TODAY = date(2026, 12, 7)


def fact(basis: str, **values) -> dict:
    return {"basis": basis, "checked": CHECKED, **values}


BASE = dict(
    id="khai_sinh",
    name="Đăng ký khai sinh",
    aliases=["khai sinh"],
    field="Hộ tịch",
    agency=[fact("Luật Hộ tịch 2014, Điều 13", name="UBND cấp xã")],
    counter="Quầy Hộ tịch – Chứng thực",
    documents=[
        fact("Luật Hộ tịch 2014, Điều 16", name="Tờ khai đăng ký khai sinh (theo mẫu)", copies=1,
             form="original"),
        fact("Luật Hộ tịch 2014, Điều 16", name="Giấy chứng sinh; nếu không có thì văn bản người làm chứng",
             copies=1, form="original"),
        fact("Nghị định 123/2015/NĐ-CP, Điều 2", name="Thẻ căn cước của người đi đăng ký", copies=1,
             form="present", note="chỉ xuất trình"),
    ],
    fee=[fact("Luật Hộ tịch 2014, Điều 11", summary="Miễn lệ phí khi đăng ký đúng hạn.", amount_vnd=0,
              exemptions=["Đăng ký đúng hạn"])],
    duration=[fact("Luật Hộ tịch 2014, Điều 16", summary="Giải quyết ngay trong ngày.", working_days=0)],
    deadline=[fact("Luật Hộ tịch 2014, Điều 15",
                   summary="Trong sáu mươi ngày kể từ ngày sinh con, cha hoặc mẹ có trách nhiệm đăng ký khai sinh.",
                   days=60)],
    online=[fact("Quyết định 206/QĐ-TTg", level="toan_trinh", url="https://dichvucong.gov.vn",
                 note="Nộp qua VNeID.")],
    applicants=[fact("Luật Hộ tịch 2014, Điều 15", who="Cha hoặc mẹ; nếu không thì ông, bà hoặc người thân thích",
                     proxy="Được ủy quyền bằng văn bản; ông, bà, anh, chị, em ruột không cần ủy quyền")],
    steps=["Chuẩn bị hồ sơ", "Nộp hồ sơ", "Nhận kết quả"],
    legal_basis=["Luật Hộ tịch 2014"],
    version=1,
)


def procedure(**changes):
    return ProcedureOut(**{**BASE, **changes})


def test_subject_lowercases_only_ordinary_first_words():
    assert subject(procedure()) == "đăng ký khai sinh"
    assert subject(procedure(name="VNeID mức 2")) == "VNeID mức 2"


def test_documents_are_spoken_short_and_listed_in_full_with_their_basis():
    reply = answer(procedure(), Aspect.documents, TODAY)
    assert reply.speech.startswith("Dạ, để đăng ký khai sinh, Anh/Chị cần chuẩn bị 3 loại giấy tờ")
    assert "tờ khai đăng ký khai sinh, giấy chứng sinh và thẻ căn cước" in reply.speech
    assert reply.speech.endswith("ạ.")
    assert reply.details[0] == "1. Tờ khai đăng ký khai sinh (theo mẫu) — bản chính, 1 bản"
    assert "chỉ xuất trình" in reply.details[2]
    assert reply.details[3:] == [
        "Căn cứ: Luật Hộ tịch 2014, Điều 16 (đối chiếu ngày 01/12/2026).",
        "Căn cứ: Nghị định 123/2015/NĐ-CP, Điều 2 (đối chiếu ngày 01/12/2026).",
    ]


def test_each_aspect_answers_from_its_own_fact():
    fee = answer(procedure(), Aspect.fee, TODAY)
    assert fee.speech == "Dạ, về lệ phí đăng ký khai sinh: miễn lệ phí khi đăng ký đúng hạn ạ."
    assert fee.details[0] == "Trường hợp được miễn, giảm: Đăng ký đúng hạn."
    assert fee.details[-1] == "Căn cứ: Luật Hộ tịch 2014, Điều 11 (đối chiếu ngày 01/12/2026)."
    assert "ngay trong ngày" in answer(procedure(), Aspect.duration, TODAY).speech
    location = answer(procedure(), Aspect.location, TODAY)
    assert "Quầy Hộ tịch – Chứng thực" in location.speech and "UBND cấp xã" in location.speech
    online = answer(procedure(), Aspect.online, TODAY)
    assert "toàn trình" in online.speech and any("https://dichvucong.gov.vn" in d for d in online.details)
    overview = answer(procedure(), Aspect.overview, TODAY)
    assert "3 bước" in overview.speech and overview.details[0] == "Bước 1: Chuẩn bị hồ sơ"


def test_registration_deadline_is_not_the_processing_time():
    reply = answer(procedure(), Aspect.deadline, TODAY)
    assert "sáu mươi ngày kể từ ngày sinh" in reply.speech
    assert "ngay trong ngày" not in reply.speech
    assert reply.details == ["Căn cứ: Luật Hộ tịch 2014, Điều 15 (đối chiếu ngày 01/12/2026)."]


def test_no_known_deadline_says_so_and_gives_the_processing_time():
    reply = answer(procedure(deadline=[]), Aspect.deadline, TODAY)
    assert reply.fact_missing and "chưa có thông tin về thời hạn bắt buộc" in reply.speech
    assert "ngay trong ngày" in reply.speech


def test_who_may_apply_and_who_may_apply_for_them():
    reply = answer(procedure(), Aspect.applicants, TODAY)
    assert "cha hoặc mẹ" in reply.speech and "ủy quyền" in reply.speech


def test_the_fee_quoted_is_the_one_in_force_on_the_day():
    reduced = fact("Thông tư 64/2025/TT-BTC, Điều 1", summary="Bảy nghìn đồng khi nộp trực tuyến.",
                   amount_vnd=7000, valid_until="2026-12-31")
    full = fact("Thông tư 75/2022/TT-BTC, Điều 3", summary="Mười lăm nghìn đồng.", amount_vnd=15000,
                valid_from="2027-01-01")
    tam_tru = procedure(fee=[full, reduced])
    before = answer(tam_tru, Aspect.fee, date(2026, 12, 31))
    assert "bảy nghìn đồng" in before.speech
    assert "Mức thu này áp dụng đến hết ngày 31/12/2026; từ ngày 01/01/2027: mười lăm nghìn đồng." in before.details
    after = answer(tam_tru, Aspect.fee, date(2027, 1, 2))
    assert "mười lăm nghìn đồng" in after.speech and "Thông tư 75/2022/TT-BTC" in after.details[-1]


def test_a_fact_not_yet_in_force_is_not_told():
    future = fact("Luật mới, Điều 1", summary="Ba ngày làm việc.", valid_from="2027-07-01")
    assert answer(procedure(duration=[future]), Aspect.duration, TODAY).fact_missing


def test_province_fee_tells_the_local_figure_when_staff_set_it():
    province = fact("Thông tư 85/2019/TT-BTC, Điều 5", summary="Mức thu do Hội đồng nhân dân tỉnh quy định.",
                    set_by_province=True)
    unset = answer(procedure(fee=[province]), Aspect.fee, TODAY)
    assert "hỏi cán bộ tại Quầy Hộ tịch – Chứng thực" in unset.speech
    local = {**province, "local_amount_vnd": 8000, "local_basis": "Nghị quyết 12/2025/NQ-HĐND"}
    told = answer(procedure(fee=[local]), Aspect.fee, TODAY)
    assert "mức thu là 8.000 đồng theo Nghị quyết 12/2025/NQ-HĐND" in told.speech


def test_legal_basis_of_the_aspect_just_answered_with_its_checked_date():
    reply = legal_basis(procedure(), Aspect.fee, TODAY)
    assert "lệ phí" in reply.speech and "Luật Hộ tịch 2014, Điều 11" in reply.speech
    assert "01/12/2026" in reply.speech
    documents = legal_basis(procedure(), Aspect.documents, TODAY)
    assert "Điều 16" in documents.speech and "Nghị định 123/2015/NĐ-CP" in documents.speech
    location = legal_basis(procedure(), Aspect.location, TODAY)
    assert "Điều 13" in location.speech


def test_missing_fact_is_admitted_not_invented():
    reply = answer(procedure(fee=[]), Aspect.fee, TODAY)
    assert reply.fact_missing
    assert "chưa có thông tin chính xác về lệ phí" in reply.speech
    assert "Quầy Hộ tịch – Chứng thực" in reply.speech
    assert answer(procedure(online=[]), Aspect.online, TODAY).fact_missing
    assert answer(procedure(applicants=[]), Aspect.applicants, TODAY).fact_missing


def test_not_online_points_to_the_counter():
    reply = answer(procedure(online=[fact("Quyết định 1/QĐ", level="none")]), Aspect.online, TODAY)
    assert "chưa thực hiện trực tuyến" in reply.speech
    assert not any("Địa chỉ nộp trực tuyến" in line for line in reply.details)


def test_documents_needed_only_sometimes_are_not_spoken_as_required():
    documents = BASE["documents"] + [
        fact("Luật Hộ tịch 2014, Điều 2", name="Văn bản ủy quyền", copies=1, form="original",
             required=False, note="chỉ khi nhờ người khác làm thay")
    ]
    reply = answer(procedure(documents=documents), Aspect.documents, TODAY)
    assert "3 loại giấy tờ" in reply.speech and "ủy quyền" not in reply.speech
    assert "tùy trường hợp có thể cần thêm 1 loại giấy tờ khác ạ." in reply.speech
    assert reply.details[3] == "4. Văn bản ủy quyền — bản chính, 1 bản, tùy trường hợp; chỉ khi nhờ người khác làm thay"


def test_a_document_no_longer_required_from_a_date_is_not_asked_for():
    documents = BASE["documents"] + [
        fact("Nghị định 123/2015/NĐ-CP, Điều 9", name="Giấy xác nhận cư trú", copies=1, form="original",
             valid_until="2026-06-30")
    ]
    reply = answer(procedure(documents=documents), Aspect.documents, TODAY)
    assert "cư trú" not in reply.speech and len(reply.details) == 5
