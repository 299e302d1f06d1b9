"""Dossier status lookup: code and phone parsing, answers, local table and its import,
the HTTP adapter against a real local server, and the staff API."""
import io
import json
import socket
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import Workbook

from procedure_kb import accounts, dossier_sources
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from procedure_kb.dossier_import import import_dossiers, save_dossier
from procedure_kb.dossier_records import DossierRecord
from procedure_kb.dossier_sources import (
    HttpDossierSource,
    LocalDossierSource,
    dossier_source,
)
from procedure_kb.dossiers import (
    DossierSourceUnavailable,
    DossierState,
    DossierStatus,
    describe,
    describe_all,
    looks_like_dossier_code,
    malformed_code_message,
    not_found_message,
    parse_dossier_code,
    parse_state,
)
from procedure_kb.phones import find_phone, normalize_phone
from procedure_kb.settings import get_settings
from procedure_kb.transfer import ImportRejected
from tests.conftest import api_client, seeded_database

CODE = "000.00.15.H29-251020-0031"
OTHER = "000.00.15.H29-251021-0007"
PHONE = "0912345678"
TODAY = date(2025, 10, 22)
HEADER = ["STT", "Mã hồ sơ", "Tên thủ tục", "Người nộp", "Trạng thái", "Ngày tiếp nhận",
          "Ngày hẹn trả", "Giấy tờ cần bổ sung", "Nơi trả kết quả", "Số điện thoại"]
ROWS = [
    ["1", CODE, "Đăng ký khai sinh", "Nguyễn Văn A", "Đang xử lý", "20/10/2025", "24/10/2025",
     "", "Quầy số 1, Bộ phận một cửa", "+84 912 345 678"],
    ["2", OTHER, "Chứng thực bản sao", "Nguyễn Văn A", "Yêu cầu bổ sung", "2025-10-21",
     "23/10/2025", "Bản chính giấy khai sinh; Tờ khai có chữ ký", "", "0912.345.678"],
]


def csv_file(rows, header=HEADER, delimiter=","):
    lines = [delimiter.join(header)] + [delimiter.join(f'"{c}"' for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def xlsx_file(rows, header=HEADER, title=True):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["DANH SÁCH HỒ SƠ TIẾP NHẬN"])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def status(state, **values):
    return DossierStatus(code=CODE, procedure_name="Đăng ký khai sinh", state=state, **values)


# --- parsing -------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "hồ sơ 000.00.15.H29-251020-0031 của tôi đến đâu rồi",
    "000 00 15 h29 251020 0031",
    "0000015H29-251020-0031",
    "000.00.15.H29 - 251020 - 0031",
    "ma ho so: 000.00.15.h29-251020-0031 a",
])
def test_dossier_codes_written_many_ways_become_canonical(text):
    assert parse_dossier_code(text) == CODE


def test_other_province_letters_are_accepted():
    assert parse_dossier_code("000.00.15.g01-240229-0001") == "000.00.15.G01-240229-0001"


@pytest.mark.parametrize("text", [
    "000.00.15.H29-251320-0031",  # month 13
    "000.00.15.H29-250230-0031",  # 30 February
    "00.00.15.H29-251020-0031",  # agency part too short
    "1000.00.15.H29-251020-0031",  # too long
    "000.00.15.H29-251020-031",  # sequence number too short
    "000.00.15.H29-251020-00311",
    "000.00.15.299-251020-0031",  # no letter in the province part
    "hồ sơ của tôi đến đâu rồi",
    "",
])
def test_malformed_codes_are_refused(text):
    assert parse_dossier_code(text) is None


@pytest.mark.parametrize("text, attempt", [
    ("000.00.15.H29-2510-0031", True),
    ("ma ho so 000 00 15 H29 251020", True),
    ("sđt 0912345678", False),
    ("hồ sơ của tôi đến đâu rồi", False),
])
def test_a_mistyped_code_is_told_apart_from_no_code(text, attempt):
    assert looks_like_dossier_code(text) is attempt


