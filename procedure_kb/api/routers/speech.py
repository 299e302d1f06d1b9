"""Speech for the lobby robot: the words it speaks, its voice, and one voice turn."""
from __future__ import annotations

import base64
import uuid
from typing import Dict, List, Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, conint, constr
from sqlalchemy.orm import Session

from procedure_kb import repository
from procedure_kb.api.deps import get_session
from procedure_kb.settings import get_settings
from speech import tts
from speech.asr import ModelMissing, VoskRecognizer, load_model
from speech.normalize import REGIONS, Region, normalize
from speech.phrases import build_phrases, procedure_names
from speech.robot import BotConnection, Robot

router = APIRouter(prefix="/api/speech", tags=["speech"])
MAX_TEXT_CHARS = 5000


class SpokenText(BaseModel):
    text: str


@router.get("/normalize", response_model=SpokenText)
def normalize_text(
    text: str = Query(..., max_length=MAX_TEXT_CHARS, description="the reply as written"),
    region: str = Query("bac", description="number words of the region: bac, trung or nam"),
) -> object:
    """Numbers, dates, codes and abbreviations written out for text-to-speech."""
    if region not in REGIONS:
        return JSONResponse({"detail": "Vùng không hợp lệ: chỉ nhận bac, trung hoặc nam.",
                             "code": "unknown_region"}, status_code=422)
    return {"text": normalize(text, region)}


class SpeechRequest(BaseModel):
    text: constr(strip_whitespace=True, min_length=1, max_length=2000)  # type: ignore[valid-type]
    region: Region
    rate: Optional[conint(ge=80, le=400)] = None  # type: ignore[valid-type]  # words per minute


@router.post("/tts", response_class=Response,
             responses={200: {"content": {"audio/wav": {}}, "description": "16-bit mono PCM WAV"}})
def text_to_speech(request: SpeechRequest) -> Response:
    """The text, normalised, spoken in the region's voice (espeak-ng) as a WAV file."""
    try:
        wav = tts.synthesize(normalize(request.text, request.region), region=request.region, rate=request.rate)
    except (tts.SynthesisError, tts.UnknownVoice):
        return JSONResponse({"detail": "Hiện không đọc được nội dung này thành tiếng: bộ tổng hợp "
                                       "giọng nói đang gặp lỗi. Vui lòng thử lại sau.",
                             "code": "tts_unavailable"}, status_code=503)
    except ValueError:  # nothing left to say once normalised, e.g. only symbols
        return JSONResponse({"detail": "Nội dung không hợp lệ: không có chữ nào để đọc.",
                             "code": "nothing_to_say"}, status_code=422)
    return Response(wav, media_type="audio/wav")


class ReplyOut(BaseModel):
    text: str
    buttons: List[str]


class TurnOut(BaseModel):
    heard: str
    replies: List[ReplyOut]
    audio: str  # base64 WAV of the spoken reply (the first one; the others are for the screen)


NO_MODEL = ("Chưa cài mô hình nhận dạng tiếng nói tiếng Việt. Quản trị viên chạy `make speech-model` "
            "(cần Internet) hoặc tải vosk-model-small-vn-0.4, giải nén và đặt VOSK_MODEL_PATH "
            "trỏ tới thư mục đó, rồi khởi động lại.")


@router.post("/turn", response_model=TurnOut,
             responses={503: {"description": "no speech recognition model installed"}})
async def voice_turn(request: Request,
                     sender: str = Query("", max_length=100, description="the conversation"),
                     session: Session = Depends(get_session)) -> object:
    """A WAV recording of the citizen → what was heard, the bot's replies, the spoken answer."""
    try:
        robot = await run_in_threadpool(robot_for_api, session)
    except ModelMissing:
        return JSONResponse({"detail": NO_MODEL, "code": "asr_model_missing"}, status_code=503)
    turn = await run_in_threadpool(robot.turn, await request.body(), sender or f"voice-{uuid.uuid4().hex[:12]}")
    return TurnOut(heard=turn.heard, replies=[ReplyOut(**reply.__dict__) for reply in turn.replies],
                   audio=base64.b64encode(turn.audio).decode())


_robots: Dict[str, Robot] = {}


def robot_for_api(session: Session) -> Robot:
    """One robot per model folder and process: the model loads once (ModelMissing if there
    is none); its grammar holds the KB's procedure names as they were then."""
    path = get_settings().vosk_model_path
    if path not in _robots:
        model = load_model(path)
        names = procedure_names(p.dict() for p in repository.list_procedures(session))
        _robots[path] = Robot(VoskRecognizer(model, build_phrases(names)),
                              BotConnection(get_settings().rasa_url, get_settings().robot_token))
    return _robots[path]
