"""Sending messages as the Official Account (Zalo OA API v3 `message/cs`).

Zalo answers most errors as HTTP 200 with a non-zero `error`. On -216 (access token
invalid or expired) the client refreshes once and resends; network errors and 5xx are
retried with backoff, a bounded number of times.
"""
from __future__ import annotations

import logging
import re
import time
from typing import Any, Dict, List, Optional, Sequence

import httpx

from procedure_kb.zalo.config import ZaloConfig
from procedure_kb.zalo.tokens import TokenStore

TOKEN_INVALID = -216
MAX_TEXT = 2000
MAX_BUTTON_TITLE = 100
MAX_BUTTONS = 5
BACKOFF_SECONDS = 0.3
_SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+")
log = logging.getLogger(__name__)


class ZaloError(Exception):
    """Zalo refused a request (`code` is Zalo's error), or could not be reached (code 0)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code


def split_text(text: str, limit: int = MAX_TEXT) -> List[str]:
    """Pieces under Zalo's limit: whole lines kept together, a long line cut at sentence
    ends (or at spaces, for one huge sentence)."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: List[str] = []
    current = ""
    for part, separator in _parts(text, limit):
        joined = f"{current}{separator}{part}" if current else part
        if len(joined) <= limit:
            current = joined
        else:
            pieces.append(current)
            current = part
    return pieces + [current] if current else pieces


def _parts(text: str, limit: int) -> List[tuple]:
    """(part, the separator before it): lines, and the sentences of lines over the limit."""
    parts = []
    for line in filter(None, (line.strip() for line in text.splitlines())):
        sentences = _words_within(_SENTENCE_END.split(line), limit) if len(line) > limit else [line]
        parts += [(sentence, "\n" if n == 0 else " ") for n, sentence in enumerate(sentences)]
    return parts


def _words_within(sentences: Sequence[str], limit: int) -> List[str]:
    """Sentences, with any longer than `limit` cut at spaces (or hard, for no spaces)."""
    out: List[str] = []
    for sentence in filter(None, (s.strip() for s in sentences)):
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out


def messages_for(text: str, buttons: Optional[Sequence[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    """The `message` bodies for a reply: long text split, buttons on the last piece."""
    pieces = split_text(text) or [""]
    messages: List[Dict[str, Any]] = [{"text": piece} for piece in pieces]
    if buttons:
        messages[-1]["attachment"] = {"type": "template", "payload": {"buttons": [
            {"title": str(b.get("title", ""))[:MAX_BUTTON_TITLE], "payload": str(b.get("payload", "")),
             "type": "oa.query.hide"} for b in list(buttons)[:MAX_BUTTONS]]}}
    return messages


class ZaloClient:
    def __init__(self, config: ZaloConfig, tokens: TokenStore,
                 http: Optional[httpx.Client] = None) -> None:
        self._config = config
        self._tokens = tokens
        self._http = http or httpx.Client(timeout=config.timeout)

    def send(self, user_id: str, text: str, buttons: Optional[Sequence[Dict[str, Any]]] = None) -> None:
        """Send a reply (several messages if long); ZaloError if Zalo refuses one."""
        for message in messages_for(text, buttons):
            self._send_one({"recipient": {"user_id": user_id}, "message": message})

    def _send_one(self, body: Dict[str, Any]) -> Dict[str, Any]:
        url = f"{self._config.api_base.rstrip('/')}/v3.0/oa/message/cs"
        token, refreshed = self._tokens.access_token(), False
        while True:
            answer = self._post_with_retries(url, json=body, headers={"access_token": token})
            code = int(answer.get("error") or 0)
            if code == TOKEN_INVALID and not refreshed:
                token, refreshed = self._tokens.refresh(token, self._ask_new_pair), True
                continue
            if code:
                raise ZaloError(code, str(answer.get("message", "")))
            return answer

    def _ask_new_pair(self, refresh_token: str) -> tuple:
        url = f"{self._config.oauth_base.rstrip('/')}/v4/oa/access_token"
        answer = self._post_with_retries(
            url, headers={"secret_key": self._config.app_secret},
            data={"refresh_token": refresh_token, "app_id": self._config.app_id,
                  "grant_type": "refresh_token"})
        if not answer.get("access_token") or not answer.get("refresh_token"):
            raise ZaloError(int(answer.get("error") or -1),
                            str(answer.get("error_description") or answer.get("error_name") or ""))
        log.info("Zalo access token refreshed")
        return answer["access_token"], answer["refresh_token"]

    def _post_with_retries(self, url: str, **request: Any) -> Dict[str, Any]:
        """Zalo's JSON answer; retries network errors and 5xx, then ZaloError(0, …)."""
        for attempt in range(self._config.send_retries + 1):
            try:
                response = self._http.post(url, **request)
                if response.status_code < 500:
                    return response.json()
                problem = f"HTTP {response.status_code}"
            except (httpx.TransportError, ValueError) as error:
                problem = type(error).__name__
            log.warning("Zalo request failed (%s), attempt %d", problem, attempt + 1)
            if attempt < self._config.send_retries:
                time.sleep(BACKOFF_SECONDS * 2 ** attempt)
        raise ZaloError(0, f"Zalo unreachable: {problem}")
