"""Audio input checks: WAV bytes in, 16 kHz mono 16-bit PCM out, the way the recogniser wants it.

`AudioError` messages are Vietnamese because the robot shows or says them to the citizen.
"""
from __future__ import annotations

import audioop
import io
import wave
from dataclasses import dataclass
from typing import Iterator, Optional, Tuple

import numpy as np

from procedure_kb.settings import get_settings

SAMPLE_RATE = 16000
SAMPLE_WIDTH = 2  # bytes: 16-bit signed little-endian
BYTES_PER_SECOND = SAMPLE_RATE * SAMPLE_WIDTH
# Frames of this length are classed as speech or silence by their energy.
FRAME_SECONDS = 0.02
# RMS of a 16-bit frame above which it counts as speech (about -40 dBFS); a quiet room
# with a close microphone stays well below it. Raise it for a noisy lobby.
SPEECH_RMS = 300
# A sample this close to full scale is clipped; this share of them flags the recording.
CLIPPING_LEVEL = 32000
CLIPPED_SHARE = 0.001


class AudioError(ValueError):
    """Audio the robot cannot use; the message is meant for the citizen."""


@dataclass(frozen=True)
class Audio:
    """16 kHz mono 16-bit PCM ready for the recogniser, and what the input was."""

    pcm: bytes
    duration_seconds: float
    clipped: bool  # too loud: the recognition may suffer, but the audio is kept
    original_sample_rate: int
    original_channels: int


def read_wav(data: bytes, max_seconds: Optional[float] = None) -> Audio:
    """Check a WAV file and convert it to 16 kHz mono 16-bit PCM.

    Raises `AudioError` for anything but PCM WAV, for recordings longer than
    `max_seconds` (default: the `asr_max_audio_seconds` setting) and for empty or
    silent ones. Clipping is flagged in the result, not refused.
    """
    limit = get_settings().asr_max_audio_seconds if max_seconds is None else max_seconds
    samples, channels, width, rate = _read_pcm(data, limit)
    if channels > 2:
        raise AudioError("Chỉ nhận âm thanh một kênh (mono) hoặc hai kênh (stereo).")
    pcm = _to_16_bit(samples, width)
    if not pcm:
        raise AudioError("Không nghe thấy tiếng nói: đoạn ghi âm trống.")
    clipped = is_clipped(pcm)
    mono = audioop.tomono(pcm, SAMPLE_WIDTH, 0.5, 0.5) if channels == 2 else pcm
    resampled = _resample(mono, rate)
    if not has_speech_energy(resampled):
        raise AudioError("Không nghe thấy tiếng nói: đoạn ghi âm chỉ có im lặng.")
    return Audio(
        pcm=resampled,
        duration_seconds=len(resampled) / BYTES_PER_SECOND,
        clipped=clipped,
        original_sample_rate=rate,
        original_channels=channels,
    )


def frames(pcm: bytes, seconds: float = FRAME_SECONDS) -> Iterator[bytes]:
    """Consecutive frames of 16 kHz 16-bit mono PCM (the last one may be shorter)."""
    size = int(seconds * SAMPLE_RATE) * SAMPLE_WIDTH
    return (pcm[start:start + size] for start in range(0, len(pcm), size))


def is_speech(frame: bytes) -> bool:
    """Whether a frame of 16-bit PCM is loud enough to be speech."""
    return audioop.rms(frame, SAMPLE_WIDTH) >= SPEECH_RMS


def has_speech_energy(pcm: bytes) -> bool:
    """Whether any frame of 16 kHz 16-bit mono PCM is loud enough to be speech."""
    return any(is_speech(frame) for frame in frames(pcm))


def is_clipped(pcm: bytes) -> bool:
    """Whether enough 16-bit samples sit at full scale to have been clipped."""
    samples = np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32))
    return np.count_nonzero(samples >= CLIPPING_LEVEL) >= CLIPPED_SHARE * samples.size


def _read_pcm(data: bytes, max_seconds: float) -> Tuple[bytes, int, int, int]:
    """The samples, channel count, sample width and rate of a PCM WAV file."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("Tệp gửi lên không phải âm thanh WAV.")
    try:
        with wave.open(io.BytesIO(data)) as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            if rate <= 0:
                raise wave.Error("no sample rate")
            seconds = wav.getnframes() / rate
            if seconds > max_seconds:
                raise AudioError(
                    f"Đoạn ghi âm quá dài ({seconds:.0f} giây); tối đa {max_seconds:.0f} giây."
                )
            return wav.readframes(wav.getnframes()), channels, width, rate
    except (wave.Error, EOFError) as error:
        raise AudioError("Không đọc được tệp WAV: chỉ nhận âm thanh PCM không nén.") from error


def _to_16_bit(samples: bytes, width: int) -> bytes:
    """Samples of any PCM width as 16-bit signed (8-bit WAV samples are unsigned)."""
    if width == 1:
        samples = audioop.bias(samples, 1, -128)
    return samples if width == SAMPLE_WIDTH else audioop.lin2lin(samples, width, SAMPLE_WIDTH)


def _resample(mono: bytes, rate: int) -> bytes:
    if rate == SAMPLE_RATE:
        return mono
    converted, _ = audioop.ratecv(mono, SAMPLE_WIDTH, 1, rate, SAMPLE_RATE, None)
    return converted
