"""The public queue API and the staff counter actions."""
import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from tests.conftest import api_client, seeded_database

PASSWORD = "mat-khau-quay-so-1"


@pytest.fixture()
def client(tmp_path):
    url = seeded_database(tmp_path)
    with session_scope(url) as session:
        accounts.create_user(session, "quay1", PASSWORD, [Role.counter_officer])
        accounts.create_user(session, "bientap", PASSWORD, [Role.kb_editor])
        accounts.create_user(session, "quantri", PASSWORD, [Role.admin])
    with api_client(url) as test_client:
        yield test_client


def headers(client, username="quay1"):
    token = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_issue_by_procedure_or_service_with_the_fixed_shape(client):
    first = client.post("/api/queue/tickets", json={"procedure": "khai_sinh", "channel": "robot"})
    assert first.status_code == 201
    body = first.json()
    assert {"code", "service", "counters", "ahead", "estimated_wait_minutes"} <= set(body)
    assert body["code"] == "A001" and body["counters"] == [1, 2] and body["ahead"] == 0
    second = client.post("/api/queue/tickets", json={"service": "ho_tich_chung_thuc",
                                                       "priority": "nguoi_cao_tuoi"})
    assert second.json()["code"] == "A002" and second.json()["ahead"] == 0
    third = client.post("/api/queue/tickets", json={"service": "ho_tich_chung_thuc"}).json()
    assert third["ahead"] == 2 and third["estimated_wait_minutes"] == 8


@pytest.mark.parametrize(
    "body, status, code",
    [({"service": "khong_co"}, 404, "unknown_service"),
     ({"procedure": "nuoi_cho"}, 404, "unknown_procedure"),
     ({"service": "ho_tich_chung_thuc", "priority": "vip"}, 422, None),
     ({}, 422, None)],
)
def test_bad_ticket_requests_are_refused_clearly(client, body, status, code):
    response = client.post("/api/queue/tickets", json=body)
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code and response.json()["detail"]
    assert client.get("/api/queue/status").json()[0]["waiting"] == 0


def test_ticket_status_and_queue_status(client):
    code = client.post("/api/queue/tickets", json={"service": "dat_dai_xay_dung"}).json()["code"]
    assert client.get(f"/api/queue/tickets/{code.lower()}").json()["state"] == "waiting"
    missing = client.get("/api/queue/tickets/B999")
    assert missing.status_code == 404 and missing.json()["code"] == "ticket_not_found"
    land = next(s for s in client.get("/api/queue/status").json() if s["service"] == "dat_dai_xay_dung")
    assert land["waiting"] == 1 and land["last_called"] is None


def test_counter_flow_call_serve_done_and_errors(client):
    officer = headers(client)
    code = client.post("/api/queue/tickets", json={"service": "cu_tru_can_cuoc"}).json()["code"]
    assert client.post("/api/queue/counters/4/call-next").status_code == 401
    assert client.post("/api/queue/counters/4/call-next", headers=headers(client, "bientap")).status_code == 403
    called = client.post("/api/queue/counters/4/call-next", headers=officer).json()
    assert called["announcement"] == f"Mời công dân có số thứ tự {code} đến quầy số 4"
    assert client.get(f"/api/queue/tickets/{code}").json()["counter"] == 4
    assert client.post(f"/api/queue/tickets/{code}/done", headers=officer).json()["state"] == "done"
    again = client.post(f"/api/queue/tickets/{code}/done", headers=officer)
    assert again.status_code == 409 and again.json()["code"] == "already_finished"
    empty = client.post("/api/queue/counters/4/call-next", headers=officer).json()
    assert empty["code"] is None
    client.post("/api/queue/counters/4/pause", json={"reason": "Họp giao ban"}, headers=officer)
    paused = client.post("/api/queue/counters/4/call-next", headers=officer)
    assert paused.status_code == 409 and paused.json()["code"] == "counter_not_open"
    client.post("/api/queue/counters/4/resume", headers=officer)
    assert client.post("/api/queue/counters/4/call-next", headers=officer).status_code == 200
    assert client.post("/api/queue/counters/99/call-next", headers=officer).status_code == 404


def test_printable_ticket_as_png_pdf_and_escpos(client):
    from io import BytesIO

    from PIL import Image

    code = client.post("/api/queue/tickets", json={"service": "bhxh_bhyt"}).json()["code"]
    png = client.get(f"/api/queue/tickets/{code}/print")
    assert png.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(png.content)).size[0] == 576
    pdf = client.get(f"/api/queue/tickets/{code}/print", params={"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    escpos = client.get(f"/api/queue/tickets/{code}/print", params={"format": "escpos"}).content
    assert escpos.startswith(b"\x1b@") and code.encode() in escpos
    assert f"/q/{code}".encode() in escpos and b"Chua co ai cho truoc" in escpos
    assert client.get("/api/queue/tickets/E999/print").status_code == 404


def test_daily_statistics_and_csv_export(client):
    officer = headers(client)
    for _ in range(2):
        client.post("/api/queue/tickets", json={"service": "huong_dan_chung"})
    first = client.post("/api/queue/counters/6/call-next", headers=officer).json()["code"]
    client.post(f"/api/queue/tickets/{first}/done", headers=officer)
    stats = client.get("/api/queue/stats", headers=officer).json()
    general = next(s for s in stats["services"] if s["service"] == "huong_dan_chung")
    assert (general["issued"], general["served"], general["waiting"]) == (2, 1, 1)
    assert general["median_service_minutes"] is not None
    assert stats["counters"] == [{"counter": 6, "served": 1, "no_show": 0,
                                  "median_service_minutes": general["median_service_minutes"]}]
    exported = client.get("/api/queue/stats", params={"format": "csv"}, headers=officer)
    assert exported.text.splitlines()[0].startswith("service,name,issued,served")
    assert client.get("/api/queue/stats").status_code == 401


def test_invalid_requests_get_a_vietnamese_message_and_a_code(client):
    response = client.post("/api/queue/tickets", json={"service": "bhxh_bhyt", "priority": "vip"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request" and "priority" in response.json()["detail"]


def test_admin_sets_up_counters_and_others_cannot(client):
    setup = {"name": "Quầy 7 – Hộ tịch", "agency": "UBND cấp xã", "services": ["ho_tich_chung_thuc"]}
    assert client.put("/api/queue/counters/7", json=setup, headers=headers(client)).status_code == 403
    admin = headers(client, "quantri")
    saved = client.put("/api/queue/counters/7", json=setup, headers=admin)
    assert saved.status_code == 200 and saved.json()["state"] == "open"
    ticket = client.post("/api/queue/tickets", json={"service": "ho_tich_chung_thuc"}).json()
    assert ticket["counters"] == [1, 2, 7]
    wrong = client.put("/api/queue/counters/7", json={**setup, "services": ["khong_co"]}, headers=admin)
    assert wrong.status_code == 404 and wrong.json()["code"] == "unknown_service"
