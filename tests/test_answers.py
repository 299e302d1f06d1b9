from procedure_kb.answers import Aspect, answer, subject
from procedure_kb.schemas import ProcedureOut

BASE = dict(
    id="khai_sinh",
    name="Đăng ký khai sinh",
    aliases=["khai sinh"],
    field="Hộ tịch",
    agency="UBND cấp xã",
    counter="Quầy Hộ tịch – Chứng thực",
    documents=[
        {"name": "Tờ khai đăng ký khai sinh (theo mẫu)", "copies": 1, "form": "original"},
        {"name": "Giấy chứng sinh; nếu không có thì văn bản người làm chứng", "copies": 1, "form": "original"},
        {"name": "Thẻ căn cước của người đi đăng ký", "copies": 1, "form": "present", "note": "chỉ xuất trình"},
    ],
    fee={"summary": "Miễn lệ phí khi đăng ký đúng hạn.", "amount_vnd": 0,
         "exemptions": ["Đăng ký đúng hạn"], "basis": "Luật Hộ tịch 2014, Điều 11"},
    duration={"summary": "Giải quyết ngay trong ngày.", "working_days": 0,
              "basis": "Luật Hộ tịch 2014, Điều 16"},
    online={"level": "toan_trinh", "url": "https://dichvucong.gov.vn", "note": "Nộp qua VNeID."},
    steps=["Chuẩn bị hồ sơ", "Nộp hồ sơ", "Nhận kết quả"],
    legal_basis=["Luật Hộ tịch 2014"],
    version=1,
)


def procedure(**changes):
    return ProcedureOut(**{**BASE, **changes})


def test_subject_lowercases_only_ordinary_first_words():
    assert subject(procedure()) == "đăng ký khai sinh"
    assert subject(procedure(name="VNeID mức 2")) == "VNeID mức 2"


def test_documents_are_spoken_short_and_listed_in_full():
    reply = answer(procedure(), Aspect.documents)
    assert reply.speech.startswith("Dạ, để đăng ký khai sinh, Anh/Chị cần chuẩn bị 3 loại giấy tờ")
    assert "tờ khai đăng ký khai sinh, giấy chứng sinh và thẻ căn cước" in reply.speech
    assert reply.speech.endswith("ạ.")
    assert reply.details[0] == "1. Tờ khai đăng ký khai sinh (theo mẫu) — bản chính, 1 bản"
    assert "chỉ xuất trình" in reply.details[2]
    assert reply.details[-1].startswith("Căn cứ pháp lý: Luật Hộ tịch 2014")


def test_each_aspect_answers_from_its_own_fact():
    fee = answer(procedure(), Aspect.fee)
    assert fee.speech == "Dạ, về lệ phí đăng ký khai sinh: miễn lệ phí khi đăng ký đúng hạn ạ."
    assert fee.details[0] == "Trường hợp được miễn, giảm: Đăng ký đúng hạn."
    assert "ngay trong ngày" in answer(procedure(), Aspect.duration).speech
    assert "Quầy Hộ tịch – Chứng thực" in answer(procedure(), Aspect.location).speech
    online = answer(procedure(), Aspect.online)
    assert "toàn trình" in online.speech and "https://dichvucong.gov.vn" in online.details[-1]
    overview = answer(procedure(), Aspect.overview)
    assert "3 bước" in overview.speech and overview.details[0] == "Bước 1: Chuẩn bị hồ sơ"


def test_missing_fact_is_admitted_not_invented():
    reply = answer(procedure(fee=None), Aspect.fee)
    assert reply.fact_missing
    assert "chưa có thông tin chính xác về lệ phí" in reply.speech
    assert "Quầy Hộ tịch – Chứng thực" in reply.speech
    assert answer(procedure(online=None), Aspect.online).fact_missing


def test_not_online_points_to_the_counter():
    reply = answer(procedure(online={"level": "none"}), Aspect.online)
    assert "chưa thực hiện trực tuyến" in reply.speech
    assert not any("Địa chỉ nộp trực tuyến" in line for line in reply.details)


def test_documents_needed_only_sometimes_are_not_spoken_as_required():
    documents = BASE["documents"] + [
        {"name": "Văn bản ủy quyền", "copies": 1, "form": "original", "required": False,
         "note": "chỉ khi nhờ người khác làm thay"}
    ]
    reply = answer(procedure(documents=documents), Aspect.documents)
    assert "3 loại giấy tờ" in reply.speech and "ủy quyền" not in reply.speech
    assert "tùy trường hợp có thể cần thêm 1 loại giấy tờ khác ạ." in reply.speech
    assert reply.details[3] == "4. Văn bản ủy quyền — bản chính, 1 bản, tùy trường hợp; chỉ khi nhờ người khác làm thay"
