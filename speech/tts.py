"""Text to speech for the lobby robot: pyttsx3 over espeak-ng, headless, to WAV bytes.

espeak-ng has three Vietnamese voices. `espeak-ng --voices=vi` names them by language
(vi, vi-vn-x-central, vi-vn-x-south); pyttsx3's espeak driver lists them by file
identifier, which is what this module uses: northern `aav/vi`, central
`aav/vi-vn-x-central`, southern `aav/vi-vn-x-south`. The female-sounding voice is the same
voice with espeak-ng's `f3` variant appended (`aav/vi+f3`): the driver hands the id to
`espeak_SetVoiceByName`, which understands `+variant`.

What pyttsx3 2.99's espeak driver does, and how this module copes:
- espeak-ng is initialised once per process and pyttsx3 keeps one engine per driver, so
  there is one `EspeakEngine` per process, used under a lock (pyttsx3 is not thread-safe).
- An unknown voice id is silently ignored (the previous voice keeps speaking), so ids are
  checked against the voices espeak-ng reports first (`UnknownVoice`).
- `save_to_file` + `runAndWait` synthesise in espeak-ng's retrieval mode: no display, no
  sound card. A sentence takes about 10 ms, mostly the driver's 10 ms polling sleep.
- Settings reach espeak-ng through its asynchronous command queue, and `runAndWait` first
  calls the driver's `stop()`, which cancels whatever is still queued: espeak-ng then
  restores the previous utterance's rate and volume, and the next utterance is cancelled
  too (no file at all). So before each `runAndWait` the engine waits until espeak-ng's
  queue is empty (through pyttsx3's own binding, `pyttsx3.drivers._espeak.IsPlaying`), and
  checks that the voice, rate and volume were taken. For the same reason it runs one empty
  loop when created: the driver's first run otherwise returns before the audio is written.
- The driver prints "Audio saved to ..." on every file, so stdout is silenced while it runs.
- espeak-ng keeps some pitch state between utterances: the same text twice gives slightly
  different bytes, hence the cache for phrases said again and again.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import (
    FrozenSet,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Tuple,
)

import pyttsx3
from pyttsx3.voice import Voice as Pyttsx3Voice

from procedure_kb.settings import get_settings

REGION_VOICES: Mapping[str, str] = {
    "bac": "aav/vi",
    "trung": "aav/vi-vn-x-central",
    "nam": "aav/vi-vn-x-south",
}
FEMALE_VARIANT = "f3"
# espeak-ng's speaking-rate range, in words per minute; it clamps values outside it.
MIN_RATE, MAX_RATE = 80, 450
SLOW_FACTOR = 0.75
# Players tried in order by `play`, with the options that keep them quiet.
AUDIO_PLAYERS: Tuple[Tuple[str, ...], ...] = (("aplay", "-q"), ("paplay",))
PLAYBACK_MARGIN_SECONDS = 10.0
# How long espeak-ng's command queue may take to empty before a synthesis counts as failed.
ESPEAK_IDLE_TIMEOUT_SECONDS = 2.0


class UnknownVoice(ValueError):
    """A region or voice id that espeak-ng does not have."""


class SynthesisError(RuntimeError):
    """espeak-ng (through pyttsx3) could not produce audio."""


class NoAudioDevice(RuntimeError):
    """No audio player or no sound device: the robot keeps running, silently."""


@dataclass(frozen=True)
class TtsSettings:
    """How to speak: regional voice (bac, trung, nam), female variant, rate, volume, slow mode."""

    region: str = "bac"
    female: bool = False
    rate: int = 160  # words per minute
    volume: float = 1.0  # 0..1
    slow: bool = False  # for elderly listeners: rate x SLOW_FACTOR

    def __post_init__(self) -> None:
        if self.region not in REGION_VOICES:
            raise UnknownVoice(f"Unknown region {self.region!r}: expected one of {', '.join(REGION_VOICES)}")
        if not MIN_RATE <= self.rate <= MAX_RATE:
            raise ValueError(f"Rate {self.rate} is outside espeak-ng's {MIN_RATE}..{MAX_RATE} words per minute")
        if not 0.0 <= self.volume <= 1.0:
            raise ValueError(f"Volume {self.volume} is outside 0..1")

    @property
    def effective_rate(self) -> int:
        """The rate spoken at: slowed down in slow mode, never below espeak-ng's minimum."""
        return max(MIN_RATE, round(self.rate * SLOW_FACTOR)) if self.slow else self.rate


