"""Text to speech (speech/tts.py): pyttsx3 over espeak-ng, headless, and POST /api/speech/tts."""
from __future__ import annotations

import audioop
import io
import re
import shutil
import wave
from pathlib import Path
from typing import FrozenSet, Iterator, List

import pytest
from fastapi.testclient import TestClient

from speech import tts
from speech.tts import (
    CacheInfo,
    NoAudioDevice,
    SynthesisError,
    Synthesizer,
    TtsSettings,
    UnknownVoice,
)
from tests.conftest import api_client

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (apt-get install espeak-ng)"
)

SENTENCE = "Mời ông bà mang căn cước công dân đến quầy số ba để nộp hồ sơ khai sinh."
# RMS of a 16-bit signal below which it counts as silence; espeak-ng speech is ~3000-4000.
SILENCE_RMS = 500
# Seconds per syllable, as a share of the nominal 60/rate: espeak-ng measures 0.56-0.93
# for sentences of 9+ syllables, with pauses at commas and the end.
SYLLABLE_SHARE = (0.4, 1.5)


def samples(wav: bytes) -> bytes:
    with wave.open(io.BytesIO(wav)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        return reader.readframes(reader.getnframes())


def rms(wav: bytes) -> float:
    return audioop.rms(samples(wav), 2)


def zero_crossings_per_second(wav: bytes) -> float:
    """A stdlib proxy for pitch: higher voices cross zero more often."""
    return audioop.cross(samples(wav), 2) / tts.wav_duration(wav)


def syllables(text: str) -> int:
    """Vietnamese writes one syllable per space-separated word."""
    return len(re.findall(r"\w+", text))


def silent_wav(seconds: float = 0.1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(22050)
        writer.writeframes(b"\0\0" * int(22050 * seconds))
    return buffer.getvalue()


class CountingEngine:
    """The real engine, counting the syntheses that reach espeak-ng."""

    def __init__(self) -> None:
        self.engine = tts.espeak_engine()
        self.rendered: List[str] = []

    @property
    def voices(self) -> List[tts.VoiceInfo]:
        return self.engine.voices

    @property
    def voice_ids(self) -> FrozenSet[str]:
        return self.engine.voice_ids

    def render(self, text: str, voice_id: str, rate: int, volume: float) -> bytes:
        self.rendered.append(text)
        return self.engine.render(text, voice_id, rate, volume)


@pytest.fixture(scope="module")
def synthesizer() -> Synthesizer:
    return Synthesizer(cache_size=0)


@needs_espeak
def test_espeak_reports_the_three_vietnamese_voices(synthesizer: Synthesizer) -> None:
    assert {voice.id for voice in synthesizer.voices()} >= set(tts.REGION_VOICES.values())


@needs_espeak
@pytest.mark.parametrize("region", ["bac", "trung", "nam"])
def test_each_region_speaks_audibly_for_a_plausible_time(synthesizer: Synthesizer, region: str) -> None:
    settings = TtsSettings(region=region, rate=160)
    wav = synthesizer.synthesize(SENTENCE, settings)

    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert rms(wav) > SILENCE_RMS
    nominal = syllables(SENTENCE) * 60 / settings.rate
    low, high = SYLLABLE_SHARE
    assert low * nominal <= tts.wav_duration(wav) <= high * nominal


@needs_espeak
def test_the_regional_voices_sound_different(synthesizer: Synthesizer) -> None:
    wavs = {region: synthesizer.synthesize(SENTENCE, TtsSettings(region=region)) for region in tts.REGION_VOICES}
    assert len(set(wavs.values())) == 3


@needs_espeak
@pytest.mark.parametrize("region", ["bac", "nam"])
def test_the_female_variant_speaks_higher(synthesizer: Synthesizer, region: str) -> None:
    default = synthesizer.synthesize(SENTENCE, TtsSettings(region=region))
    female = synthesizer.synthesize(SENTENCE, TtsSettings(region=region, female=True))

    assert female != default
    assert rms(female) > SILENCE_RMS
    assert zero_crossings_per_second(female) > 1.2 * zero_crossings_per_second(default)


@needs_espeak
def test_slow_mode_and_lower_rate_speak_longer(synthesizer: Synthesizer) -> None:
    normal = tts.wav_duration(synthesizer.synthesize(SENTENCE, TtsSettings(rate=160)))
    slow = tts.wav_duration(synthesizer.synthesize(SENTENCE, TtsSettings(rate=160, slow=True)))
    fast = tts.wav_duration(synthesizer.synthesize(SENTENCE, TtsSettings(rate=240)))

    assert slow > 1.2 * normal
    assert fast < 0.85 * normal


@needs_espeak
def test_settings_apply_to_the_very_next_sentence(synthesizer: Synthesizer) -> None:
    """espeak-ng's queue once let a change of rate arrive one sentence late."""
    durations = {}
    for rate in (80, 400, 80, 400):
        durations.setdefault(rate, []).append(
            tts.wav_duration(synthesizer.synthesize(SENTENCE, TtsSettings(rate=rate))))
    assert min(durations[80]) > 2 * max(durations[400])


@needs_espeak
def test_volume_scales_the_signal(synthesizer: Synthesizer) -> None:
    loud = rms(synthesizer.synthesize(SENTENCE, TtsSettings(volume=1.0)))
    quiet = rms(synthesizer.synthesize(SENTENCE, TtsSettings(volume=0.3)))
    assert 0.2 * loud < quiet < 0.45 * loud


@needs_espeak
def test_a_voice_espeak_does_not_have_is_an_error() -> None:
    bogus = Synthesizer(region_voices={**tts.REGION_VOICES, "bac": "aav/vi-bogus"})
    with pytest.raises(UnknownVoice, match="vi-bogus"):
        bogus.synthesize("Xin chào", TtsSettings(region="bac"))


def test_an_unknown_region_or_bad_settings_are_refused() -> None:
    with pytest.raises(UnknownVoice, match="hue"):
        TtsSettings(region="hue")
    with pytest.raises(ValueError):
        TtsSettings(rate=20)
    with pytest.raises(ValueError):
        TtsSettings(volume=1.5)


@needs_espeak
@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_refused(synthesizer: Synthesizer, text: str) -> None:
    with pytest.raises(ValueError):
        synthesizer.synthesize(text)


@needs_espeak
def test_the_cache_returns_the_same_bytes_without_synthesising_again() -> None:
    engine = CountingEngine()
    cached = Synthesizer(cache_size=2, engine=engine)

    first = cached.synthesize("Xin chào quý khách")
    again = cached.synthesize("Xin chào quý khách")
    assert again == first
    assert engine.rendered == ["Xin chào quý khách"]
    assert cached.cache_info() == CacheInfo(hits=1, misses=1, size=1, max_size=2)

    cached.synthesize("Xin chào quý khách", TtsSettings(female=True))
    assert len(engine.rendered) == 2  # another voice is another entry


@needs_espeak
def test_the_cache_is_bounded_and_forgets_the_least_recent() -> None:
    engine = CountingEngine()
    cached = Synthesizer(cache_size=2, engine=engine)
    cached.warm(["Một", "Hai"])
    cached.synthesize("Một")  # "Hai" is now the least recent
    cached.synthesize("Ba")

    cached.synthesize("Một")
    cached.synthesize("Hai")
    assert engine.rendered == ["Một", "Hai", "Ba", "Hai"]
    assert cached.cache_info().size == 2


@needs_espeak
def test_the_module_level_synthesize_uses_the_shared_synthesizer() -> None:
    wav = tts.synthesize("Xin chào", region="trung", slow=True)
    assert wav[:4] == b"RIFF" and rms(wav) > SILENCE_RMS
    assert tts.synthesize("Xin chào", region="trung", slow=True) == wav  # from the cache


def test_play_without_any_player_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NoAudioDevice, match="aplay"):
        tts.play(silent_wav())


def test_play_reports_a_missing_sound_card(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_aplay(tmp_path, 'echo "aplay: main:831: audio open error: No such file or directory" >&2; exit 1')
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(NoAudioDevice, match="audio open error"):
        tts.play(silent_wav())


def test_play_hands_the_wav_to_the_player(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_aplay(tmp_path, f'cat "$2" > "{tmp_path / "played.wav"}"')
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    wav = silent_wav()
    tts.play(wav)
    assert (tmp_path / "played.wav").read_bytes() == wav


def fake_aplay(directory: Path, body: str) -> None:
    script = directory / "aplay"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)


@pytest.fixture()
def client(database_url: str) -> Iterator[TestClient]:
    with api_client(database_url) as test_client:
        yield test_client


@needs_espeak
def test_the_api_speaks_normalised_text_as_wav(client: TestClient) -> None:
    response = client.post("/api/speech/tts", json={"text": "Quầy số 3 mở lúc 7h30.", "region": "nam"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/wav"
    assert response.content[:4] == b"RIFF" and response.content[8:12] == b"WAVE"
    assert rms(response.content) > SILENCE_RMS


@needs_espeak
def test_the_api_rate_changes_the_length(client: TestClient) -> None:
    slow = client.post("/api/speech/tts", json={"text": SENTENCE, "region": "bac", "rate": 100})
    fast = client.post("/api/speech/tts", json={"text": SENTENCE, "region": "bac", "rate": 300})
    assert tts.wav_duration(slow.content) > 2 * tts.wav_duration(fast.content)


@pytest.mark.parametrize("body", [
    {"text": "", "region": "bac"},
    {"text": "   ", "region": "bac"},
    {"text": "a" * 2001, "region": "bac"},
    {"text": "Xin chào", "region": "hue"},
    {"text": "Xin chào", "region": "bac", "rate": 79},
    {"text": "Xin chào", "region": "bac", "rate": 401},
    {"region": "bac"},
    {"text": "Xin chào"},
])
def test_the_api_refuses_bad_requests(client: TestClient, body: dict) -> None:
    response = client.post("/api/speech/tts", json=body)
    assert response.status_code == 422
    assert "không hợp lệ" in response.json()["detail"]


@needs_espeak
def test_the_api_refuses_text_with_nothing_to_say(client: TestClient) -> None:
    response = client.post("/api/speech/tts", json={"text": "**", "region": "bac"})
    assert response.status_code == 422
    assert response.json()["code"] == "nothing_to_say"


def test_the_api_answers_503_when_synthesis_fails(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise SynthesisError("espeak-ng is not available")

    monkeypatch.setattr(tts, "synthesize", broken)
    response = client.post("/api/speech/tts", json={"text": "Xin chào", "region": "bac"})
    assert response.status_code == 503
    assert "đọc" in response.json()["detail"]
