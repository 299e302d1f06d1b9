"""Speech recognition (ASR) with Vosk: streamed 16 kHz mono 16-bit PCM in, text out.

A `Recognizer` opens one `RecognitionStream` per utterance. Chunks fed to the stream
give `Partial` hypotheses while the citizen speaks and an `Utterance` once it ends:
Vosk's own endpointing, an energy-based silence timeout after speech started, or the
length cap; `finish()` ends it at the end of the audio.

`VoskRecognizer` adapts the model to the domain with a phrase grammar (`speech.phrases`)
and falls back to free decoding when the grammar decode is not credible (see
`VoskStream` for the choice).
"""
from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import (
    Callable,
    Dict,
    FrozenSet,
    List,
    Literal,
    Optional,
    Sequence,
    Tuple,
    Union,
)

import vosk

from procedure_kb.settings import Settings, get_settings
from speech.audio import BYTES_PER_SECOND, SAMPLE_RATE, frames, is_speech
from speech.phrases import restrict_to_vocabulary

VIETNAMESE_MODEL = "vosk-model-small-vn-0.4"
VIETNAMESE_MODEL_URL = f"https://alphacephei.com/vosk/models/{VIETNAMESE_MODEL}.zip"
UNKNOWN_WORD = "[unk]"
DEFAULT_CHUNK_SECONDS = 0.1

EndReason = Literal["endpoint", "silence", "max_length", "end_of_audio"]
DecoderName = Literal["grammar", "free"]


