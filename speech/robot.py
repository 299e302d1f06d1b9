"""The lobby robot: hears a citizen, asks the bot, speaks the answer; announces queue calls.

It talks to the bot only over HTTP (the `robot` channel of the Rasa server) and hears
queue calls from the staff API's board stream (`/display/events`). The first bot message
of a turn is the spoken sentence; the others are details for the robot's screen.
One voice: conversation replies and announcements take turns, never overlap, and the
robot stops speaking when the citizen starts talking (barge-in).
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
import queue
import shutil
import subprocess
import sys
import threading
import time
import uuid
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import httpx

from procedure_kb.settings import get_settings
from procedure_kb.text import lower_first
from speech.asr import Recognizer, Utterance, VoskRecognizer
from speech.audio import AudioError, frames, is_speech, read_wav
from speech.normalize import normalize
from speech.tts import NoAudioDevice, Player, TtsSettings, shared_synthesizer

NOT_HEARD = "Dạ, em chưa nghe rõ. Anh/Chị nói lại giúp em ạ."
BOT_DOWN = ("Dạ, em xin lỗi, hệ thống đang bận. Anh/Chị vui lòng hỏi tại Quầy Hướng dẫn chung "
            "giúp em ạ.")
NO_MICROPHONE = "No microphone: install alsa-utils (arecord) and plug in a microphone"
CHUNK_SECONDS = 0.1
BARGE_IN_CHUNKS = 3  # this many speech chunks in a row while speaking stop the robot
DEVICE_RETRY_SECONDS = 5.0
log = logging.getLogger(__name__)


@dataclass
class Reply:
    text: str
    buttons: List[str] = field(default_factory=list)


@dataclass
class Turn:
    heard: str
    replies: List[Reply]
    spoken: str
    audio: bytes  # WAV of `spoken`


class BotUnreachable(RuntimeError):
    """The Rasa server did not answer."""


class BotConnection:
    """The bot's robot channel: POST /webhooks/robot/webhook."""

    def __init__(self, rasa_url: str, token: str = "", timeout: float = 15.0) -> None:
        """`token`: the channel's shared secret (setting `robot_token`), when it has one."""
        self._url = f"{rasa_url.rstrip('/')}/webhooks/robot/webhook"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(timeout=timeout, headers=headers)

    def ask(self, sender: str, text: str) -> List[Reply]:
        try:
            response = self._http.post(self._url, json={"sender": sender, "message": text})
            response.raise_for_status()
            return [Reply(m.get("text", ""), [b.get("title", "") for b in m.get("buttons", [])])
                    for m in response.json()]
        except (httpx.HTTPError, ValueError) as error:
            raise BotUnreachable(str(error)) from error


class Robot:
    """One turn: audio or text in, the bot's replies and the spoken answer (WAV) out."""

    def __init__(self, recognizer: Optional[Recognizer], bot: BotConnection,
                 voice: Optional[TtsSettings] = None) -> None:
        self.recognizer = recognizer
        self.bot = bot
        self.voice = voice or default_voice()

    def turn(self, wav: bytes, sender: str) -> Turn:
        """File mode: a WAV recording of the citizen → the bot's answer."""
        try:
            pcm = read_wav(wav).pcm
        except AudioError as error:
            return self.say_only(audio_problem(error))
        return self.answer(self.hear(pcm).text, sender)

    def hear(self, pcm: bytes) -> Utterance:
        if self.recognizer is None:
            raise RuntimeError("no speech recogniser")
        return self.recognizer.transcribe(pcm)

    def answer(self, heard: str, sender: str) -> Turn:
        heard = heard.strip()
        if not heard:
            return self.say_only(NOT_HEARD)
        try:
            replies = self.bot.ask(sender, heard)
        except BotUnreachable:
            log.warning("The bot did not answer; apologising to the citizen")
            return self.say_only(BOT_DOWN, heard)
        spoken = replies[0].text if replies else ""
        return Turn(heard, replies, spoken, self.speak(spoken) if spoken else b"")

    def say_only(self, text: str, heard: str = "") -> Turn:
        return Turn(heard, [Reply(text)], text, self.speak(text))

    def speak(self, text: str) -> bytes:
        return shared_synthesizer().synthesize(normalize(text, self.voice.region), self.voice)