@pytest.mark.parametrize("text, phone", [
    ("0912345678", PHONE),
    ("0912 345 678", PHONE),
    ("0912.345.678", PHONE),
    ("091-234-5678", PHONE),
    ("+84912345678", PHONE),
    ("+84 912 345 678", PHONE),
    ("84912345678", PHONE),
    ("0351234567", "0351234567"),
    ("0212345678", None),  # landline prefix
    ("091234567", None),
    ("09123456789", None),
    ("+8491234567", None),
    ("số điện thoại", None),
])
def test_mobile_numbers_are_normalised(text, phone):
    assert normalize_phone(text) == phone


@pytest.mark.parametrize("text, phone", [
    ("tra giúp tôi hồ sơ theo số 0912 345 678 nhé", PHONE),
    ("sdt cua toi la +84 912-345-678", PHONE),
    ("số cũ 0212345678, số mới 0987654321", "0987654321"),
    ("hồ sơ 000.00.15.H29-251020-0031", None),
    ("hồ sơ 000.00.15.H29-251020-0031 091 234 5678", PHONE),
    ("tôi nộp ngày 20/10/2025", None),
])
def test_a_mobile_number_is_found_in_free_text(text, phone):
    assert find_phone(text) == phone


@pytest.mark.parametrize("wording, state", [
    ("Đã tiếp nhận", DossierState.received), ("đang xu ly", DossierState.processing),
    ("YÊU CẦU BỔ SUNG", DossierState.returned_for_more), ("Chờ trả kết quả", DossierState.ready),
    ("Đã có kết quả", DossierState.ready), ("Đã trả kết quả", DossierState.delivered),
    ("Từ chối", DossierState.rejected), ("processing", DossierState.processing), ("Đang chờ", None),
])
def test_one_stop_state_wordings_map_to_the_fixed_states(wording, state):
    assert parse_state(wording) == state


# --- answers -------------------------------------------------------------------------

def test_processing_answer_names_procedure_state_and_appointment():
    speech, details = describe(status(DossierState.processing, appointment_date=date(2025, 10, 24)), TODAY)
    assert speech == ("Dạ, hồ sơ đăng ký khai sinh của Anh/Chị đang được giải quyết, "
                      "ngày hẹn trả kết quả là 24/10/2025 ạ.")
    assert f"Mã hồ sơ: {CODE}" in details and "Trạng thái: Đang giải quyết" in details


def test_overdue_dossier_gets_an_apology():
    speech, _ = describe(status(DossierState.processing, appointment_date=date(2025, 10, 20)), TODAY)
    assert "đã quá ngày hẹn trả kết quả (20/10/2025)" in speech and "xin lỗi" in speech


def test_returned_dossier_lists_the_missing_documents():
    missing = ["Bản chính giấy khai sinh", "Tờ khai có chữ ký"]
    speech, details = describe(status(DossierState.returned_for_more, missing_documents=missing), TODAY)
    assert "cần bổ sung: bản chính giấy khai sinh; tờ khai có chữ ký" in speech
    assert details[-2:] == ["- Bản chính giấy khai sinh", "- Tờ khai có chữ ký"]


def test_ready_dossier_says_where_to_collect():
    speech, details = describe(status(DossierState.ready, collect_at="Quầy số 1, Bộ phận một cửa"), TODAY)
    assert speech == ("Dạ, hồ sơ đăng ký khai sinh của Anh/Chị đã có kết quả. Anh/Chị vui lòng mang "
                      "theo giấy biên nhận đến quầy số 1, Bộ phận một cửa để nhận kết quả ạ.")
    assert "Nơi nhận kết quả: Quầy số 1, Bộ phận một cửa" in details


@pytest.mark.parametrize("state", list(DossierState))
def test_every_state_has_a_polite_answer(state):
    speech, details = describe(status(state, received_on=date(2025, 10, 20)), TODAY)
    assert speech.startswith("Dạ, hồ sơ đăng ký khai sinh của Anh/Chị") and speech.endswith("ạ.")
    assert "Ngày tiếp nhận: 20/10/2025" in details


