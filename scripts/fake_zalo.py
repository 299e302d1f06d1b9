"""A local fake Zalo Official Account, for tests, benchmarks and trying the bot by hand.

    python -m scripts.fake_zalo --webhook-url http://127.0.0.1:5005/webhooks/zalo/webhook

Then open http://127.0.0.1:8090/ (a Zalo-style chat page). The fake plays both of Zalo's roles:
- Zalo's API, which the bot calls: `POST /v3.0/oa/message/cs` (send a reply) and
  `POST /v4/oa/access_token` (refresh tokens, single use). Errors come back as HTTP 200
  with a non-zero `error`, as Zalo does.
- Zalo's webhook, which calls the bot: `POST /fake/users/{user_id}/send` builds the event a
  citizen's action produces, signs it (`X-ZEvent-Signature`) and posts it to the bot.
`/fake/...` control endpoints inject faults, expire the token and read what the OA sent.

Written from Zalo's public documentation; it imports nothing from the project.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import time
import uuid
from dataclasses import asdict, dataclass, field
from html import escape
from string import Template
from typing import Any, Dict, List, Optional, Sequence, Union

import httpx
import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

DEFAULT_PORT = 8090
DEFAULT_WEBHOOK_URL = "http://127.0.0.1:5005/webhooks/zalo/webhook"
OA_NAME = "Trung tâm phục vụ hành chính công"

MAX_TEXT_CHARS = 2000
MAX_BUTTON_TITLE_CHARS = 100
TOKEN_EXPIRES_IN = "90000"  # Zalo gives 25 hours, as a string

# Official Account API codes (developers.zalo.me/docs/official-account/phu-luc/ma-loi).
INVALID_PARAMETERS = -201
PARAMETER_OVER_LIMIT = -210
INVALID_ACCESS_TOKEN = -216
OA_API_MESSAGES = {
    -32: "Exceed request rate limit",
    -200: "Failed to send message",
    INVALID_PARAMETERS: "Parameters are invalid",
    PARAMETER_OVER_LIMIT: "Parameter exceeds allowed limit",
    -213: "User has not followed the OA",
    INVALID_ACCESS_TOKEN: "Access token is invalid",
    -230: "User has not interacted with the OA in the past 7 days",
}

# OAuth v4 codes, as named in Zalo's login SDK.
OAUTH_INVALID_APP_ID = -14002
OAUTH_INVALID_SECRET_KEY = -14004
OAUTH_INVALID_REFRESH_TOKEN = -14014
OAUTH_INVALID_GRANT_TYPE = -14018
OAUTH_ERROR_NAMES = {
    OAUTH_INVALID_APP_ID: "Invalid app id",
    OAUTH_INVALID_SECRET_KEY: "Invalid secret key",
    OAUTH_INVALID_REFRESH_TOKEN: "Invalid refresh token",
    OAUTH_INVALID_GRANT_TYPE: "Invalid grant type",
}

QUERY_BUTTON_TYPES = {"oa.query.hide", "oa.query.show"}
LINK_BUTTON_TYPES = {"oa.open.url", "oa.open.phone", "oa.open.sms"}
FOLLOW_EVENTS = {"follow", "unfollow"}
RECEIPT_EVENTS = {"user_seen_message", "user_received_message"}
ATTACHMENT_TYPES = {
    "user_send_image": "image",
    "user_send_file": "file",
    "user_send_sticker": "sticker",
    "user_send_gif": "gif",
    "user_send_audio": "audio",
    "user_send_location": "location",
}


@dataclass
class FakeOAConfig:
    """Who the fake OA is and where it posts citizens' events."""

    webhook_url: str = DEFAULT_WEBHOOK_URL
    app_id: str = "1000000000000000001"
    oa_id: str = "2000000000000000002"
    oa_secret_key: str = "fake-oa-secret-key"
    app_secret: str = "fake-app-secret"
    access_token: str = "fake-access-token"
    refresh_token: str = "fake-refresh-token"
    oa_name: str = OA_NAME
    webhook_timeout_seconds: float = 10.0


