"""The lobby robot: WAV in → the running bot → spoken answer out; announcements take turns
with conversations; barge-in; audio problems answered politely; POST /api/speech/turn.

Recognition runs on the small Korean Vosk model (the Vietnamese one is not on any
registry), so the citizen speaks Korean here: the point is the real path, end to end."""
import base64
import io
import shutil
import threading
import wave

import pytest

from procedure_kb.settings import get_settings
from scripts.speech_samples import KOREAN_PHRASES, espeak_pcm, korean_model_path
from speech.asr import VoskRecognizer, load_model
from speech.robot import (
    BOT_DOWN,
    Announcer,
    BotConnection,
    LiveLoop,
    RecordedAudio,
    Robot,
    Speaker,
)
from speech.tts import Player
from tests.conftest import ROBOT_TOKEN, api_client, seeded_database

pytestmark = [pytest.mark.stack,
              pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")]


def as_wav(pcm: bytes, rate: int = 16000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def seconds_of(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as reader:
        return reader.getnframes() / reader.getframerate()


class RecordingPlayer(Player):
    """Stands in for the sound card: keeps what was played, can be interrupted."""

    def __init__(self, seconds: float = 0.3) -> None:
        super().__init__()
        self.seconds, self.played, self.interrupted = seconds, [], 0
        self._stopped = threading.Event()

    def play(self, wav: bytes) -> None:
        self.played.append(wav)
        self._stopped.clear()
        if self._stopped.wait(self.seconds):
            self.interrupted += 1

    def stop(self) -> None:
        self._stopped.set()


@pytest.fixture(scope="module")
def recognizer():
    return VoskRecognizer(load_model(str(korean_model_path())), KOREAN_PHRASES)


@pytest.fixture()
def robot(stack, recognizer):
    return Robot(recognizer, BotConnection(stack.rasa_url, ROBOT_TOKEN))


def test_a_voice_turn_through_the_running_bot(robot):
    turn = robot.turn(as_wav(espeak_pcm("안녕하세요")), "robot-test-1")
    assert turn.heard == "안녕하세요"
    assert turn.replies and turn.spoken == turn.replies[0].text and turn.spoken.startswith("Dạ")
    assert seconds_of(turn.audio) > 1.0


@pytest.mark.parametrize("wav, said", [
    (as_wav(bytes(32000)), "không nghe thấy tiếng nói"),
    (b"RIFF-not-really", "không phải âm thanh WAV"),
])
def test_unusable_audio_gets_a_polite_answer_without_asking_the_bot(recognizer, wav, said):
    turn = Robot(recognizer, BotConnection("http://127.0.0.1:9")).turn(wav, "robot-test-2")
    assert said in turn.spoken and turn.spoken.startswith("Dạ, em xin lỗi") and BOT_DOWN not in turn.spoken
    assert seconds_of(turn.audio) > 1.0


def test_the_bot_being_down_is_apologised_for(recognizer):
    turn = Robot(recognizer, BotConnection("http://127.0.0.1:9")).turn(as_wav(espeak_pcm("감사합니다")), "x")
    assert turn.heard == "감사합니다" and turn.spoken == BOT_DOWN


def test_announcements_wait_for_the_conversation_turn(robot):
    player = RecordingPlayer(seconds=0.01)
    speaker, reply, call = Speaker(player), robot.speak("Dạ, em chào Anh/Chị ạ."), robot.speak("Mời số A015")
    announcer = Announcer("http://unused", robot, speaker)
    second_call = {"last_call": "A015@2@09:01", "announcement": "Mời công dân có số thứ tự A015 đến quầy số 2"}
    announcer.on_board({"last_call": "A014@1@09:00", "announcement": "Mời công dân có số A014"})
    assert player.played == []  # the board as it was at start-up is not a new call
    with speaker.conversation():
        announcer.on_board(second_call)
        assert player.played == []
        speaker.say(reply)
    assert player.played[0] == reply and len(player.played) == 2
    announcer.on_board(second_call)
    speaker.announce(call)
    assert len(player.played) == 3  # the same call is not repeated; a new one is said at once


def test_live_loop_answers_each_utterance_and_stops_talking_when_interrupted(robot):
    player = RecordingPlayer(seconds=5.0)  # a long answer: the citizen talks over it
    audio = espeak_pcm("안녕하세요") + bytes(16000 * 2 * 2) + espeak_pcm("감사합니다") + bytes(16000 * 2 * 2)
    loop = LiveLoop(robot, RecordedAudio(audio), Speaker(player), sender="robot-live-test")
    finished = threading.Thread(target=loop.run)
    finished.start()
    finished.join(timeout=60)
    assert not finished.is_alive()
    assert [turn.heard for turn in loop.turns] == ["안녕하세요", "감사합니다"]
    assert player.interrupted >= 1


def test_turn_api_without_a_model_says_how_to_install_one(tmp_path, monkeypatch):
    monkeypatch.setenv("VOSK_MODEL_PATH", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    from procedure_kb.api.routers import speech as speech_router
    speech_router._robots.clear()
    try:
        with api_client(seeded_database(tmp_path)) as client:
            answer = client.post("/api/speech/turn", content=as_wav(espeak_pcm("안녕하세요")))
    finally:
        get_settings.cache_clear()
    assert answer.status_code == 503 and "make speech-model" in answer.json()["detail"]


def test_turn_api_end_to_end(stack, tmp_path, monkeypatch):
    monkeypatch.setenv("VOSK_MODEL_PATH", str(korean_model_path()))
    monkeypatch.setenv("LETAN_RASA_URL", stack.rasa_url)
    get_settings.cache_clear()
    from procedure_kb.api.routers import speech as speech_router
    speech_router._robots.clear()
    try:
        with api_client(stack.database_url) as client:
            answer = client.post("/api/speech/turn", params={"sender": "api-voice"},
                                 content=as_wav(espeak_pcm("안녕하세요")))
    finally:
        get_settings.cache_clear()
        speech_router._robots.clear()
    body = answer.json()
    assert answer.status_code == 200 and body["heard"]
    assert body["replies"][0]["text"].startswith("Dạ")
    assert base64.b64decode(body["audio"])[:4] == b"RIFF"
