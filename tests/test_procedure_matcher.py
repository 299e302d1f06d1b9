from bot.nlu.procedure_matcher import ProcedureMatcher
from procedure_kb.text import folded_key

KEYS = [
    (folded_key("khai sinh"), "khai_sinh"),
    (folded_key("đăng ký lại khai sinh"), "dang_ky_lai_khai_sinh"),
    (folded_key("tạm trú"), "tam_tru"),
    (folded_key("sổ đỏ"), "cap_so_do_lan_dau"),
    (folded_key("sổ đỏ"), "sang_ten_dat"),
]


def test_matches_with_or_without_accents_and_keeps_the_span():
    matcher = ProcedureMatcher(KEYS)
    for text in ("Làm khai sinh cần gì", "lam KHAI SINH can gi"):
        (mention,) = matcher.find(text)
        assert mention.procedure_ids == {"khai_sinh"}
        assert text[mention.start:mention.end].lower() == mention.text.lower()
        assert mention.text.lower() in ("khai sinh",)


def test_longest_match_wins():
    (mention,) = ProcedureMatcher(KEYS).find("đăng ký lại khai sinh cho con")
    assert mention.procedure_ids == {"dang_ky_lai_khai_sinh"}


def test_shorthand_in_the_message_is_matched():
    (mention,) = ProcedureMatcher(KEYS).find("cho e hoi dk tam tru")
    assert mention.procedure_ids == {"tam_tru"}


def test_shared_alias_is_reported_as_ambiguous():
    (mention,) = ProcedureMatcher(KEYS).find("làm sổ đỏ mất bao lâu")
    assert mention.is_ambiguous


def test_nothing_found_in_unrelated_or_empty_text():
    matcher = ProcedureMatcher(KEYS)
    assert matcher.find("") == []
    assert matcher.find("😀 hôm nay trời đẹp") == []