class Faults(BaseModel):
    """Faults for the next calls; `POST /fake/faults` replaces them all."""

    send_errors: List[int] = Field(default_factory=list, description="codes answered, one per send")
    delay_seconds: float = Field(0.0, ge=0, le=120, description="added to every send")
    drop_connections: int = Field(0, ge=0, description="sends whose connection is closed unanswered")
    refresh_delay_seconds: float = Field(0.0, ge=0, le=120, description="added to every refresh")


class CitizenAction(BaseModel):
    """What a citizen does in Zalo; the options after `event` are for tests."""

    text: Optional[str] = None
    event: Optional[str] = None
    msg_id: Optional[str] = None
    timestamp: Optional[int] = Field(None, description="milliseconds since the epoch")
    bad_signature: bool = False
    resend: int = Field(1, ge=1, le=20, description="how many times the same bytes are posted")
    msg_ids: Optional[List[str]] = Field(None, description="for seen/received receipts")
    attachments: Optional[List[Dict[str, Any]]] = None


class ZaloError(Exception):
    """An OA API refusal: HTTP 200 with a non-zero `error`."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Delivery:
    """One POST of an event to the webhook."""

    status: Optional[int]
    ack_ms: float
    error: Optional[str] = None


@dataclass
class FakeOA:
    """Everything the fake remembers: tokens, counters, faults and the replies per user."""

    config: FakeOAConfig
    access_token: str = ""
    refresh_token: str = ""
    access_token_valid: bool = True
    faults: Faults = field(default_factory=Faults)
    replies: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)
    send_calls: int = 0
    refresh_calls: int = 0
    refreshes: int = 0
    webhook_posts: int = 0

    def __post_init__(self) -> None:
        self.access_token = self.access_token or self.config.access_token
        self.refresh_token = self.refresh_token or self.config.refresh_token

    def accepts(self, access_token: Optional[str]) -> bool:
        return self.access_token_valid and access_token == self.access_token

    def rotate_tokens(self) -> Dict[str, str]:
        """Issue a new pair; the old access and refresh tokens stop working."""
        self.access_token = f"fake-access-{secrets.token_urlsafe(16)}"
        self.refresh_token = f"fake-refresh-{secrets.token_urlsafe(16)}"
        self.access_token_valid = True
        self.refreshes += 1
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "expires_in": TOKEN_EXPIRES_IN}

    def record_reply(self, user_id: str, text: str, buttons: List[Dict[str, Any]]) -> Dict[str, Any]:
        replies = self.replies.setdefault(user_id, [])
        reply = {"index": len(replies) + 1, "message_id": uuid.uuid4().hex, "text": text,
                 "buttons": buttons, "time": time.time()}
        replies.append(reply)
        return reply

    def replies_after(self, user_id: str, after: int) -> List[Dict[str, Any]]:
        return [reply for reply in self.replies.get(user_id, []) if reply["index"] > after]

    def next_send_fault(self) -> Union[str, int, None]:
        """'drop', an error code to answer, or None; each is used once."""
        if self.faults.drop_connections:
            self.faults.drop_connections -= 1
            return "drop"
        if self.faults.send_errors:
            return self.faults.send_errors.pop(0)
        return None

    def stats(self) -> Dict[str, Any]:
        return {"send_calls": self.send_calls,
                "messages_accepted": sum(len(replies) for replies in self.replies.values()),
                "refresh_calls": self.refresh_calls, "refreshes": self.refreshes,
                "webhook_posts": self.webhook_posts, "access_token": self.access_token,
                "refresh_token": self.refresh_token, "access_token_valid": self.access_token_valid,
                "faults": self.faults.dict()}


# --- Zalo's OA API --------------------------------------------------------------------


def oa_api_error(code: int) -> JSONResponse:
    return JSONResponse({"error": code, "message": OA_API_MESSAGES.get(code, "Injected error")})


def as_dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_button(button: Any) -> Dict[str, Any]:
    """One `oa.*` button; query buttons carry a string payload, link buttons an object."""
    button = as_dict(button)
    title, kind, payload = button.get("title"), button.get("type"), button.get("payload")
    payload_fits = (isinstance(payload, str) and kind in QUERY_BUTTON_TYPES) or (
        isinstance(payload, dict) and kind in LINK_BUTTON_TYPES)
    if not isinstance(title, str) or not title.strip() or not payload_fits:
        raise ZaloError(INVALID_PARAMETERS)
    if len(title) > MAX_BUTTON_TITLE_CHARS:
        raise ZaloError(PARAMETER_OVER_LIMIT)
    return {"title": title, "type": kind, "payload": payload}


def parse_buttons(attachment: Any) -> List[Dict[str, Any]]:
    """The buttons of a text message's template attachment (none without attachment)."""
    if attachment is None:
        return []
    attachment = as_dict(attachment)
    buttons = as_dict(attachment.get("payload")).get("buttons")
    if attachment.get("type") != "template" or not isinstance(buttons, list) or not buttons:
        raise ZaloError(INVALID_PARAMETERS)
    return [parse_button(button) for button in buttons]