def audio_problem(error: AudioError) -> str:
    """'Không nghe thấy tiếng nói: …' → a polite sentence asking to try again."""
    return f"Dạ, em xin lỗi, {lower_first(str(error)).rstrip('.')}. Anh/Chị nói lại giúp em ạ."


def default_voice() -> TtsSettings:
    settings = get_settings()
    return TtsSettings(region=settings.tts_region, female=settings.tts_female,
                       rate=settings.tts_rate, volume=settings.tts_volume)


class Speaker:
    """The robot's one voice: queue announcements wait while a conversation turn runs."""

    def __init__(self, player: Player) -> None:
        self.player = player
        self._voice = threading.Lock()
        self._in_conversation = threading.Event()
        self._waiting: "queue.Queue[bytes]" = queue.Queue()

    @contextmanager
    def conversation(self) -> Iterator[None]:
        """While the citizen speaks and is answered, announcements are held back."""
        self._in_conversation.set()
        try:
            yield
        finally:
            self._in_conversation.clear()
            self._say_waiting()

    def say(self, wav: bytes) -> None:
        with self._voice:
            self.player.play(wav)

    def announce(self, wav: bytes) -> None:
        """Now if nobody is talking to the robot, else right after the conversation turn."""
        self._waiting.put(wav)
        if not self._in_conversation.is_set():
            self._say_waiting()

    def _say_waiting(self) -> None:
        while True:
            try:
                wav = self._waiting.get_nowait()
            except queue.Empty:
                return
            self.say(wav)


class AudioSource(ABC):
    """16 kHz mono 16-bit PCM in chunks of CHUNK_SECONDS."""

    endless = True  # a microphone: when its audio stops, that is a device error

    @abstractmethod
    def chunks(self) -> Iterator[bytes]:
        """Audio as it comes; ends when the source is closed or exhausted."""


