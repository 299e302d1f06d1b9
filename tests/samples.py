"""Sample data shared by tests."""

FESTIVAL_BASIS = "Nghị định 110/2018/NĐ-CP, Điều 11"
CHECKED = "2026-12-01"


def sourced(**fact) -> dict:
    """A fact with the legal basis and checked date every fact must carry."""
    return {"basis": FESTIVAL_BASIS, "checked": CHECKED, **fact}


def festival_procedure(procedure_id: str = "le_hoi", **changes) -> dict:
    """A procedure that is not in the seed: registering a traditional festival."""
    return {
        "id": procedure_id,
        "name": "Đăng ký tổ chức lễ hội truyền thống",
        "aliases": ["xin phép tổ chức lễ hội làng", "đăng ký lễ hội"],
        "field": "Văn hóa",
        "agency": [sourced(name="UBND cấp xã")],
        "counter": "Quầy Hướng dẫn chung",
        "documents": [sourced(name="Văn bản đăng ký tổ chức lễ hội", copies=1, form="original")],
        "steps": ["Chuẩn bị văn bản đăng ký", "Nộp tại Trung tâm", "Nhận văn bản trả lời"],
        "legal_basis": ["Nghị định 110/2018/NĐ-CP"],
        **changes,
    }
