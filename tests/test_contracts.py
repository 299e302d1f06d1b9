"""The fixed contracts that outside checks rely on (DESIGN.md)."""
import httpx
import pytest

pytestmark = pytest.mark.stack

CONTRACT_INTENTS = """
greet goodbye thank affirm deny bot_challenge ask_procedure_documents ask_procedure_fee
ask_procedure_duration ask_procedure_location ask_procedure_online ask_procedure_overview
request_queue_number ask_queue_status file_complaint check_complaint_status
check_dossier_status ask_opening_hours ask_amenities request_human out_of_scope
""".split()


def parse(stack, text):
    response = httpx.post(f"{stack.rasa_url}/model/parse", json={"text": text}, timeout=30)
    response.raise_for_status()
    return response.json()


def test_model_knows_every_contract_intent(stack):
    response = httpx.get(f"{stack.rasa_url}/domain", params={"token": stack.rasa_token},
                         headers={"Accept": "application/json"}, timeout=30)
    response.raise_for_status()
    names = {i if isinstance(i, str) else next(iter(i)) for i in response.json()["intents"]}
    assert set(CONTRACT_INTENTS) <= names


@pytest.mark.parametrize(
    "text, procedure",
    [
        ("Làm giấy khai sinh cho con cần những gì ạ?", "khai_sinh"),
        ("lam giay khai sanh can gi", "khai_sinh"),
        ("cho bác hỏi nhập hộ khẩu cho cháu thì làm sao", "thuong_tru"),
        ("đk tạm trú mất bao lâu", "tam_tru"),
        ("photo công chứng mất bao nhiêu tiền", "chung_thuc_ban_sao"),
        ("sang tên sổ đỏ nộp ở đâu", "sang_ten_dat"),
    ],
)
def test_parse_returns_the_canonical_procedure_id(stack, text, procedure):
    result = parse(stack, text)
    values = [e["value"] for e in result["entities"] if e["entity"] == "procedure"]
    assert values == [procedure], result["entities"]


def test_parse_returns_intent_names_from_the_contract(stack):
    result = parse(stack, "Làm giấy khai sinh cần giấy tờ gì?")
    assert result["intent"]["name"] == "ask_procedure_documents"
    assert all("name" in ranked for ranked in result["intent_ranking"])


def test_rest_webhook_answers(conversation):
    messages = conversation.say("xin chào")
    assert messages and messages[0]["recipient_id"] == conversation.sender
    assert messages[0]["text"].startswith("Dạ")


def test_api_health_reports_database(stack):
    response = httpx.get(f"{stack.api_url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_api_lists_and_searches_procedures(stack):
    listed = httpx.get(f"{stack.api_url}/api/procedures", timeout=10).json()
    assert len(listed) >= 40
    found = httpx.get(f"{stack.api_url}/api/procedures", params={"q": "ket hon"}, timeout=10).json()
    assert found[0]["id"] == "ket_hon"
    one = httpx.get(f"{stack.api_url}/api/procedures/khai_sinh", timeout=10).json()
    assert {"id", "name", "aliases", "version"} <= set(one)
    assert httpx.get(f"{stack.api_url}/api/procedures/khong_co", timeout=10).status_code == 404