class ModelMissing(RuntimeError):
    """The Vosk model folder is not set, not there, or not a Vosk model."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"{detail}. The Vietnamese speech model {VIETNAMESE_MODEL} (Apache-2.0) is not on "
            "any package registry: run `make speech-model` where the internet is available, "
            f"or download {VIETNAMESE_MODEL_URL} elsewhere, unzip it and set VOSK_MODEL_PATH "
            "to its folder."
        )


@dataclass(frozen=True)
class Word:
    """A recognised word, its times in seconds from the start of the stream, its confidence."""

    text: str
    start: float
    end: float
    confidence: float  # 0..1


@dataclass(frozen=True)
class Partial:
    """The hypothesis so far, while the citizen is still speaking."""

    text: str


@dataclass(frozen=True)
class Utterance:
    """The final result of one utterance."""

    text: str
    words: Tuple[Word, ...]
    decoder: DecoderName  # which decode was kept
    end_reason: EndReason
    audio_seconds: float
    processing_seconds: float  # time spent recognising, for the real-time factor

    @property
    def confidence(self) -> float:
        """Mean word confidence (0.0 without words)."""
        return mean_confidence(self.words)

    @property
    def real_time_factor(self) -> float:
        """Processing time per second of audio (below 1 keeps up with live speech)."""
        return self.processing_seconds / self.audio_seconds if self.audio_seconds else 0.0


class RecognitionStream(ABC):
    """One utterance being recognised from 16 kHz mono 16-bit PCM chunks."""

    @abstractmethod
    def feed(self, pcm_chunk: bytes) -> Optional[Union[Partial, Utterance]]:
        """Recognise a chunk: a new `Partial`, the `Utterance` once it has ended, or None."""

    @abstractmethod
    def finish(self) -> Utterance:
        """The utterance, ending it now if it has not ended yet (end of the audio)."""


class Recognizer(ABC):
    """Speech to text for 16 kHz mono 16-bit PCM."""

    @abstractmethod
    def stream(self) -> RecognitionStream:
        """A stream for the next utterance."""

    def transcribe(self, pcm: bytes, chunk_seconds: float = DEFAULT_CHUNK_SECONDS) -> Utterance:
        """The first utterance of recorded audio, streamed in chunks."""
        stream = self.stream()
        for chunk in frames(pcm, chunk_seconds):
            event = stream.feed(chunk)
            if isinstance(event, Utterance):
                return event
        return stream.finish()


def load_model(path: Optional[str] = None) -> vosk.Model:
    """The Vosk model in `path` (default: the VOSK_MODEL_PATH setting); `ModelMissing` if none."""
    folder = get_settings().vosk_model_path if path is None else path
    if not folder:
        raise ModelMissing("VOSK_MODEL_PATH is not set")
    if not (Path(folder) / "am").is_dir():
        raise ModelMissing(f"No Vosk model in {folder!r} (its 'am' folder is missing)")
    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(folder)
    except Exception as error:  # vosk raises a bare Exception for a model it cannot load
        raise ModelMissing(f"Vosk could not load the model in {folder!r}: {error}") from error


def mean_confidence(words: Sequence[Word]) -> float:
    return sum(word.confidence for word in words) / len(words) if words else 0.0


@dataclass(frozen=True)
class PhraseGrammar:
    """Phrases for Vosk's runtime grammar, and the word pairs they contain.

    Vosk compiles the list into a bigram model with back-off, so its decode can join
    words of different phrases; a word pair found in no phrase marks such a join.
    """

    phrases: Tuple[str, ...]
    word_pairs: FrozenSet[Tuple[str, str]]

    @classmethod
    def from_phrases(cls, phrases: Sequence[str]) -> "PhraseGrammar":
        pairs = {pair for phrase in phrases for pair in _word_pairs(phrase.split())}
        return cls(tuple(phrases), frozenset(pairs))

    def as_json(self, with_unknown_word: bool) -> str:
        """The grammar as Vosk takes it; '[unk]' absorbs out-of-list speech when the
        model has that word."""
        listed = list(self.phrases) + ([UNKNOWN_WORD] if with_unknown_word else [])
        return json.dumps(listed, ensure_ascii=False)

    def follows_phrases(self, words: Sequence[str]) -> bool:
        """Whether every adjacent pair of `words` occurs within one phrase."""
        return all(pair in self.word_pairs for pair in _word_pairs(words))


@dataclass(frozen=True)
class StreamLimits:
    silence_timeout_seconds: float
    max_utterance_seconds: float
    grammar_min_confidence: float


class VoskDecoder:
    """One Vosk recogniser, kept from utterance to utterance: Vosk builds its decoding
    graph lazily, so a fresh recogniser spends about half a second on its first chunk."""

    def __init__(self, model: vosk.Model, grammar_json: Optional[str] = None) -> None:
        if grammar_json is None:
            self._recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        else:
            self._recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE, grammar_json)
        self._recognizer.SetWords(True)
        self._fed_bytes = 0
        self._utterance_start_bytes = 0

    def accept(self, pcm_chunk: bytes) -> bool:
        """Decode a chunk; True at a Vosk endpoint."""
        self._fed_bytes += len(pcm_chunk)
        return bool(self._recognizer.AcceptWaveform(pcm_chunk))

    def partial_text(self) -> str:
        return json.loads(self._recognizer.PartialResult()).get("partial", "")

    def final_words(self) -> List[Word]:
        """End the utterance: its words, timed from its start (Vosk times from the first
        audio it was ever fed)."""
        result = json.loads(self._recognizer.FinalResult())
        offset = self._utterance_start_bytes / BYTES_PER_SECOND
        self._utterance_start_bytes = self._fed_bytes
        return [
            Word(item["word"], item["start"] - offset, item["end"] - offset, item["conf"])
            for item in result.get("result", [])
        ]


Decoders = Dict[DecoderName, VoskDecoder]


class VoskRecognizer(Recognizer):
    """Vosk decoding of the same audio side by side: free and, given phrases, through
    the domain grammar.

    Streams may run concurrently; each holds its own decoders, which return to a pool
    for the next stream once its utterance has ended.
    """

    def __init__(
        self,
        model: vosk.Model,
        phrases: Sequence[str] = (),
        *,
        settings: Optional[Settings] = None,
        silence_timeout_seconds: Optional[float] = None,
        max_utterance_seconds: Optional[float] = None,
        grammar_min_confidence: Optional[float] = None,
    ) -> None:
        """`phrases` in spoken form (`speech.phrases.build_phrases`); words the model does
        not know are dropped. The limits default to the `asr_*` settings."""
        config = settings or get_settings()
        self.model = model
        known = restrict_to_vocabulary(phrases, self._knows)
        self.grammar = PhraseGrammar.from_phrases(known) if known else None
        self.limits = StreamLimits(
            _or(silence_timeout_seconds, config.asr_silence_timeout_seconds),
            _or(max_utterance_seconds, config.asr_max_utterance_seconds),
            _or(grammar_min_confidence, config.asr_grammar_min_confidence),
        )
        self._idle: List[Decoders] = []
        self._idle_lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, phrases: Sequence[str] = (), settings: Optional[Settings] = None
    ) -> "VoskRecognizer":
        """The recogniser on the model of the VOSK_MODEL_PATH setting (`ModelMissing` if none)."""
        config = settings or get_settings()
        return cls(load_model(config.vosk_model_path), phrases, settings=config)

    def stream(self) -> "VoskStream":
        with self._idle_lock:
            decoders = self._idle.pop() if self._idle else None
        return VoskStream(decoders or self._new_decoders(), self.grammar, self.limits, self._release)

    def _new_decoders(self) -> Decoders:
        decoders: Decoders = {"free": VoskDecoder(self.model)}
        if self.grammar:
            grammar_json = self.grammar.as_json(with_unknown_word=self._knows(UNKNOWN_WORD))
            decoders["grammar"] = VoskDecoder(self.model, grammar_json)
        return decoders

    def _release(self, decoders: Decoders) -> None:
        with self._idle_lock:
            self._idle.append(decoders)

    def _knows(self, word: str) -> bool:
        return self.model.vosk_model_find_word(word) >= 0


class VoskStream(RecognitionStream):
    """Free and grammar decoders fed the same chunks; one utterance.

    The utterance ends at the first Vosk endpoint of either decoder, after
    `silence_timeout_seconds` without speech energy once speech started, or at
    `max_utterance_seconds`. Partials come from the free decoder: they show what was
    heard, not what the grammar would force it into.

    The grammar decode is kept when it is credible: it has words, none is '[unk]', their
    mean confidence reaches `grammar_min_confidence`, and every adjacent word pair occurs
    in one phrase. A grammar decode always sounds like the phrases, and on speech outside
    them it joins words across phrases (Vosk's bigram back-off) or loses confidence, so
    otherwise the free decode is kept: an unforeseen question keeps its own words
    instead of being forced into a wrong procedure name. Speech outside a short list can
    still land on one whole phrase with high confidence when the model has no '[unk]'
    word to absorb it; the free decode alone cannot overrule that, since its confidences
    are not comparable with the grammar's.
    """

    def __init__(
        self,
        decoders: Decoders,
        grammar: Optional[PhraseGrammar],
        limits: StreamLimits,
        release: Callable[[Decoders], None],
    ) -> None:
        self._decoders = decoders
        self._grammar = grammar
        self._limits = limits
        self._release = release
        self._endpoint = False
        self._audio_bytes = 0
        self._speech_started = False
        self._silent_bytes = 0
        self._processing_seconds = 0.0
        self._last_partial = ""
        self._utterance: Optional[Utterance] = None

    def feed(self, pcm_chunk: bytes) -> Optional[Union[Partial, Utterance]]:
        if self._utterance is not None:
            raise RuntimeError("This utterance has ended; open a new stream for the next one.")
        started = time.perf_counter()
        self._audio_bytes += len(pcm_chunk)
        self._track_silence(pcm_chunk)
        endpoints = [decoder.accept(pcm_chunk) for decoder in self._decoders.values()]
        self._endpoint = any(endpoints)
        self._processing_seconds += time.perf_counter() - started
        reason = self._end_reason()
        if reason is not None:
            return self._end(reason)
        return self._new_partial()

    def finish(self) -> Utterance:
        return self._utterance or self._end("end_of_audio")

    def _track_silence(self, pcm_chunk: bytes) -> None:
        for frame in frames(pcm_chunk):
            if is_speech(frame):
                self._speech_started = True
                self._silent_bytes = 0
            elif self._speech_started:
                self._silent_bytes += len(frame)

    def _end_reason(self) -> Optional[EndReason]:
        if self._endpoint:
            return "endpoint"
        if self._silent_bytes >= self._limits.silence_timeout_seconds * BYTES_PER_SECOND:
            return "silence"
        if self._audio_bytes >= self._limits.max_utterance_seconds * BYTES_PER_SECOND:
            return "max_length"
        return None

    def _new_partial(self) -> Optional[Partial]:
        started = time.perf_counter()
        text = self._decoders["free"].partial_text()
        self._processing_seconds += time.perf_counter() - started
        if not text or text == self._last_partial:
            return None
        self._last_partial = text
        return Partial(text)

    def _end(self, reason: EndReason) -> Utterance:
        started = time.perf_counter()
        words = {name: decoder.final_words() for name, decoder in self._decoders.items()}
        self._release(self._decoders)
        chosen: DecoderName = "grammar" if self._credible(words.get("grammar")) else "free"
        self._processing_seconds += time.perf_counter() - started
        self._utterance = Utterance(
            text=" ".join(word.text for word in words[chosen]),
            words=tuple(words[chosen]),
            decoder=chosen,
            end_reason=reason,
            audio_seconds=self._audio_bytes / BYTES_PER_SECOND,
            processing_seconds=self._processing_seconds,
        )
        return self._utterance

    def _credible(self, grammar_words: Optional[List[Word]]) -> bool:
        if not grammar_words or self._grammar is None:
            return False
        texts = [word.text for word in grammar_words]
        return (
            UNKNOWN_WORD not in texts
            and mean_confidence(grammar_words) >= self._limits.grammar_min_confidence
            and self._grammar.follows_phrases(texts)
        )


def _word_pairs(words: Sequence[str]) -> List[Tuple[str, str]]:
    return list(zip(words, words[1:]))


def _or(value: Optional[float], default: float) -> float:
    return default if value is None else value
