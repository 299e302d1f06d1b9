"""Sample data shared by tests."""


def festival_procedure(procedure_id: str = "le_hoi", **changes) -> dict:
    """A procedure that is not in the seed: registering a traditional festival."""
    return {
        "id": procedure_id,
        "name": "Đăng ký tổ chức lễ hội truyền thống",
        "aliases": ["xin phép tổ chức lễ hội làng", "đăng ký lễ hội"],
        "field": "Văn hóa",
        "agency": "UBND cấp xã",
        "counter": "Quầy Hướng dẫn chung",
        "documents": [{"name": "Văn bản đăng ký tổ chức lễ hội", "copies": 1, "form": "original"}],
        "steps": ["Chuẩn bị văn bản đăng ký", "Nộp tại Trung tâm", "Nhận văn bản trả lời"],
        "legal_basis": ["Nghị định 110/2018/NĐ-CP"],
        **changes,
    }