@dataclass(frozen=True)
class VoiceInfo:
    """A voice espeak-ng reports: its id for pyttsx3, display name and language."""

    id: str
    name: str
    language: str


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    size: int
    max_size: int


class SpeechEngine(Protocol):
    """What a Synthesizer needs from an engine (the espeak one, or a wrapper around it)."""

    @property
    def voices(self) -> List[VoiceInfo]: ...

    @property
    def voice_ids(self) -> FrozenSet[str]: ...

    def render(self, text: str, voice_id: str, rate: int, volume: float) -> bytes: ...


class EspeakEngine:
    """The process's pyttsx3 espeak engine: renders text to WAV bytes, one call at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._errors: List[Exception] = []
        try:
            self._engine = pyttsx3.init("espeak")
        except (OSError, RuntimeError) as error:
            raise SynthesisError(f"espeak-ng is not available: {error}") from error
        from pyttsx3.drivers import (
            _espeak,  # loadable only once espeak-ng is known to be there
        )

        self._espeak = _espeak
        self._engine.connect("error", self._record_error)
        self._voices = [_voice_info(voice) for voice in self._engine.getProperty("voices")]
        self._voice_ids = frozenset(voice.id for voice in self._voices)
        self._wait_until_idle()
        self._engine.runAndWait()  # settles the driver's start-up state (see module docstring)

    @property
    def voices(self) -> List[VoiceInfo]:
        return list(self._voices)

    @property
    def voice_ids(self) -> FrozenSet[str]:
        return self._voice_ids

    def render(self, text: str, voice_id: str, rate: int, volume: float) -> bytes:
        """16-bit mono WAV (22050 Hz) of `text`; `voice_id` must be checked beforehand."""
        with self._lock, tempfile.TemporaryDirectory(prefix="letan-tts-") as directory:
            path = Path(directory) / "speech.wav"
            self._errors.clear()
            self._apply(voice_id, rate, volume)
            self._engine.save_to_file(text, str(path))
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    self._engine.runAndWait()
            except Exception as error:  # whatever the driver raises, the caller sees one error
                raise SynthesisError(f"espeak-ng failed: {error}") from error
            if self._errors:
                raise SynthesisError(f"espeak-ng failed: {self._errors[0]}")
            if not path.exists() or path.stat().st_size <= 44:
                raise SynthesisError("espeak-ng produced no audio")
            return path.read_bytes()

    def _apply(self, voice_id: str, rate: int, volume: float) -> None:
        """Set voice, rate and volume, and check espeak-ng took them before synthesising."""
        self._engine.setProperty("voice", voice_id)
        self._engine.setProperty("rate", rate)
        self._engine.setProperty("volume", volume)
        self._wait_until_idle()
        taken = (self._engine.getProperty("voice"), self._engine.getProperty("rate"),
                 self._engine.getProperty("volume"))
        if taken[:2] != (voice_id, rate) or abs(taken[2] - volume) > 0.01:  # volume is in %
            raise SynthesisError(f"espeak-ng did not take voice {voice_id!r}, rate {rate}, "
                                 f"volume {volume}: it has {taken}")

    def _wait_until_idle(self) -> None:
        deadline = time.monotonic() + ESPEAK_IDLE_TIMEOUT_SECONDS
        while self._espeak.IsPlaying():
            if time.monotonic() > deadline:
                raise SynthesisError("espeak-ng's command queue did not empty")
            time.sleep(0.0005)

    def _record_error(self, name: Optional[str], exception: Exception) -> None:
        self._errors.append(exception)


def _voice_info(voice: Pyttsx3Voice) -> VoiceInfo:
    return VoiceInfo(id=voice.id, name=voice.name, language=(voice.languages or [""])[0])


@lru_cache(maxsize=1)
def espeak_engine() -> EspeakEngine:
    """The one engine of this process (espeak-ng cannot be initialised twice)."""
    return EspeakEngine()


class Synthesizer:
    """Checked voices, settings and an LRU cache of WAV bytes in front of the espeak engine."""

    def __init__(self, region_voices: Mapping[str, str] = REGION_VOICES, cache_size: int = 256,
                 engine: Optional[SpeechEngine] = None) -> None:
        self._region_voices = dict(region_voices)
        self._engine = engine or espeak_engine()
        self._cache: "OrderedDict[Tuple[str, str, int, float], bytes]" = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._hits = self._misses = 0

    def voices(self, language: str = "vi") -> List[VoiceInfo]:
        """The voices espeak-ng reports whose language starts with `language` ("" for all)."""
        return [voice for voice in self._engine.voices if voice.language.startswith(language)]

    def voice_id(self, settings: TtsSettings) -> str:
        """The espeak-ng voice id for these settings; `UnknownVoice` when espeak-ng lacks it."""
        base = self._region_voices.get(settings.region)
        if base not in self._engine.voice_ids:
            raise UnknownVoice(
                f"espeak-ng has no voice {base!r} for region {settings.region!r}; "
                "`espeak-ng --voices=vi` lists the Vietnamese ones"
            )
        return f"{base}+{FEMALE_VARIANT}" if settings.female else base

    def synthesize(self, text: str, settings: TtsSettings = TtsSettings()) -> bytes:
        """The WAV bytes of `text`, spoken as given (normalise it first)."""
        if not text.strip():
            raise ValueError("Nothing to say: the text is empty")
        key = (text, self.voice_id(settings), settings.effective_rate, settings.volume)
        cached = self._cached(key)
        if cached is not None:
            return cached
        wav = self._engine.render(*key)
        self._store(key, wav)
        return wav

    def warm(self, phrases: Iterable[str], settings: TtsSettings = TtsSettings()) -> None:
        """Synthesise phrases said again and again (greetings, announcements) into the cache."""
        for phrase in phrases:
            self.synthesize(phrase, settings)

    def cache_info(self) -> CacheInfo:
        with self._cache_lock:
            return CacheInfo(self._hits, self._misses, len(self._cache), self._cache_size)

    def _cached(self, key: Tuple[str, str, int, float]) -> Optional[bytes]:
        with self._cache_lock:
            wav = self._cache.get(key)
            if wav is None:
                self._misses += 1
                return None
            self._hits += 1
            self._cache.move_to_end(key)
            return wav

    def _store(self, key: Tuple[str, str, int, float], wav: bytes) -> None:
        with self._cache_lock:
            self._cache[key] = wav
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


@lru_cache(maxsize=1)
def shared_synthesizer() -> Synthesizer:
    """The Synthesizer the module-level `synthesize` and the API use."""
    return Synthesizer(cache_size=get_settings().tts_cache_size)


def synthesize(text: str, region: Optional[str] = None, rate: Optional[int] = None,
               female: Optional[bool] = None, slow: bool = False) -> bytes:
    """WAV bytes of `text`; region, rate, female voice and volume default to the LETAN_TTS_* settings."""
    config = get_settings()
    settings = TtsSettings(
        region=region or config.tts_region,
        female=config.tts_female if female is None else female,
        rate=rate or config.tts_rate,
        volume=config.tts_volume,
        slow=slow,
    )
    return shared_synthesizer().synthesize(text, settings)


def wav_duration(wav: bytes) -> float:
    """Length of a WAV in seconds."""
    with wave.open(io.BytesIO(wav)) as reader:
        return reader.getnframes() / reader.getframerate()


class Player:
    """Plays WAV bytes with the first audio player found; `stop()` (barge-in) interrupts it
    from another thread. `NoAudioDevice` when nothing can play."""

    STOPPED = -15  # the player's exit status after stop() (SIGTERM)

    def __init__(self) -> None:
        self._process: Optional[subprocess.Popen] = None

    def play(self, wav: bytes) -> None:
        player = next((command for command in AUDIO_PLAYERS if shutil.which(command[0])), None)
        if player is None:
            names = ", ".join(command[0] for command in AUDIO_PLAYERS)
            raise NoAudioDevice(f"No audio player found ({names}): install alsa-utils for aplay")
        with tempfile.NamedTemporaryFile(suffix=".wav") as file:
            file.write(wav)
            file.flush()
            self._process = subprocess.Popen([*player, file.name], stdout=subprocess.DEVNULL,
                                             stderr=subprocess.PIPE, text=True)
            try:
                _, error = self._process.communicate(timeout=wav_duration(wav) + PLAYBACK_MARGIN_SECONDS)
            except subprocess.TimeoutExpired as stuck:
                self._process.kill()
                raise NoAudioDevice(f"{player[0]} did not finish playing: is the sound device stuck?") from stuck
        if self._process.returncode not in (0, self.STOPPED):
            raise NoAudioDevice(f"{player[0]} could not play: {error.strip() or self._process.returncode}")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()


def play(wav: bytes) -> None:
    """Play WAV bytes to the end; `NoAudioDevice` if nothing can."""
    Player().play(wav)
