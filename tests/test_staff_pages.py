"""Staff pages in a real browser (Debian's headless Chromium driven by Playwright):
log in, edit a procedure, see the diff, restore the old version."""

import httpx
import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from scripts.stack import Stack
from tests.conftest import chromium_page, needs_chromium, seeded_database
from tests.conftest import log_in as log_in_as

PASSWORD = "mat-khau-bien-tap"
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("pages")
    stack = Stack(workdir=workdir, database_url=seeded_database(workdir))
    with session_scope(stack.database_url) as session:
        accounts.create_user(session, "bientap", PASSWORD, [Role.kb_editor], "Nguyễn Thị Biên")
        accounts.create_user(session, "quay", PASSWORD, [Role.counter_officer])
    stack.start_api()
    yield stack
    stack.stop()


@pytest.fixture()
def page(api):
    with chromium_page(api.api_url) as page:
        yield page


def log_in(page, username):
    log_in_as(page, username, PASSWORD)


def test_log_in_edit_see_the_diff_and_restore(page, tmp_path):
    log_in(page, "bientap")
    page.wait_for_url("**/staff")
    page.fill("input[name=q]", "khai sanh")
    page.click("form[method=get] button")
    page.click("text=Đăng ký khai sinh")
    page.fill("#aliases", page.input_value("#aliases") + "\nkhai sinh cho bé sơ sinh")
    page.fill("#duration-0-summary", "Giải quyết ngay trong ngày làm việc.")
    page.fill("#change_note", "Nói rõ: trong ngày làm việc")
    page.click("text=Lưu")
    page.wait_for_selector("text=Đã lưu", timeout=10000)
    page.click("text=Lịch sử thay đổi")
    diff = page.inner_text("#diff")
    assert "khai sinh cho bé sơ sinh" in diff and "Thời hạn" in diff
    assert "Nói rõ: trong ngày làm việc" in page.inner_text("table")
    page.screenshot(path=str(tmp_path / "history.png"), full_page=True)
    page.fill("[aria-label=\"Lý do khôi phục bản 1\"]", "Trả lại nội dung đã rà soát")
    page.click("text=Khôi phục bản 1")
    page.click("text=Về thủ tục")
    assert "khai sinh cho bé sơ sinh" not in page.input_value("#aliases")


def test_form_errors_say_what_to_fix_and_keep_the_input(page):
    log_in(page, "bientap")
    page.goto("/staff/procedures/tam_tru")
    page.fill("#name", "")
    page.fill("#documents-0-name", "Tờ khai CT01 (mẫu mới)")
    page.fill("#documents-0-basis", "")
    page.fill("#change_note", "Sửa tên tờ khai")
    page.evaluate("document.querySelector('#name').removeAttribute('required')")
    page.click("text=Lưu")
    problems = page.inner_text(".problems")
    assert "Tên thủ tục: cần ít nhất 3 ký tự" in problems
    assert "Thành phần hồ sơ (mục 1) – Căn cứ (số văn bản, điều, khoản): cần nhập." in problems
    assert page.input_value("#documents-0-name") == "Tờ khai CT01 (mẫu mới)"
    assert page.input_value("#change_note") == "Sửa tên tờ khai"


def test_a_change_without_a_note_is_not_saved(page):
    log_in(page, "bientap")
    page.goto("/staff/procedures/tam_tru")
    page.evaluate("document.querySelector('#change_note').removeAttribute('required')")
    page.click("text=Lưu")
    assert "Ghi chú thay đổi: cần ít nhất 3 ký tự" in page.inner_text(".problems")


def test_counter_officer_can_read_but_not_edit(page):
    log_in(page, "quay")
    page.goto("/staff/procedures/khai_sinh")
    assert page.is_disabled("#name")
    assert page.locator("text=Lưu").count() == 0


def test_wrong_password_is_refused_politely(page):
    page.goto("/staff/login")
    page.fill("#username", "bientap")
    page.fill("#password", "sai-mat-khau-nhe")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Sai tên đăng nhập hoặc mật khẩu.", timeout=10000)


def test_preview_says_so_when_the_bot_is_not_running(page):
    log_in(page, "quay")
    page.click("text=Xem trước trợ lý")
    page.fill("#question", "làm khai sinh cần gì")
    page.click("text=Hỏi trợ lý")
    page.wait_for_selector("text=Không kết nối được với trợ lý", timeout=10000)


