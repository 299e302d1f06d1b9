"""Speech for the lobby robot: the words it speaks for a reply."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, conint, constr

from speech import tts
from speech.normalize import REGIONS, Region, normalize

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