def test_several_dossiers_for_one_phone_are_summarised_without_the_number():
    found = [status(DossierState.processing, appointment_date=date(2025, 10, 24)),
             DossierStatus(OTHER, "Chứng thực bản sao", DossierState.delivered)]
    speech, details = describe_all(found, TODAY)
    assert speech.startswith("Dạ, em tìm thấy 2 hồ sơ") and PHONE not in speech + "".join(details)
    assert details == [f"{CODE} – Đăng ký khai sinh: Đang giải quyết (hẹn trả 24/10/2025)",
                       f"{OTHER} – Chứng thực bản sao: Đã trả kết quả"]
    assert describe_all([], TODAY)[0].startswith("Dạ, em chưa tìm thấy hồ sơ nào")


def test_not_found_and_malformed_messages():
    assert not_found_message(CODE) == (
        f"Dạ, em chưa tìm thấy hồ sơ có mã {CODE}. "
        "Anh/Chị kiểm tra lại mã trên giấy biên nhận giúp em ạ.")
    assert "000.00.15.H29-251020-0031" in malformed_code_message()


# --- local table and import ----------------------------------------------------------

@pytest.fixture()
def url(tmp_path):
    return seeded_database(tmp_path)


def run_import(url, content, dry_run=False):
    with session_scope(url) as session:
        return import_dossiers(session, content, "quay", dry_run)


@pytest.mark.parametrize("make_file", [csv_file, xlsx_file])
def test_import_then_look_up_by_code_and_phone(url, make_file):
    report = run_import(url, make_file(ROWS))
    assert report.created == [CODE, OTHER] and not report.dry_run
    source = LocalDossierSource(url)
    found = source.by_code(CODE)
    assert found.state == DossierState.processing and found.appointment_date == date(2025, 10, 24)
    assert found.collect_at == "Quầy số 1, Bộ phận một cửa"
    assert source.by_code(OTHER).missing_documents == ["Bản chính giấy khai sinh", "Tờ khai có chữ ký"]
    assert [s.code for s in source.by_phone(PHONE)] == [OTHER, CODE]  # newest first
    assert source.by_code("000.00.15.H29-251020-0099") is None and source.by_phone("0987654321") == []


def test_local_source_works_on_a_given_session(url):
    run_import(url, csv_file(ROWS))
    with session_scope(url) as session:
        assert dossier_source(session).by_code(CODE).procedure_name == "Đăng ký khai sinh"


def test_xlsx_date_cells_and_a_number_that_lost_its_leading_zero(url):
    row = [1, CODE, "Đăng ký khai sinh", "", "Đã có kết quả", datetime(2025, 10, 20, 8, 30),
           datetime(2025, 10, 24), None, "Quầy 1", 912345678]
    run_import(url, xlsx_file([row], title=False))
    found = LocalDossierSource(url).by_phone(PHONE)
    assert [(s.state, s.received_on) for s in found] == [(DossierState.ready, date(2025, 10, 20))]


def test_headers_match_without_accents_and_semicolons_are_understood(url):
    header = ["MA HO SO", "ten thu tuc", "Trang thai (*)", "Ngay hen tra"]
    run_import(url, csv_file([[CODE, "Đăng ký khai sinh", "da tiep nhan", "24/10/2025"]], header, ";"))
    assert LocalDossierSource(url).by_code(CODE).state == DossierState.received


def test_dry_run_reports_and_writes_nothing(url):
    report = run_import(url, csv_file(ROWS), dry_run=True)
    assert report.created == [CODE, OTHER] and report.dry_run
    assert LocalDossierSource(url).by_code(CODE) is None