def parse_cs_message(body: Any) -> Dict[str, Any]:
    """recipient user id, text and buttons of a consultation (cs) message, or a ZaloError."""
    user_id = as_dict(as_dict(body).get("recipient")).get("user_id")
    message = as_dict(as_dict(body).get("message"))
    text = message.get("text")
    if not isinstance(user_id, str) or not user_id or not isinstance(text, str) or not text.strip():
        raise ZaloError(INVALID_PARAMETERS)
    if len(text) > MAX_TEXT_CHARS:
        raise ZaloError(PARAMETER_OVER_LIMIT)
    return {"user_id": user_id, "text": text, "buttons": parse_buttons(message.get("attachment"))}


async def drop_connection(request: Request) -> Response:
    """Close the client's connection without an answer (needs uvicorn's transport)."""
    transport = getattr(getattr(request.receive, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("fake Zalo dropped the connection")
    transport.close()
    while (await request.receive())["type"] != "http.disconnect":
        pass  # until uvicorn has seen the connection go, so it sends nothing more
    return Response(status_code=204)  # never reaches the client


def oauth_refusal(fake: FakeOA, form: Dict[str, Any], secret_key: Optional[str]) -> Optional[int]:
    """The OAuth error code for a refresh request, or None when it is valid."""
    if form.get("app_id") != fake.config.app_id:
        return OAUTH_INVALID_APP_ID
    if secret_key != fake.config.app_secret:
        return OAUTH_INVALID_SECRET_KEY
    if form.get("grant_type") != "refresh_token":
        return OAUTH_INVALID_GRANT_TYPE
    if form.get("refresh_token") != fake.refresh_token:
        return OAUTH_INVALID_REFRESH_TOKEN
    return None


def oauth_error(code: int) -> JSONResponse:
    name = OAUTH_ERROR_NAMES[code]
    return JSONResponse({"error": code, "error_name": name, "error_reason": name,
                         "error_description": f"{name} (fake Zalo OA)"})


# --- Webhook events -------------------------------------------------------------------


def now_ms() -> int:
    return int(time.time() * 1000)


def user_id_by_app(app_id: str, user_id: str) -> str:
    """A stable per-app id for the user, digits like Zalo's."""
    return str(int(hashlib.sha256(f"{app_id}:{user_id}".encode()).hexdigest()[:15], 16))


def default_attachment(kind: str, msg_id: str) -> Dict[str, Any]:
    """A plausible attachment of Zalo's shape for each kind."""
    url = f"https://fake-zalo.invalid/{kind}/{msg_id}"
    payloads: Dict[str, Dict[str, Any]] = {
        "image": {"thumbnail": url, "url": url},
        "gif": {"thumbnail": url, "url": url},
        "sticker": {"id": "fake-sticker", "url": url},
        "audio": {"url": url},
        "file": {"url": url, "name": "giay-to.pdf", "size": "20480", "type": "pdf",
                 "checksum": hashlib.md5(msg_id.encode()).hexdigest()},
        "location": {"coordinates": {"latitude": "21.0285", "longitude": "105.8542"}},
    }
    return {"type": kind, "payload": payloads[kind]}


def citizen_message(action: CitizenAction, event_name: str, msg_id: str) -> Dict[str, Any]:
    """The `message` object of an event the citizen sends."""
    message: Dict[str, Any] = {"msg_id": msg_id}
    if action.text is not None:
        message["text"] = action.text
    if event_name in ATTACHMENT_TYPES:
        message["attachments"] = action.attachments or [default_attachment(ATTACHMENT_TYPES[event_name], msg_id)]
    return message


def build_event(fake: FakeOA, user_id: str, action: CitizenAction) -> Dict[str, Any]:
    """The JSON Zalo would post for this citizen action."""
    config = fake.config
    event_name = action.event or "user_send_text"
    event: Dict[str, Any] = {"app_id": config.app_id, "user_id_by_app": user_id_by_app(config.app_id, user_id),
                             "event_name": event_name, "timestamp": str(action.timestamp or now_ms())}
    if event_name in FOLLOW_EVENTS:
        return {**event, "oa_id": config.oa_id, "follower": {"id": user_id}, "source": "oa_profile"}
    if event_name in RECEIPT_EVENTS:  # the OA's message, seen or received by the user
        seen = action.msg_ids or [reply["message_id"] for reply in fake.replies.get(user_id, [])[-1:]]
        return {**event, "sender": {"id": config.oa_id}, "recipient": {"id": user_id},
                "message": {"msg_ids": seen}}
    msg_id = action.msg_id or uuid.uuid4().hex
    return {**event, "sender": {"id": user_id}, "recipient": {"id": config.oa_id},
            "message": citizen_message(action, event_name, msg_id)}


def zalo_signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """`mac=` + SHA-256 of app id, raw body, timestamp and OA secret key (a plain hash, no HMAC)."""
    signed = app_id.encode() + raw_body + timestamp.encode() + oa_secret_key.encode()
    return "mac=" + hashlib.sha256(signed).hexdigest()


async def post_event(client: httpx.AsyncClient, url: str, raw_body: bytes, signature: str) -> Delivery:
    started = time.perf_counter()
    try:
        response = await client.post(url, content=raw_body, headers={
            "Content-Type": "application/json", "X-ZEvent-Signature": signature})
    except httpx.HTTPError as error:
        return Delivery(None, elapsed_ms(started), f"{type(error).__name__}: {error}")
    return Delivery(response.status_code, elapsed_ms(started))


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


async def deliver(fake: FakeOA, user_id: str, action: CitizenAction) -> Dict[str, Any]:
    """Build, serialise once, sign and post the event (`resend` times); report the acks."""
    config = fake.config
    event = build_event(fake, user_id, action)
    raw_body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    secret = config.oa_secret_key + ("-wrong" if action.bad_signature else "")
    signature = zalo_signature(config.app_id, raw_body, event["timestamp"], secret)
    deliveries = []
    async with httpx.AsyncClient(timeout=config.webhook_timeout_seconds, trust_env=False) as client:
        for _ in range(action.resend):
            fake.webhook_posts += 1
            deliveries.append(await post_event(client, config.webhook_url, raw_body, signature))
    first = deliveries[0]
    return {"event": event["event_name"], "msg_id": event.get("message", {}).get("msg_id"),
            "status": first.status, "ack_ms": first.ack_ms, "error": first.error,
            "deliveries": [asdict(delivery) for delivery in deliveries]}


# --- The app --------------------------------------------------------------------------


def create_app(config: FakeOAConfig) -> FastAPI:
    """The fake OA: Zalo's API, the citizen's side, control endpoints and the chat page."""
    app = FastAPI(title="Fake Zalo OA", docs_url="/fake/docs", openapi_url="/fake/openapi.json")
    fake = FakeOA(config)
    app.state.fake = fake

    @app.post("/v3.0/oa/message/cs")
    async def send_cs_message(request: Request) -> Response:
        fake.send_calls += 1
        fault = fake.next_send_fault()
        if fake.faults.delay_seconds:
            await asyncio.sleep(fake.faults.delay_seconds)
        if fault == "drop":
            return await drop_connection(request)
        if isinstance(fault, int):
            return oa_api_error(fault)
        if not fake.accepts(request.headers.get("access_token")):
            return oa_api_error(INVALID_ACCESS_TOKEN)
        try:
            message = parse_cs_message(json.loads(await request.body()))
        except ValueError:
            return oa_api_error(INVALID_PARAMETERS)
        except ZaloError as refusal:
            return oa_api_error(refusal.code)
        reply = fake.record_reply(message["user_id"], message["text"], message["buttons"])
        return JSONResponse({"error": 0, "message": "Success",
                             "data": {"message_id": reply["message_id"], "user_id": message["user_id"]}})

    @app.post("/v4/oa/access_token")
    async def refresh_access_token(request: Request) -> JSONResponse:
        fake.refresh_calls += 1
        if fake.faults.refresh_delay_seconds:
            await asyncio.sleep(fake.faults.refresh_delay_seconds)
        refusal = oauth_refusal(fake, dict(await request.form()), request.headers.get("secret_key"))
        if refusal is not None:
            return oauth_error(refusal)
        return JSONResponse(fake.rotate_tokens())

    @app.post("/fake/users/{user_id}/send")
    async def citizen_sends(user_id: str, action: CitizenAction) -> Dict[str, Any]:
        if action.event in (None, "user_send_text") and not action.text:
            raise HTTPException(422, "A text message needs a non-empty `text`.")
        return await deliver(fake, user_id, action)

    @app.get("/fake/users/{user_id}/messages")
    async def replies_for_user(user_id: str, after: int = 0) -> Dict[str, Any]:
        return {"user_id": user_id, "messages": fake.replies_after(user_id, after)}

    @app.post("/fake/faults")
    async def set_faults(faults: Faults) -> Dict[str, Any]:
        fake.faults = faults
        return faults.dict()

    @app.post("/fake/expire-token")
    async def expire_token() -> Dict[str, Any]:
        fake.access_token_valid = False
        return {"access_token_valid": False}

    @app.get("/fake/stats")
    async def stats() -> Dict[str, Any]:
        return fake.stats()

    add_chat_page(app, config)
    return app


def add_chat_page(app: FastAPI, config: FakeOAConfig) -> None:
    """`/` and `/chat`: the Zalo-style page; its script and style are served beside it."""
    page = Template(CHAT_HTML).substitute(oa_name=escape(config.oa_name))
    page_headers = {"Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'none'",
                    "X-Content-Type-Options": "nosniff"}

    @app.get("/", response_class=HTMLResponse)
    @app.get("/chat", response_class=HTMLResponse)
    async def chat_page() -> HTMLResponse:
        return HTMLResponse(page, headers=page_headers)

    @app.get("/static/fake-zalo/chat.js")
    async def chat_script() -> Response:
        return Response(CHAT_JS, media_type="text/javascript", headers={"X-Content-Type-Options": "nosniff"})

    @app.get("/static/fake-zalo/chat.css")
    async def chat_style() -> Response:
        return Response(CHAT_CSS, media_type="text/css", headers={"X-Content-Type-Options": "nosniff"})


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    defaults = FakeOAConfig()
    parser = argparse.ArgumentParser(description="A local fake Zalo Official Account with a chat page.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--webhook-url", default=os.environ.get("FAKE_ZALO_WEBHOOK_URL", defaults.webhook_url))
    parser.add_argument("--app-id", default=os.environ.get("ZALO_APP_ID", defaults.app_id))
    parser.add_argument("--oa-secret-key", default=os.environ.get("ZALO_OA_SECRET_KEY", defaults.oa_secret_key))
    parser.add_argument("--app-secret", default=os.environ.get("ZALO_APP_SECRET", defaults.app_secret))
    parser.add_argument("--access-token", default=os.environ.get("ZALO_ACCESS_TOKEN", defaults.access_token))
    parser.add_argument("--refresh-token", default=os.environ.get("ZALO_REFRESH_TOKEN", defaults.refresh_token))
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    config = FakeOAConfig(webhook_url=args.webhook_url, app_id=args.app_id, oa_secret_key=args.oa_secret_key,
                          app_secret=args.app_secret, access_token=args.access_token,
                          refresh_token=args.refresh_token)
    print(f"Fake Zalo OA: chat page http://127.0.0.1:{args.port}/ — events go to {config.webhook_url}")
    uvicorn.run(create_app(config), host="127.0.0.1", port=args.port, ws="none")  # no websockets here


# --- The chat page (served by the app; message text only ever goes through textContent) ----

CHAT_HTML = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$oa_name – Zalo (giả lập)</title>
<link rel="stylesheet" href="/static/fake-zalo/chat.css">
<script src="/static/fake-zalo/chat.js" defer></script>
</head>
<body>
<main class="phone">
  <header class="oa-header">
    <div class="avatar" aria-hidden="true">HC</div>
    <div>
      <h1>$oa_name</h1>
      <p>Tài khoản chính thức · bản giả lập để thử nghiệm</p>
    </div>
  </header>
  <div id="conversation" class="conversation" role="log" aria-live="polite"
       aria-label="Cuộc trò chuyện với $oa_name"></div>
  <p id="status" class="status" role="status"></p>
  <form id="composer" class="composer">
    <label for="message-text" class="visually-hidden">Tin nhắn của bạn</label>
    <input id="message-text" name="text" type="text" placeholder="Nhập tin nhắn…"
           autocomplete="off" maxlength="2000" required>
    <button type="submit">Gửi</button>
  </form>
  <p class="who">Mã người dùng thử: <span id="user-id"></span></p>
</main>
</body>
</html>
"""

CHAT_CSS = """:root {
  --zalo-blue: #0068ff;
  --page: #e2e8f1;
  --own-bubble: #dbebff;
  --ink: #081c36;
}
* { box-sizing: border-box; }
html { font-size: 20px; }
body {
  margin: 0;
  background: #c9d3df;
  color: var(--ink);
  font-family: "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif;
  line-height: 1.45;
}
.phone {
  display: flex;
  flex-direction: column;
  height: 100vh;
  max-width: 30rem;
  margin: 0 auto;
  background: var(--page);
}
.oa-header {
  display: flex;
  align-items: center;
  gap: 0.6rem;
  padding: 0.6rem 0.8rem;
  background: var(--zalo-blue);
  color: #fff;
}
.oa-header h1 { margin: 0; font-size: 1.05rem; }
.oa-header p { margin: 0; font-size: 0.8rem; }
.avatar {
  display: grid;
  place-items: center;
  flex: none;
  width: 2.4rem;
  height: 2.4rem;
  border-radius: 50%;
  background: #fff;
  color: var(--zalo-blue);
  font-weight: 700;
}
.conversation {
  display: flex;
  flex: 1;
  flex-direction: column;
  gap: 0.5rem;
  overflow-y: auto;
  padding: 0.8rem;
}
.row { display: flex; flex-direction: column; max-width: 85%; }
.row.oa { align-self: flex-start; }
.row.citizen { align-self: flex-end; align-items: flex-end; }
.bubble {
  margin: 0;
  padding: 0.55rem 0.8rem;
  border-radius: 0.9rem;
  box-shadow: 0 1px 1px rgba(0, 0, 0, 0.08);
  overflow-wrap: anywhere;
  white-space: pre-wrap;
}
.oa .bubble { background: #fff; border-top-left-radius: 0.25rem; }
.citizen .bubble { background: var(--own-bubble); border-top-right-radius: 0.25rem; }
.choices { display: flex; flex-direction: column; gap: 0.35rem; margin-top: 0.35rem; }
.choice {
  min-height: 2.75rem;
  padding: 0.4rem 0.8rem;
  border: 1px solid var(--zalo-blue);
  border-radius: 0.6rem;
  background: #fff;
  color: #0050c8;
  font: inherit;
  text-align: left;
  cursor: pointer;
}
.choice:disabled { border-color: #8a94a3; color: #4d5866; cursor: not-allowed; }
.status { min-height: 1.2em; margin: 0; padding: 0 0.8rem; color: #a4000f; font-size: 0.85rem; }
.composer {
  display: flex;
  gap: 0.5rem;
  padding: 0.6rem;
  border-top: 1px solid #d6dbe1;
  background: #fff;
}
.composer input {
  flex: 1;
  min-width: 0;
  padding: 0.6rem 0.8rem;
  border: 1px solid #7d8896;
  border-radius: 1.5rem;
  font: inherit;
}
.composer button {
  min-height: 2.75rem;
  padding: 0 1.2rem;
  border: 0;
  border-radius: 1.5rem;
  background: var(--zalo-blue);
  color: #fff;
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
.who { margin: 0; padding: 0.2rem 0.8rem 0.4rem; background: #fff; color: #4d5866; font-size: 0.75rem; }
:focus-visible { outline: 3px solid #ffb400; outline-offset: 2px; }
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
}
"""

CHAT_JS = r""""use strict";
(() => {
  const POLL_INTERVAL_MS = 700;
  const USER_ID_KEY = "fakeZaloUserId";
  const QUERY_BUTTONS = new Set(["oa.query.hide", "oa.query.show"]);
  const SEND_FAILED = "Không gửi được tin nhắn. Vui lòng thử lại.";
  const RECONNECTING = "Mất kết nối, đang thử lại…";

  const conversation = document.getElementById("conversation");
  const composer = document.getElementById("composer");
  const input = document.getElementById("message-text");
  const statusLine = document.getElementById("status");
  const userId = storedUserId();
  const userPath = "/fake/users/" + encodeURIComponent(userId);
  let lastIndex = 0;

  function storedUserId() {
    let id = localStorage.getItem(USER_ID_KEY);
    if (!id) {
      const digits = Array.from(crypto.getRandomValues(new Uint8Array(17)), (byte) => byte % 10);
      id = "8" + digits.join("");
      localStorage.setItem(USER_ID_KEY, id);
    }
    return id;
  }

  function addBubble(side, text) {
    const row = document.createElement("div");
    row.className = "row " + side;
    const speaker = document.createElement("span");
    speaker.className = "visually-hidden";
    speaker.textContent = side === "oa" ? "Trung tâm trả lời:" : "Bạn:";
    const bubble = document.createElement("p");
    bubble.className = "bubble";
    bubble.textContent = text;
    row.append(speaker, bubble);
    conversation.append(row);
    row.scrollIntoView({ block: "end" });
    return row;
  }

  function choiceButton(button) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "choice";
    element.textContent = button.title;
    if (QUERY_BUTTONS.has(button.type)) {
      // oa.query.hide sends its payload without showing it; oa.query.show shows it.
      element.addEventListener("click", () => send(String(button.payload), button.type === "oa.query.show"));
    } else {
      element.disabled = true;
      element.title = "Trang thử không mở được loại nút này";
    }
    return element;
  }

  function addChoices(row, buttons) {
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Các lựa chọn");
    group.append(...buttons.map(choiceButton));
    row.append(group);
  }

  function showStatus(text) {
    statusLine.textContent = text;
  }

  function deliveryProblem(result) {
    if (result.status === null) return "Không kết nối được tới máy chủ trả lời.";
    if (result.status >= 400) return "Máy chủ trả lời báo lỗi (HTTP " + result.status + ").";
    return "";
  }

  async function send(text, visible) {
    if (visible) addBubble("citizen", text);
    try {
      const response = await fetch(userPath + "/send", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text }),
      });
      showStatus(response.ok ? deliveryProblem(await response.json()) : SEND_FAILED);
    } catch (error) {
      showStatus(SEND_FAILED);
    }
  }

  function showReplies(messages) {
    for (const message of messages) {
      const row = addBubble("oa", message.text);
      if (message.buttons.length) addChoices(row, message.buttons);
      lastIndex = message.index;
    }
  }

  async function poll() {
    try {
      const response = await fetch(userPath + "/messages?after=" + lastIndex);
      if (!response.ok) throw new Error("HTTP " + response.status);
      showReplies((await response.json()).messages);
      if (statusLine.textContent === RECONNECTING) showStatus("");
    } catch (error) {
      showStatus(RECONNECTING);
    }
    setTimeout(poll, POLL_INTERVAL_MS);
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    input.focus();
    send(text, true);
  });

  document.getElementById("user-id").textContent = userId;
  poll();
})();
"""


if __name__ == "__main__":
    main()