class Microphone(AudioSource):
    """The default ALSA capture device, through `arecord`."""

    def chunks(self) -> Iterator[bytes]:
        if shutil.which("arecord") is None:
            raise NoAudioDevice(NO_MICROPHONE)
        command = ["arecord", "-q", "-f", "S16_LE", "-r", "16000", "-c", "1", "-t", "raw"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        size = int(16000 * 2 * CHUNK_SECONDS)
        try:
            while True:
                chunk = process.stdout.read(size) if process.stdout else b""
                if not chunk:
                    problem = process.stderr.read().decode(errors="replace") if process.stderr else ""
                    raise NoAudioDevice(f"The microphone stopped: {problem.strip() or 'unplugged?'}")
                yield chunk
        finally:
            process.terminate()


class RecordedAudio(AudioSource):
    """A recording played in as if live (for tests and robots whose audio lives elsewhere)."""

    endless = False

    def __init__(self, pcm: bytes) -> None:
        self._pcm = pcm

    def chunks(self) -> Iterator[bytes]:
        yield from frames(self._pcm, CHUNK_SECONDS)


class LiveLoop:
    """Microphone → ASR → bot → TTS → speaker, until stopped; audio errors never end it."""

    def __init__(self, robot: Robot, source: AudioSource, speaker: Speaker, sender: str = "",
                 wait_for_turn: Optional[Callable[[], None]] = None) -> None:
        """`wait_for_turn`: push-to-talk (returns when the button is pressed); None listens always."""
        self.robot = robot
        self.source = source
        self.speaker = speaker
        self.sender = sender or f"robot-{uuid.uuid4().hex[:8]}"
        self.wait_for_turn = wait_for_turn
        self.turns: List[Turn] = []
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen_and_answer(self.source.chunks())
                if not self.source.endless:
                    return
            except NoAudioDevice as error:
                log.error("%s; trying again in %.0f s", error, DEVICE_RETRY_SECONDS)
                self._stop.wait(DEVICE_RETRY_SECONDS)

    def _listen_and_answer(self, audio: Iterator[bytes]) -> None:
        """Turns from one audio stream until it ends."""
        pending: List[bytes] = []
        while not self._stop.is_set():
            if self.wait_for_turn is not None and not pending:
                self.wait_for_turn()
            utterance = self._next_utterance(audio, pending)
            if utterance is None:
                return
            with self.speaker.conversation():
                turn = self.robot.answer(utterance.text, self.sender)
                self.turns.append(turn)
                pending = self._speak_unless_interrupted(turn.audio, audio)

    def _next_utterance(self, audio: Iterator[bytes], pending: List[bytes]) -> Optional[Utterance]:
        """The next thing said (starting with speech that interrupted the robot, if any)."""
        assert self.robot.recognizer is not None
        stream = self.robot.recognizer.stream()
        heard_speech = bool(pending)
        for chunk in itertools.chain(pending, audio):
            heard_speech = heard_speech or is_speech(chunk)
            if not heard_speech and self.wait_for_turn is None:
                continue  # always listening: wait for someone to speak
            result = stream.feed(chunk)
            if isinstance(result, Utterance):
                return result
            if self._stop.is_set():
                return None
        return stream.finish() if heard_speech else None

    def _speak_unless_interrupted(self, wav: bytes, audio: Iterator[bytes]) -> List[bytes]:
        """Speak; if the citizen talks meanwhile, stop and return what they said so far."""
        if not wav:
            return []
        speaking = threading.Thread(target=self._say_safely, args=(wav,), daemon=True)
        speaking.start()
        heard: List[bytes] = []
        while speaking.is_alive():
            chunk = next(audio, b"")
            if not chunk:
                break
            heard = heard + [chunk] if is_speech(chunk) else []
            if len(heard) >= BARGE_IN_CHUNKS:
                self.speaker.player.stop()
                break
        speaking.join()
        return heard if len(heard) >= BARGE_IN_CHUNKS else []

    def _say_safely(self, wav: bytes) -> None:
        try:
            self.speaker.say(wav)
        except NoAudioDevice as error:
            log.error("Cannot speak: %s", error)


class Announcer:
    """Speaks each queue call the staff make, from the API's board stream."""

    def __init__(self, api_url: str, robot: Robot, speaker: Speaker) -> None:
        self._url = f"{api_url.rstrip('/')}/display/events"
        self._robot = robot
        self._speaker = speaker
        self._last_call: Optional[str] = None

    def on_board(self, board: dict) -> None:
        """Announce when the board's last call changed (a call or a recall)."""
        call, text = board.get("last_call"), board.get("announcement")
        first = self._last_call is None
        if call and call != self._last_call:
            self._last_call = call
            if text and not first:  # the board at start-up is not a new call
                self._speaker.announce(self._robot.speak(text))
        elif not call:
            self._last_call = ""

    def run(self) -> None:
        while True:
            try:
                with httpx.stream("GET", self._url, timeout=None) as events:
                    for line in events.iter_lines():
                        if line.startswith("data: "):
                            self.on_board(json.loads(line[len("data: "):]))
            except (httpx.HTTPError, ValueError) as error:
                log.warning("Board stream interrupted (%s); reconnecting", error)
                time.sleep(DEVICE_RETRY_SECONDS)


def main(argv: Optional[List[str]] = None) -> int:
    """`python -m speech.robot turn IN.wav OUT.wav` or `python -m speech.robot live`."""
    parser = argparse.ArgumentParser(prog="python -m speech.robot", description=main.__doc__)
    sub = parser.add_subparsers(dest="mode", required=True)
    file_mode = sub.add_parser("turn", help="one turn from a WAV file")
    file_mode.add_argument("wav_in", type=Path)
    file_mode.add_argument("wav_out", type=Path)
    file_mode.add_argument("--sender", default=f"robot-file-{uuid.uuid4().hex[:8]}")
    live = sub.add_parser("live", help="microphone and speaker")
    live.add_argument("--push-to-talk", action="store_true", help="press Enter before speaking")
    live.add_argument("--api-url", default="http://127.0.0.1:8000", help="for queue announcements")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    settings = get_settings()
    robot = Robot(VoskRecognizer.from_settings(), BotConnection(settings.rasa_url, settings.robot_token))
    if args.mode == "turn":
        turn = robot.turn(args.wav_in.read_bytes(), args.sender)
        args.wav_out.write_bytes(turn.audio)
        print(json.dumps({"heard": turn.heard, "replies": [r.text for r in turn.replies]},
                         ensure_ascii=False, indent=2))
        return 0
    speaker = Speaker(Player())
    threading.Thread(target=Announcer(args.api_url, robot, speaker).run, daemon=True).start()
    LiveLoop(robot, Microphone(), speaker,
             wait_for_turn=(lambda: input("Nhấn Enter rồi nói… ")) if args.push_to_talk else None).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