def test_a_bad_row_imports_nothing_and_is_named(url):
    bad = list(ROWS[1])
    bad[4], bad[6] = "Đang chờ", "31/02/2025"
    with pytest.raises(ImportRejected) as rejected:
        run_import(url, csv_file([ROWS[0], bad]))
    assert len(rejected.value.problems) == 1
    problem = rejected.value.problems[0]
    assert problem.startswith("Dòng 3:") and "Trạng thái" in problem and "Ngày hẹn trả" in problem
    assert LocalDossierSource(url).by_code(CODE) is None


@pytest.mark.parametrize("content, words", [
    (csv_file([ROWS[0], ROWS[0]]), "trùng với dòng 2"),
    (csv_file([["x", "000.00.15.H29-251020"] + ROWS[0][2:9] + [""]]), "Mã hồ sơ"),
    (csv_file([ROWS[0][:4] + ["Đang xử lý", "", "", "", "", "123"]]), "Số điện thoại"),
])
def test_row_problems_are_reported(url, content, words):
    with pytest.raises(ImportRejected) as rejected:
        run_import(url, content)
    assert words in " ".join(rejected.value.problems)


@pytest.mark.parametrize("content, words", [
    (csv_file(ROWS, header=["Mã hồ sơ", "Trạng thái"]), "Tên thủ tục"),
    (b"\xd0\xcf\x11\xe0 old excel", ".xls"),
    ("Mã hồ sơ\n".encode("utf-16"), "UTF-8"),
])
def test_unreadable_files_are_refused(url, content, words):
    with pytest.raises(ImportRejected) as rejected:
        run_import(url, content)
    assert words in rejected.value.message


def test_reimport_updates_changed_fields_and_keeps_columns_left_out(url):
    run_import(url, csv_file(ROWS))
    header = ["Mã hồ sơ", "Tên thủ tục", "Trạng thái", "Nơi trả kết quả"]
    rows = [[CODE, "Đăng ký khai sinh", "Chờ trả kết quả", "Quầy số 1, Bộ phận một cửa"],
            [OTHER, "Chứng thực bản sao", "Yêu cầu bổ sung", ""]]
    report = run_import(url, csv_file(rows, header))
    assert report.updated == {CODE: ["state"]} and report.unchanged == [OTHER]
    assert LocalDossierSource(url).by_code(CODE).state == DossierState.ready
    assert len(LocalDossierSource(url).by_phone(PHONE)) == 2


def test_save_one_creates_then_updates(url):
    with session_scope(url) as session:
        record = DossierRecord(code="000 00 15 h29 251020 0031", procedure_name="Đăng ký kết hôn",
                               state="Đã tiếp nhận", phone="0912 345 678")
        assert save_dossier(session, record, "quay") is True
    with session_scope(url) as session:
        update = DossierRecord(code=CODE, procedure_name="Đăng ký kết hôn", state="delivered")
        assert save_dossier(session, update, "quay") is False
    found = LocalDossierSource(url).by_phone(PHONE)
    assert [(s.code, s.state) for s in found] == [(CODE, DossierState.delivered)]


# --- HTTP adapter against a real local server ------------------------------------------

SLOW_CODE = "000.00.15.H29-251020-0005"
REMOTE = {
    CODE: {"maHoSo": CODE, "tenThuTuc": "Đăng ký khai sinh", "trangThai": "3",
           "ngayHenTra": "24/10/2025", "hoSo": {"noiTra": "Quầy số 1"}},
    OTHER: {"maHoSo": OTHER, "tenThuTuc": "Chứng thực bản sao", "trangThai": "Đã trả kết quả"},
}
MAPPING = {"code_param": "maHoSo", "phone_param": "soDienThoai", "results": "data",
           "code": "maHoSo", "procedure_name": "tenThuTuc", "state": "trangThai",
           "appointment_date": "ngayHenTra", "collect_at": "hoSo.noiTra", "states": {"3": "processing"}}


