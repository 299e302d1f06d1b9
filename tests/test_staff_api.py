"""Staff API: logins, roles (each can do what it needs and nothing more), curation."""
import json

import pytest

from procedure_kb import accounts
from procedure_kb.accounts import Role
from procedure_kb.db import session_scope
from tests.conftest import api_client, seeded_database
from tests.samples import festival_procedure

PASSWORD = "mat-khau-thu-nghiem"
ROLES = {
    "quantri": [Role.admin],
    "bientap": [Role.kb_editor],
    "quay": [Role.counter_officer],
    "phananh": [Role.complaint_handler],
}
NEW = {**festival_procedure(), "change_note": "Thêm thủ tục lễ hội theo Nghị định 110/2018"}


@pytest.fixture()
def client(tmp_path):
    url = seeded_database(tmp_path)
    with session_scope(url) as session:
        for username, roles in ROLES.items():
            accounts.create_user(session, username, PASSWORD, roles)
    with api_client(url) as test_client:
        yield test_client


def token(client, username, password=PASSWORD):
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_login_me_and_logout(client):
    headers = token(client, "bientap")
    assert client.get("/api/auth/me", headers=headers).json()["roles"] == ["kb_editor"]
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    for username, password in (("bientap", "sai-mat-khau-roi"), ("khongco", PASSWORD)):
        response = client.post("/api/auth/token", json={"username": username, "password": password})
        assert response.status_code == 400
        assert response.json()["detail"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_repeated_failures_throttle_even_the_right_password(client):
    for _ in range(5):
        client.post("/api/auth/token", json={"username": "quay", "password": "doan-mo-mat-khau"})
    response = client.post("/api/auth/token", json={"username": "quay", "password": PASSWORD})
    assert response.status_code == 429
    assert "thử lại sau" in response.json()["detail"]


def test_anonymous_can_read_but_not_write(client):
    assert client.get("/api/procedures/khai_sinh").status_code == 200
    assert client.post("/api/procedures", json=NEW).status_code == 401
    assert client.get("/api/users").status_code == 401
    bad = {"Authorization": "Bearer khong-hop-le"}
    assert client.post("/api/procedures", json=NEW, headers=bad).status_code == 401


@pytest.mark.parametrize(
    "username, can_edit_kb, can_manage_users",
    [("quantri", True, True), ("bientap", True, False), ("quay", False, False), ("phananh", False, False)],
)
def test_each_role_can_do_what_it_needs_and_nothing_more(client, username, can_edit_kb, can_manage_users):
    headers = token(client, username)
    created = client.post("/api/procedures", json=NEW, headers=headers)
    assert created.status_code == (201 if can_edit_kb else 403)
    version = created.json()["version"] if can_edit_kb else 1
    edit = {**NEW, "field": "Văn hóa – Thể thao", "version": version}
    target = "le_hoi" if can_edit_kb else "khai_sinh"
    updated = client.put(f"/api/procedures/{target}", json={**edit, "id": target}, headers=headers)
    assert updated.status_code == (200 if can_edit_kb else 403)
    history = client.get(f"/api/procedures/{target}/history", headers=headers)
    assert history.status_code == (200 if can_edit_kb else 403)
    retired = client.delete(f"/api/procedures/{target}", params={"version": 2}, headers=headers)
    assert retired.status_code == (200 if can_edit_kb else 403)
    new_user = {"username": f"moi_{username}", "password": PASSWORD, "roles": ["counter_officer"]}
    assert client.post("/api/users", json=new_user, headers=headers).status_code == (
        201 if can_manage_users else 403
    )
    assert client.get("/api/users", headers=headers).status_code == (200 if can_manage_users else 403)
    assert client.get("/api/audit", headers=headers).status_code == (200 if can_manage_users else 403)


def test_get_returns_what_post_and_put_accept_back(client):
    headers = token(client, "bientap")
    original = client.get("/api/procedures/khai_sinh").json()
    original["aliases"].append("khai sinh cho bé mới sinh")
    saved = client.put("/api/procedures/khai_sinh", json={**original, "change_note": "Thêm cách gọi"},
                       headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == original["version"] + 1
    assert "khai sinh cho bé mới sinh" in client.get("/api/procedures/khai_sinh").json()["aliases"]


def test_bad_input_is_refused_clearly_and_nothing_is_written(client):
    headers = token(client, "bientap")
    missing = {key: value for key, value in NEW.items() if key != "documents"}
    response = client.post("/api/procedures", json=missing, headers=headers)
    assert response.status_code == 422 and "documents" in response.text
    taken = {**NEW, "aliases": ["Khai sanh"]}
    response = client.post("/api/procedures", json=taken, headers=headers)
    assert response.status_code == 409 and "khai_sinh" in response.json()["detail"]
    huge = {**NEW, "name": "x" * (1024 * 1024)}
    assert client.post("/api/procedures", json=huge, headers=headers).status_code == 413
    long_name = {**NEW, "name": "x" * 5000}
    assert client.post("/api/procedures", json=long_name, headers=headers).status_code == 422
    assert client.get("/api/procedures/le_hoi").status_code == 404
    current = client.get("/api/procedures/khai_sinh").json()
    current["change_note"] = "Sửa thử"
    no_version = {key: value for key, value in current.items() if key != "version"}
    assert client.put("/api/procedures/khai_sinh", json=no_version, headers=headers).status_code == 428
    stale = {**current, "version": current["version"] + 5}
    response = client.put("/api/procedures/khai_sinh", json=stale, headers=headers)
    assert response.status_code == 409 and "phiên bản hiện tại" in response.json()["detail"]


@pytest.mark.parametrize("field", ["basis", "checked"])
def test_a_fact_without_legal_basis_or_checked_date_is_refused_naming_the_field(client, field):
    headers = token(client, "bientap")
    fee = {"summary": "Miễn phí.", "amount_vnd": 0, "basis": "Nghị định 110/2018/NĐ-CP, Điều 11",
           "checked": "2026-12-01"}
    fee.pop(field)
    response = client.post("/api/procedures", json={**NEW, "fee": [fee]}, headers=headers)
    assert response.status_code == 422 and f"fee.0.{field}" in response.json()["detail"]
    assert client.get("/api/procedures/le_hoi").status_code == 404


def test_a_change_without_a_note_is_refused(client):
    headers = token(client, "bientap")
    response = client.post("/api/procedures", json=festival_procedure(), headers=headers)
    assert response.status_code == 422 and "change_note" in response.json()["detail"]


def test_history_diff_and_restore(client):
    headers = token(client, "bientap")
    v1 = client.post("/api/procedures", json=NEW, headers=headers).json()
    agency = [{**v1["agency"][0], "name": "Chủ tịch UBND cấp xã", "checked": "2026-12-07"}]
    v2 = client.put("/api/procedures/le_hoi", headers=headers, json={
        **v1, "agency": agency, "change_note": "Chủ tịch UBND xã quyết định (NĐ 110/2018, Điều 11)"}).json()
    diff = client.get("/api/procedures/le_hoi/diff", params={"old": 1, "new": 2}, headers=headers).json()
    assert [c["field"] for c in diff["changes"]] == ["agency"]
    assert diff["changes"][0]["new"][0]["name"] == "Chủ tịch UBND cấp xã"
    assert diff["notes"] == ["Chủ tịch UBND xã quyết định (NĐ 110/2018, Điều 11)"]
    history = client.get("/api/procedures/le_hoi/history", headers=headers).json()
    assert history[1]["note"] == NEW["change_note"]
    no_note = client.post("/api/procedures/le_hoi/restore",
                          json={"restore_version": 1, "version": v2["version"]}, headers=headers)
    assert no_note.status_code == 422 and "change_note" in no_note.json()["detail"]
    restored = client.post("/api/procedures/le_hoi/restore", headers=headers, json={
        "restore_version": 1, "version": v2["version"], "change_note": "Khôi phục bản đầu"})
    assert restored.json()["agency"][0]["name"] == "UBND cấp xã" and restored.json()["version"] == 3
    assert restored.json()["agency"][0]["checked"] == v1["agency"][0]["checked"]
    audit = client.get("/api/audit", params={"target": "le_hoi"}, headers=token(client, "quantri"))
    assert [e["action"] for e in audit.json()] == ["procedure.restore", "procedure.update", "procedure.create"]
    assert all(e["actor"] == "bientap" for e in audit.json())


def test_retired_procedure_is_hidden_from_the_public_and_can_be_reactivated(client):
    headers = token(client, "bientap")
    version = client.get("/api/procedures/vneid").json()["version"]
    client.delete("/api/procedures/vneid", params={"version": version}, headers=headers)
    assert client.get("/api/procedures/vneid").status_code == 404
    assert client.get("/api/procedures/vneid", headers=headers).json()["retired"] is True
    back = client.post("/api/procedures/vneid/reactivate", json={"version": version + 1}, headers=headers)
    assert back.status_code == 200 and back.json()["retired"] is False


def test_admin_manages_accounts_and_a_disabled_account_loses_access(client):
    admin = token(client, "quantri")
    quay = token(client, "quay")
    response = client.patch("/api/users/quay", json={"active": False}, headers=admin)
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.get("/api/auth/me", headers=quay).status_code == 401
    weak = client.post("/api/users", json={"username": "yeu", "password": "123", "roles": ["admin"]},
                       headers=admin)
    assert weak.status_code == 400 and "10 ký tự" in weak.json()["detail"]


def test_export_and_import_through_the_api(client):
    editor = token(client, "bientap")
    assert client.get("/api/kb/export", params={"format": "xlsx"}, headers=token(client, "quay")).status_code == 403
    exported = client.get("/api/kb/export", params={"format": "json"}, headers=editor)
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    data = exported.json()
    data["procedures"].append(NEW)
    body = json.dumps(data, ensure_ascii=False).encode()
    dry = client.post("/api/kb/import", params={"format": "json", "note": "Chạy thử"}, content=body,
                      headers=editor)
    assert dry.json()["created"] == ["le_hoi"] and dry.json()["dry_run"] is True
    assert client.get("/api/procedures/le_hoi").status_code == 404
    real = client.post("/api/kb/import", params={"format": "json", "dry_run": False,
                                                  "note": "Nhập thủ tục lễ hội"}, content=body,
                       headers=editor)
    assert real.status_code == 200 and real.json()["created"] == ["le_hoi"]
    assert client.get("/api/procedures/le_hoi").status_code == 200
    broken = client.post("/api/kb/import", params={"format": "csv", "dry_run": False, "note": "Nhập"},
                         content=b"id,name\nabc,Thu tuc", headers=editor)
    assert broken.status_code == 422 and broken.json()["problems"][0].startswith("Dòng 1")


def test_needs_review_list_flags_and_marking_reviewed(client):
    officer = token(client, "quay")
    editor = token(client, "bientap")
    assert client.get("/api/review", params={"months": 12}, headers=officer).json() == []
    flagged = client.post("/api/procedures/tam_tru/flag", json={"note": "Thông tư mới về cư trú"},
                          headers=officer)
    assert flagged.status_code == 204
    listed = client.get("/api/review", headers=officer).json()
    assert [item["procedure_id"] for item in listed] == ["tam_tru"]
    assert "Thông tư mới về cư trú" in listed[0]["reasons"][0]
    version = client.get("/api/procedures/tam_tru").json()["version"]
    assert client.post("/api/procedures/tam_tru/reviewed", json={"version": version},
                       headers=officer).status_code == 403
    done = client.post("/api/procedures/tam_tru/reviewed", json={"version": version}, headers=editor)
    assert done.status_code == 200 and done.json()["version"] == version + 1
    assert client.get("/api/review", headers=officer).json() == []
    assert client.post("/api/procedures/khong_co/flag", json={"note": "abc"},
                       headers=officer).status_code == 404


def test_unanswered_list_is_for_editors_and_handled_groups_leave(client):
    assert client.get("/api/unanswered").status_code == 401
    assert client.get("/api/unanswered", headers=token(client, "quay")).status_code == 403
    editor = token(client, "bientap")
    assert client.get("/api/unanswered", headers=editor).json() == []
    assert client.post("/api/unanswered/handled", json={"key": "khong co"}, headers=editor).json() == {"handled": 0}