def test_export_then_dry_run_import_of_the_same_file_changes_nothing(page, tmp_path):
    log_in(page, "bientap")
    page.click("text=Nhập/xuất")
    with page.expect_download() as download:
        page.click("text=Tải về .xlsx")
    saved = tmp_path / "thu-tuc.xlsx"
    download.value.save_as(saved)
    page.set_input_files("#file", str(saved))
    page.click("text=Chạy thử")
    report = page.inner_text("#report")
    assert "Chạy thử (chưa ghi gì)" in report and "Thêm mới: 0" in report and "Cập nhật: 0" in report


def test_bad_import_file_is_reported_and_nothing_is_written(page, tmp_path):
    log_in(page, "bientap")
    page.goto("/staff/transfer")
    broken = tmp_path / "hong.csv"
    broken.write_text("id,name\nabc,Thủ tục thiếu trường\n", encoding="utf-8")
    page.set_input_files("#file", str(broken))
    page.click("button:has-text('Nhập thật')")
    assert "Dòng 1" in page.inner_text(".problems")


def test_any_staff_member_can_flag_a_procedure_for_review(page):
    log_in(page, "quay")
    page.click("text=Cần rà soát")
    page.fill("#procedure_id", "gia_han_tam_tru")
    page.fill("#note", "Thông tư mới về lệ phí cư trú")
    page.click("#flag-form button")
    assert "Thông tư mới về lệ phí cư trú" in page.inner_text("table")


def test_admin_adds_an_account_and_reads_the_audit_log(page, api):
    with session_scope(api.database_url) as session:
        accounts.create_user(session, "quantri", PASSWORD, [Role.admin])
    log_in(page, "quantri")
    page.click("text=Tài khoản")
    page.fill("#username", "canbo_moi")
    page.fill("#password", "ngan")
    page.check("input[name=role_counter_officer]")
    page.click("text=Lưu tài khoản")
    assert "Mật khẩu cần ít nhất 10 ký tự" in page.inner_text(".problems")
    page.fill("#username", "canbo_moi")
    page.fill("#password", "mat-khau-du-dai")
    page.check("input[name=role_counter_officer]")
    page.click("text=Lưu tài khoản")
    assert "canbo_moi" in page.inner_text("table")
    page.click("text=Nhật ký")
    assert "user.create" in page.inner_text("table")


def test_non_admin_cannot_open_account_pages(page):
    log_in(page, "bientap")
    page.goto("/staff/users")
    assert "Chỉ quản trị viên" in page.inner_text(".problems")


def test_a_call_at_the_counter_reaches_the_lobby_board_within_a_second(page, api):
    code = httpx.post(f"{api.api_url}/api/queue/tickets", json={"service": "kinh_doanh_thue"}).json()["code"]
    board = page.context.new_page()
    board.goto("/display")
    board.wait_for_selector(f"#waiting li:has-text('{code}')", timeout=5000)
    log_in(page, "quay")
    page.goto("/staff/counter?number=5")
    page.click("text=Gọi số tiếp theo")
    expected = f"Mời công dân có số thứ tự {code} đến quầy số 5"
    assert expected in page.inner_text("#message")
    board.wait_for_function(
        "text => document.getElementById('announcement').textContent.includes(text)", arg=expected,
        timeout=1000,
    )
    assert code in board.inner_text("#counters")
    page.click("text=Xong")
    assert f"Đã xong số {code}" in page.inner_text("#message")
    status = page.context.new_page()
    status.goto(f"/q/{code}")
    assert "đã được phục vụ xong" in status.inner_text("main")


def test_editor_sees_unanswered_questions_and_marks_them_handled(page, api):
    from procedure_kb import unanswered

    with session_scope(api.database_url) as session:
        unanswered.record(session, "<b>nuôi gấu</b> cần gì", "unknown_procedure", "zalo", [])
    log_in(page, "bientap")
    page.click("text=Câu chưa trả lời được")
    assert "<b>nuôi gấu</b> cần gì" in page.inner_text("#unanswered")
    page.click("button:has-text('Đã xử lý')")
    page.wait_for_selector("text=Không có câu hỏi nào đang chờ xử lý.", timeout=10000)