class FakeOneStop(BaseHTTPRequestHandler):
    """Answers by the value asked for: scripted failures for some, records for the others."""

    def do_GET(self):  # noqa: N802 (http.server's naming)
        query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        value = query.get("maHoSo") or query.get("soDienThoai", "")
        server = self.server
        server.requests.append(value)
        behaviour = server.behaviours.get(value, [])
        action = behaviour.pop(0) if behaviour else "ok"
        if action == "slow":
            time.sleep(2)
        if action == "500":
            return self.reply(500, b"loi may chu")
        if action == "garbage":
            return self.reply(200, b"<html>Trang bao tri</html>")
        if value == PHONE:
            return self.reply(200, json.dumps({"data": list(REMOTE.values())}).encode())
        if value not in REMOTE:
            return self.reply(404, b"{}")
        return self.reply(200, json.dumps({"data": REMOTE[value]}).encode())

    def reply(self, code, body):
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture()
def one_stop():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOneStop)
    server.daemon_threads = True
    server.requests, server.behaviours = [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/tra-cuu"
    yield server
    server.shutdown()
    server.server_close()


def http_source(server, **options):
    return HttpDossierSource(server.url, json.dumps(MAPPING), **{"timeout": 1.0, "retries": 2, **options})


def test_http_source_maps_the_reply_and_caches_it(one_stop):
    source = http_source(one_stop)
    found = source.by_code(CODE)
    assert (found.procedure_name, found.state, found.appointment_date, found.collect_at) == (
        "Đăng ký khai sinh", DossierState.processing, date(2025, 10, 24), "Quầy số 1")
    assert source.by_code(CODE) == found
    assert one_stop.requests == [CODE]


def test_http_cache_expires(one_stop):
    source = http_source(one_stop, cache_seconds=0.2)
    source.by_code(CODE)
    time.sleep(0.3)
    source.by_code(CODE)
    assert one_stop.requests == [CODE, CODE]


def test_http_404_is_not_found_and_briefly_cached(one_stop):
    source = http_source(one_stop)
    missing = "000.00.15.H29-251020-0099"
    assert source.by_code(missing) is None and source.by_code(missing) is None
    assert one_stop.requests == [missing]


def test_http_lookup_by_phone_lists_the_records(one_stop):
    found = http_source(one_stop).by_phone(PHONE)
    assert [(s.code, s.state) for s in found] == [(CODE, DossierState.processing),
                                                   (OTHER, DossierState.delivered)]


def test_http_server_error_is_retried(one_stop):
    one_stop.behaviours[CODE] = ["500"]
    assert http_source(one_stop).by_code(CODE).code == CODE
    assert one_stop.requests == [CODE, CODE]


@pytest.mark.parametrize("failure", ["500", "garbage"])
def test_http_persistent_failure_makes_the_source_unavailable(one_stop, failure):
    one_stop.behaviours[CODE] = [failure] * 5
    with pytest.raises(DossierSourceUnavailable) as unavailable:
        http_source(one_stop, retries=1).by_code(CODE)
    assert unavailable.value.message.startswith("Dạ, hệ thống tra cứu hồ sơ đang tạm gián đoạn")
    assert one_stop.requests == [CODE, CODE]


def test_http_slow_server_fails_within_the_time_bound(one_stop):
    one_stop.behaviours[SLOW_CODE] = ["slow"] * 5
    started = time.monotonic()
    with pytest.raises(DossierSourceUnavailable):
        http_source(one_stop, timeout=0.3, retries=1).by_code(SLOW_CODE)
    assert time.monotonic() - started < 1.2


def test_http_connection_refused_makes_the_source_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = HttpDossierSource(f"http://127.0.0.1:{port}/", timeout=0.5, retries=1)
    started = time.monotonic()
    with pytest.raises(DossierSourceUnavailable):
        source.by_code(CODE)
    assert time.monotonic() - started < 1.5


def test_factory_follows_the_settings(url, one_stop, monkeypatch):
    settings = get_settings()
    with session_scope(url) as session:
        assert isinstance(dossier_source(session), LocalDossierSource)
        monkeypatch.setattr(settings, "dossier_source", "http")
        monkeypatch.setattr(settings, "dossier_http_url", one_stop.url)
        monkeypatch.setattr(settings, "dossier_http_mapping", MAPPING)
        source = dossier_source(session)
        assert source is dossier_source(session)  # one adapter, so the cache survives requests
        assert source.by_code(CODE).code == CODE
        monkeypatch.setattr(settings, "dossier_http_url", "")
        with pytest.raises(DossierSourceUnavailable):
            dossier_source(session)
    dossier_sources._shared_http_source.cache_clear()


# --- staff API -----------------------------------------------------------------------

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture()
def client(url):
    with session_scope(url) as session:
        accounts.create_user(session, "quay", PASSWORD, [Role.counter_officer])
        accounts.create_user(session, "bientap", PASSWORD, [Role.kb_editor])
    with api_client(url) as test_client:
        yield test_client


def token(client, username):
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def upload(client, content, headers, dry_run="false", name="hoso.csv"):
    return client.post("/api/dossiers/import", params={"dry_run": dry_run},
                       files={"file": (name, content, "application/octet-stream")}, headers=headers)


def test_api_import_is_for_counter_officers(client):
    assert upload(client, csv_file(ROWS), {}).status_code == 401
    assert upload(client, csv_file(ROWS), token(client, "bientap")).status_code == 403
    officer = token(client, "quay")
    dry = upload(client, xlsx_file(ROWS), officer, dry_run="true", name="hoso.xlsx")
    assert dry.status_code == 200 and dry.json()["dry_run"] is True
    done = upload(client, csv_file(ROWS), officer)
    assert done.status_code == 200 and done.json()["created"] == [CODE, OTHER]


def test_api_import_rejects_bad_rows_and_large_files(client, monkeypatch):
    officer = token(client, "quay")
    bad = list(ROWS[0])
    bad[4] = "???"
    rejected = upload(client, csv_file([bad]), officer)
    assert rejected.status_code == 422 and rejected.json()["problems"][0].startswith("Dòng 2:")
    monkeypatch.setattr(get_settings(), "max_import_bytes", 100)
    assert upload(client, csv_file(ROWS), officer).status_code == 413


def test_api_lookup_shows_what_the_bot_says_without_the_phone(client):
    upload(client, csv_file(ROWS), token(client, "quay"))
    editor = token(client, "bientap")
    assert client.get(f"/api/dossiers/{CODE}").status_code == 401
    found = client.get("/api/dossiers/000 00 15 h29 251020 0031", headers=editor)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["code"] == CODE and body["state"] == "processing" and body["speech"].startswith("Dạ, hồ sơ")
    assert "912" not in found.text
    missing = client.get("/api/dossiers/000.00.15.H29-251020-0099", headers=editor)
    assert missing.status_code == 404 and missing.json()["code"] == "dossier_not_found"
    malformed = client.get("/api/dossiers/000.00.15.H29-251320-0031", headers=editor)
    assert malformed.status_code == 422 and malformed.json()["code"] == "malformed_dossier_code"


def test_api_put_creates_and_updates_one(client):
    officer = token(client, "quay")
    body = {"procedure_name": "Đăng ký khai sinh", "state": "Đã tiếp nhận",
            "appointment_date": "24/10/2025", "phone": "0912345678"}
    assert client.put(f"/api/dossiers/{CODE}", json=body, headers=token(client, "bientap")).status_code == 403
    created = client.put(f"/api/dossiers/{CODE}", json=body, headers=officer)
    assert created.status_code == 201 and created.json()["created"] is True
    ready = {"procedure_name": "Đăng ký khai sinh", "state": "ready", "collect_at": "Quầy số 1"}
    updated = client.put(f"/api/dossiers/{CODE}", json=ready, headers=officer)
    assert updated.status_code == 200
    dossier = updated.json()["dossier"]
    assert dossier["state_label"] == "Đã có kết quả, chờ trả" and dossier["appointment_date"] == "2025-10-24"
    invalid = client.put(f"/api/dossiers/{CODE}", json={**body, "state": "???"}, headers=officer)
    assert invalid.status_code == 422
