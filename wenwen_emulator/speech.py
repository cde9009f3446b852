"""The emulator's voice: text becomes a WAV tone sequence, and that WAV decodes back to the text.

Each UTF-8 byte of the text is two 10 ms tones (one per 4-bit half, 600 + 150·k Hz) after a
20 ms 300 Hz preamble that marks the emulator's own speech, so the audio's length follows the
text (20 ms per byte) and a speak → transcribe round trip is exact. Decoding counts zero
crossings per tone; anything without the preamble is "audio the emulator cannot read".
"""

from __future__ import annotations

import array
import itertools
import math
import re
import struct
import sys
from dataclasses import dataclass

SAMPLE_RATE = 24_000
SYMBOL = 240  # samples per tone (10 ms)
_BASE_HZ, _STEP_HZ, _PREAMBLE_HZ = 600, 150, 300
_PREAMBLE_SYMBOLS = 2
_AMPLITUDE = 12_000
SECONDS_PER_BYTE = 2 * SYMBOL / SAMPLE_RATE


def _tone(freq: float) -> bytes:
    samples = array.array(
        "h",
        (
            int(_AMPLITUDE * math.sin(2 * math.pi * freq * n / SAMPLE_RATE + math.pi / 4))
            for n in range(SYMBOL)
        ),
    )
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


_TONES = [_tone(_BASE_HZ + _STEP_HZ * k) for k in range(16)]
_PREAMBLE = _tone(_PREAMBLE_HZ) * _PREAMBLE_SYMBOLS


def speak_pcm(text: str) -> bytes:
    """Little-endian 16-bit mono PCM at 24 kHz."""
    out = [_PREAMBLE]
    for byte in text.encode("utf-8"):
        out.append(_TONES[byte >> 4])
        out.append(_TONES[byte & 0x0F])
    return b"".join(out)


def wav_from_pcm(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, sample_rate, sample_rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(pcm))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(pcm))
        + pcm
    )


def speak_wav(text: str) -> bytes:
    return wav_from_pcm(speak_pcm(text))


@dataclass
class WavInfo:
    sample_rate: int
    channels: int
    bits: int
    pcm: bytes

    @property
    def duration(self) -> float:
        frame = max(self.channels * self.bits // 8, 1)
        return len(self.pcm) / frame / max(self.sample_rate, 1)


def read_wav(data: bytes) -> WavInfo | None:
    """The format and samples of a PCM WAV file, or ``None`` when it is not one."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    pos, fmt, pcm = 12, None, None
    while pos + 8 <= len(data):
        kind, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        if kind == b"fmt " and len(body) >= 16:
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif kind == b"data":
            pcm = body
        pos += 8 + size + (size & 1)
    if fmt is None or pcm is None or fmt[0] != 1:
        return None
    return WavInfo(sample_rate=fmt[2], channels=fmt[1], bits=fmt[5], pcm=pcm)


def _crossings(samples: array.array[int], start: int) -> int:
    window = samples[start : start + SYMBOL]
    return sum(1 for a, b in itertools.pairwise(window) if (a < 0) != (b < 0))


def _nibble(samples: array.array[int], start: int) -> int:
    # a tone of f Hz crosses zero about f/50 times in 10 ms; neighbours differ by 3
    per_symbol = 2 * SYMBOL / SAMPLE_RATE
    count = _crossings(samples, start)
    return round((count - _BASE_HZ * per_symbol) / (_STEP_HZ * per_symbol))


def decode_speech(info: WavInfo) -> str | None:
    """The text the emulator spoke into this WAV, or ``None`` if it is not its speech."""
    if (info.sample_rate, info.channels, info.bits) != (SAMPLE_RATE, 1, 16):
        return None
    samples = array.array("h", info.pcm[: len(info.pcm) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    preamble = round(_PREAMBLE_HZ * 2 * SYMBOL / SAMPLE_RATE)
    if len(samples) < SYMBOL * _PREAMBLE_SYMBOLS or abs(_crossings(samples, 0) - preamble) > 1:
        return None
    out = bytearray()
    start = SYMBOL * _PREAMBLE_SYMBOLS
    while start + 2 * SYMBOL <= len(samples):
        high, low = _nibble(samples, start), _nibble(samples, start + SYMBOL)
        if not (0 <= high < 16 and 0 <= low < 16):
            return None
        out.append(high << 4 | low)
        start += 2 * SYMBOL
    return out.decode("utf-8", "replace")


_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]*\s*")  # noqa: RUF001
_WORD = re.compile(r"\S+")


def _time_at(text: str, index: int) -> float:
    offset = len(text[:index].encode("utf-8"))
    return round(_PREAMBLE_SYMBOLS * SYMBOL / SAMPLE_RATE + offset * SECONDS_PER_BYTE, 3)


def timed_spans(text: str, unit: str) -> list[tuple[str, float, float]]:
    """``(piece, start, end)`` per sentence (``unit="segment"``) or word, in seconds."""
    pattern = _SENTENCE if unit == "segment" else _WORD
    spans = []
    for match in pattern.finditer(text):
        piece = match.group().strip()
        if piece:
            start = _time_at(text, match.start())
            end = _time_at(text, match.start() + len(match.group().rstrip()))
            spans.append((piece, start, end))
    return spans
