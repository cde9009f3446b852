"""``/v1/audio/transcriptions`` and ``/v1/audio/speech``: requests and replies (sans-IO).

Transcriptions upload the audio as multipart ``file`` (25 MB at most, flac/mp3/mp4/mpeg/
mpga/m4a/ogg/wav/webm); the reply is JSON for ``json``/``verbose_json`` and plain text for
``text``/``srt``/``vtt``. Speech is a JSON request whose reply is the audio bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, Field

from ..cost import Cost
from ..errors import InvalidArgumentError, ProtocolError
from ..protocols import HttpRequest
from .arguments import check_choice, check_number, check_strings, check_text, check_voice
from .multipart import FileInput, FileRule, MultipartForm, load_upload

DEFAULT_TRANSCRIPTION_MODEL = "whisper-1"
DEFAULT_SPEECH_MODEL = "tts-1"
DEFAULT_VOICE = "alloy"
TranscriptFormat = Literal["json", "text", "srt", "verbose_json", "vtt"]
TRANSCRIPT_FORMATS: tuple[str, ...] = ("json", "text", "srt", "verbose_json", "vtt")
SPEECH_FORMATS = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}
MAX_SPEECH_CHARS = 4096
AUDIO_FILE = FileRule(
    "audio file",
    frozenset({"audio/flac", "audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav", "audio/webm"}),
    25 * 1024 * 1024,
)
_CUE_TIME = re.compile(r"^\s*(\d+:)?\d+:\d+[.,]\d+\s*-->")


class TranscribeOptions(TypedDict, total=False):
    """Optional arguments of ``client.audio.transcribe``."""

    language: str | None
    prompt: str | None
    temperature: float | None
    timestamp_granularities: Sequence[str] | None
    extra_body: Mapping[str, Any] | None


class SpeechOptions(TypedDict, total=False):
    """Optional arguments of ``client.audio.speech`` / ``speech_to_file``."""

    speed: float | None
    instructions: str | None
    extra_body: Mapping[str, Any] | None


class TranscriptWord(BaseModel):
    word: str
    start: float
    end: float


class TranscriptSegment(BaseModel):
    id: int
    start: float
    end: float
    text: str
    seek: int | None = None
    tokens: list[int] = Field(default_factory=list)
    temperature: float | None = None
    avg_logprob: float | None = None
    compression_ratio: float | None = None
    no_speech_prob: float | None = None


class Transcript(BaseModel):
    """A transcription. ``text`` is always the plain text; ``document`` keeps an ``srt`` or
    ``vtt`` reply as received; segments and words come with ``verbose_json``."""

    text: str
    format: str = "json"
    language: str | None = None
    duration: float | None = None
    segments: list[TranscriptSegment] = Field(default_factory=list)
    words: list[TranscriptWord] = Field(default_factory=list)
    usage: dict[str, Any] | None = None
    document: str | None = None
    cost: Cost | None = None
    """What the call cost, when costs are tracked (``wenwen.billing``)."""


def transcription_request(
    file: FileInput,
    *,
    model: str = DEFAULT_TRANSCRIPTION_MODEL,
    language: str | None = None,
    prompt: str | None = None,
    response_format: str = "json",
    temperature: float | None = None,
    timestamp_granularities: Sequence[str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> HttpRequest:
    """A multipart transcription request; the file is read and checked before any request."""
    check_text(model, "model")
    check_choice(response_format, "response_format", TRANSCRIPT_FORMATS)
    check_number(temperature, "temperature", low=0, high=1)
    check_text(language, "language", required=False)
    check_text(prompt, "prompt", required=False)
    granularities = check_strings(timestamp_granularities, "timestamp_granularities") or []
    if granularities and response_format != "verbose_json":
        raise InvalidArgumentError(
            "timestamp_granularities needs response_format='verbose_json'",
            argument="timestamp_granularities",
        )
    if set(granularities) - {"word", "segment"}:
        raise InvalidArgumentError(
            f"timestamp_granularities takes 'word'/'segment': {granularities}",
            argument="timestamp_granularities",
        )
    upload = load_upload(file, AUDIO_FILE, default_name="audio")
    fields: dict[str, Any] = {
        "model": model, "language": language, "prompt": prompt,
        "response_format": response_format, "temperature": temperature,
        "timestamp_granularities": granularities or None,
    }  # fmt: skip
    fields.update(extra_body or {})
    content, content_type = MultipartForm.of(fields, [("file", upload)]).encode()
    return HttpRequest(
        "POST", "/v1/audio/transcriptions", headers={"Content-Type": content_type}, content=content
    )


def parse_transcription(content: bytes, response_format: str) -> Transcript:
    text = content.decode("utf-8", "replace")
    if response_format in ("text", "srt", "vtt"):
        if text.lstrip().startswith("{"):  # some relays wrap every format in JSON
            return _from_json(_loads(text), response_format)
        if response_format == "text":
            return Transcript(text=text.strip(), format="text")
        return Transcript(text=subtitle_text(text), format=response_format, document=text)
    return _from_json(_loads(text), response_format)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ProtocolError(
            f"transcription reply is not valid JSON ({exc}): {text[:200]!r}"
        ) from None


def _from_json(body: Any, response_format: str) -> Transcript:
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ProtocolError("transcription reply has no 'text'")
    try:
        return Transcript(
            text=body["text"],
            format=response_format,
            language=body.get("language"),
            duration=body.get("duration"),
            segments=body.get("segments") or [],
            words=body.get("words") or [],
            usage=body.get("usage") if isinstance(body.get("usage"), dict) else None,
        )
    except ValueError as exc:
        raise ProtocolError(f"transcription reply does not parse: {exc}") from None


def subtitle_text(document: str) -> str:
    """The spoken text of an SRT or WebVTT document (cue numbers and timings dropped)."""
    lines: list[str] = []
    for line in document.splitlines():
        stripped = line.strip()
        if not stripped or stripped == "WEBVTT" or stripped.isdigit() or _CUE_TIME.match(line):
            continue
        lines.append(stripped)
    return " ".join(lines)


def speech_request(
    text: str,
    *,
    model: str = DEFAULT_SPEECH_MODEL,
    voice: str | dict[str, Any] = DEFAULT_VOICE,
    response_format: str = "mp3",
    speed: float | None = None,
    instructions: str | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> HttpRequest:
    check_text(text, "text")
    if len(text) > MAX_SPEECH_CHARS:
        raise InvalidArgumentError(
            f"speech text is {len(text)} characters; the limit is {MAX_SPEECH_CHARS}",
            argument="text",
        )
    check_text(model, "model")
    check_choice(response_format, "response_format", tuple(SPEECH_FORMATS))
    check_number(speed, "speed", low=0.25, high=4.0)
    check_voice(voice)
    check_text(instructions, "instructions", required=False)
    body: dict[str, Any] = {
        "model": model, "input": text, "voice": voice, "response_format": response_format,
    }  # fmt: skip
    if speed is not None:
        body["speed"] = speed
    if instructions is not None:
        body["instructions"] = instructions
    body.update(extra_body or {})
    return HttpRequest("POST", "/v1/audio/speech", json=body, headers={"Accept": "audio/*"})


def transcript_pieces(
    transcript: Transcript, *, by_segment: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """``(text, metadata)`` for documents made from a transcript: one for the whole text, or
    one per segment (with ``start``/``end`` seconds) when asked and segments exist. The
    framework loaders both build their documents from this."""
    common: dict[str, Any] = {
        k: v
        for k, v in (("language", transcript.language), ("duration", transcript.duration))
        if v is not None
    }
    if by_segment and transcript.segments:
        return [
            (s.text.strip(), {**common, "segment": s.id, "start": s.start, "end": s.end})
            for s in transcript.segments
        ]
    return [(transcript.text, common)]


class SpeechAudio(BaseModel):
    """Spoken audio held in memory (use ``speech_to_file`` to stream to disk instead)."""

    content: bytes = Field(repr=False)
    format: str
    media_type: str
    cost: Cost | None = None
    """What the call cost, when costs are tracked (``wenwen.billing``)."""


__all__ = [
    "DEFAULT_SPEECH_MODEL",
    "DEFAULT_TRANSCRIPTION_MODEL",
    "SPEECH_FORMATS",
    "TRANSCRIPT_FORMATS",
    "SpeechAudio",
    "SpeechOptions",
    "TranscribeOptions",
    "Transcript",
    "TranscriptSegment",
    "TranscriptWord",
    "parse_transcription",
    "speech_request",
    "subtitle_text",
    "transcript_pieces",
    "transcription_request",
]
