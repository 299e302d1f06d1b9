import unicodedata

from procedure_kb.text import (
    expand_teencode,
    fold,
    folded_key,
    looks_like_vietnamese,
    nfc,
    terms,
)


def test_fold_strips_diacritics_and_keeps_length():
    text = "Đăng ký Khai sinh cho bé Nguyễn Ánh Dương"
    assert fold(text) == "dang ky khai sinh cho be nguyen anh duong"
    assert len(fold(text)) == len(text)


def test_composed_and_decomposed_forms_fold_alike():
    composed = "thường trú"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert fold(decomposed) == fold(composed) == "thuong tru"
    assert nfc(decomposed) == composed


def test_nfc_fixes_legacy_characters_and_spaces():
    assert nfc("  Ðăng\u00a0ký   tạm trú ") == "Đăng ký tạm trú"


def test_teencode_expands_only_whole_shorthand_words():
    assert expand_teencode("ko") == "không"
    assert expand_teencode("DC") == "được"
    assert expand_teencode("khai") == "khai"
    assert folded_key("dk tam tru ko") == "dang ky tam tru khong"


def test_mixed_case_and_shorthand_reach_the_same_key():
    assert folded_key("LÀM GIẤY KHAI SINH") == folded_key("lam giay khai sinh")
    assert folded_key("đk thường trú") == folded_key("Đăng ký thường trú")


def test_terms_keep_spans_in_the_original_text():
    text = "Cho e hỏi đk tạm trú"
    found = terms(text)
    assert [t.text for t in found] == ["cho", "em", "hoi", "dang", "ky", "tam", "tru"]
    dang = found[3]
    assert text[dang.start:dang.end] == "đk"


def test_noise_is_not_vietnamese():
    for noise in ("", "   ", "😀😀", "asdkjh qwe zzxq", "x" * 5000, "'; DROP TABLE procedures; --"):
        assert not looks_like_vietnamese(noise), noise


def test_vietnamese_with_or_without_accents_mixed_or_shorthand_is_kept():
    for text in ("Đăng ký khai sinh", "dang ky khai sinh", "lam cccd can j ko e", "ok",
                 "How much is the fee for khai sinh?", "quyển sổ hộ khẩu ở đâu", "hello"):
        assert looks_like_vietnamese(text), text
