"""``POST /v1/audio/transcriptions`` and ``POST /v1/audio/speech``, plus the audio part of a
chat reply (``modalities: ["text", "audio"]``).

Speech is the emulator's own WAV tone code (``speech``), so transcribing what it spoke gives
the text back exactly. Only ``wav`` and ``pcm`` are rendered: other formats (mp3, opus, aac,
flac) are answered with WAV bytes and ``Content-Type: audio/wav``, which is what the bytes
are. Audio the emulator did not make transcribes to a fixed note naming its length.
"""

from __future__ import annotations

import base64
import math
from typing import Any

from starlette.responses import PlainTextResponse, Response

from . import speech
from .context import Ctx, dumps
from .errors import json_response
from .faults import Frame
from .mock_model import stable_hex
from .multipart_in import FormFile, read_form
from .sse import pieces, sse_response
from .tokens import count_tokens

MAX_UPLOAD = 25 * 1024 * 1024
MAX_INPUT = 4096
TRANSCRIBERS = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
TRANSLATORS = ("whisper-1",)
SPEAKERS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
UPLOAD_TYPES = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
SPEECH_TYPES = ("mp3", "opus", "aac", "flac", "wav", "pcm")
_MAGIC = {b"RIFF": "wav", b"fLaC": "flac", b"OggS": "ogg", b"ID3": "mp3", b"\x1aE\xdf\xa3": "webm"}


def _upload_kind(upload: FormFile) -> str | None:
    for magic, kind in _MAGIC.items():
        if upload.content.startswith(magic):
            return kind
    if upload.content[4:8] == b"ftyp":
        return "mp4"
    if upload.content[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    return None


def _audio_file(ctx: Ctx, uploads: list[FormFile]) -> tuple[FormFile, str]:
    if not uploads:
        raise ctx.bad("file is required", param="file")
    upload = uploads[0]
    if len(upload.content) > MAX_UPLOAD:
        raise ctx.fail(
            413,
            f"Maximum content size limit ({MAX_UPLOAD}) exceeded ({len(upload.content)} bytes read)",
            type="invalid_request_error",
            code="file_too_large",
        )
    kind = _upload_kind(upload)
    if kind is None:
        raise ctx.bad(
            f"Invalid file format. Supported formats: {list(UPLOAD_TYPES)}",
            param="file",
            code="invalid_file_format",
        )
    return upload, kind


def _language(text: str, given: str | None) -> str:
    if given:
        return given
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "chinese"
    return "english"


def _stamp(seconds: float, comma: bool) -> str:
    millis = round(seconds * 1000)
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if comma else '.'}{ms:03d}"


def subtitles(spans: list[tuple[str, float, float]], vtt: bool) -> str:
    cues = []
    for i, (text, start, end) in enumerate(spans, 1):
        timing = f"{_stamp(start, not vtt)} --> {_stamp(end, not vtt)}"
        cues.append(f"{timing}\n{text}\n" if vtt else f"{i}\n{timing}\n{text}\n")
    return ("WEBVTT\n\n" if vtt else "") + "\n".join(cues)


def _segment(i: int, text: str, start: float, end: float, temperature: float) -> dict[str, Any]:
    return {
        "id": i, "seek": 0, "start": start, "end": end, "text": text,
        "tokens": [50364 + (ord(c) % 1000) for c in text[:8]], "temperature": temperature,
        "avg_logprob": -0.1, "compression_ratio": 1.0, "no_speech_prob": 0.0,
    }  # fmt: skip


def _hear(upload: FormFile, kind: str) -> tuple[str, float, bool]:
    """``(text, duration, is_emulator_speech)``."""
    info = speech.read_wav(upload.content) if kind == "wav" else None
    if info is not None:
        text = speech.decode_speech(info)
        if text is not None:
            return text, round(info.duration, 3), True
        return (
            f"(no speech the emulator can recognise in {info.duration:.2f} s of audio)",
            round(info.duration, 3),
            False,
        )
    return f"(no speech the emulator can recognise in this {kind} file)", 0.0, False


async def transcriptions(ctx: Ctx) -> Response:
    return await _transcribe(ctx, "transcribe")


async def translations(ctx: Ctx) -> Response:
    """``POST /v1/audio/translations``: speech into English text. The emulator's own speech
    is already written text, so the translation is the transcript (``task: translate``)."""
    return await _transcribe(ctx, "translate")


async def _transcribe(ctx: Ctx, task: str) -> Response:
    form = await read_form(ctx)
    model = form.value("model")
    allowed = TRANSCRIBERS if task == "transcribe" else TRANSLATORS
    if model not in allowed:
        ctx.model({"model": model})  # unknown names answer as the relay does
        raise ctx.bad(f"model {model} cannot {task} audio", code="model_not_supported")
    upload, kind = _audio_file(ctx, form.files_named("file"))
    fmt = form.value("response_format") or "json"
    if fmt not in FORMATS:
        raise ctx.bad(
            f"Invalid value: '{fmt}'. Supported values are: {FORMATS}", param="response_format"
        )
    text, duration, _ = _hear(upload, kind)
    # whisper-1 ignores stream=true (https://platform.openai.com/docs/guides/speech-to-text)
    if form.value("stream") == "true" and task == "transcribe" and model != "whisper-1":
        if fmt not in ("json", "text"):
            raise ctx.bad(f"response_format {fmt} cannot be streamed", param="response_format")
        return _transcript_stream(ctx, text, duration)
    if fmt == "text":
        return PlainTextResponse(text + "\n")
    segments = speech.timed_spans(text, "segment") or [(text, 0.0, duration)]
    if fmt in ("srt", "vtt"):
        return PlainTextResponse(subtitles(segments, fmt == "vtt"))
    usage = {"type": "duration", "seconds": math.ceil(duration)}
    if fmt == "json":
        return json_response({"text": text, "usage": usage})
    granularities = form.values("timestamp_granularities") or ["segment"]
    temperature = float(form.value("temperature") or 0.0)
    language = "english" if task == "translate" else _language(text, form.value("language"))
    body: dict[str, Any] = {
        "task": task, "language": language,
        "duration": duration, "text": text,
    }  # fmt: skip
    if "segment" in granularities:
        body["segments"] = [
            _segment(i, s, start, end, temperature) for i, (s, start, end) in enumerate(segments)
        ]
    if "word" in granularities:
        words = speech.timed_spans(text, "word")
        body["words"] = [{"word": w, "start": a, "end": b} for w, a, b in words]
    body["usage"] = usage
    return json_response(body)


def _transcript_stream(ctx: Ctx, text: str, duration: float) -> Response:
    """``transcript.text.delta`` events, then ``transcript.text.done`` with the whole text and
    the token usage (https://platform.openai.com/docs/api-reference/audio/transcript-text-delta-event)."""
    frames = [
        Frame(f"data: {dumps({'type': 'transcript.text.delta', 'delta': piece})}\n\n")
        for piece in pieces(text)
    ]
    output = count_tokens(text)
    audio_tokens = max(1, math.ceil(duration * 10))
    done = {
        "type": "transcript.text.done",
        "text": text,
        "usage": {
            "type": "tokens",
            "input_tokens": audio_tokens,
            "input_token_details": {"audio_tokens": audio_tokens, "text_tokens": 0},
            "output_tokens": output,
            "total_tokens": audio_tokens + output,
        },
    }
    frames.append(Frame(f"data: {dumps(done)}\n\n", final=True))
    error = dumps({"type": "error", "error": {"message": "upstream error"}})
    return sse_response(ctx, frames, f"data: {error}\n\n")


def _speech_params(ctx: Ctx, body: dict[str, Any]) -> tuple[str, str]:
    model = body.get("model")
    if model not in SPEAKERS:
        ctx.model(body)
        raise ctx.bad(f"model {model} cannot generate speech", code="model_not_supported")
    text = body.get("input")
    if not isinstance(text, str) or not text:
        raise ctx.bad("input is required", param="input")
    if len(text) > MAX_INPUT:
        raise ctx.bad(
            f"Invalid 'input': string too long. Expected a string with maximum length "
            f"{MAX_INPUT}, but got a string with length {len(text)} instead.",
            param="input",
            code="string_above_max_length",
        )
    if not isinstance(body.get("voice"), str | dict) or not body.get("voice"):
        raise ctx.bad("voice is required", param="voice")
    fmt = body.get("response_format") or "mp3"
    if fmt not in SPEECH_TYPES:
        raise ctx.bad(
            f"Invalid value: '{fmt}'. Supported values are: {SPEECH_TYPES}", param="response_format"
        )
    speed = body.get("speed", 1.0)
    if not isinstance(speed, int | float) or not 0.25 <= speed <= 4.0:
        raise ctx.bad(f"Invalid 'speed': {speed!r} is not between 0.25 and 4.0", param="speed")
    return text, fmt


async def speech_route(ctx: Ctx) -> Response:
    text, fmt = _speech_params(ctx, ctx.json_body())
    pcm = speech.speak_pcm(text)
    content = pcm if fmt == "pcm" else speech.wav_from_pcm(pcm)
    media_type = "audio/pcm" if fmt == "pcm" else "audio/wav"
    # a plain body (not a generator) so that body faults (midstream_close, truncate, stall)
    # apply to it; clients still read it in chunks
    return Response(content, media_type=media_type)


# --- chat audio replies ------------------------------------------------------------------------


def wants_audio(body: dict[str, Any]) -> bool:
    modalities = body.get("modalities")
    return isinstance(modalities, list) and "audio" in modalities


def chat_audio(body: dict[str, Any], text: str, created: int) -> dict[str, Any]:
    """``message.audio`` for a reply whose text is ``text``: the emulator speaking it."""
    options: dict[str, Any] = body["audio"] if isinstance(body.get("audio"), dict) else {}
    pcm = speech.speak_pcm(text or " ")
    data = pcm if options.get("format") == "pcm16" else speech.wav_from_pcm(pcm)
    return {
        "id": f"audio_{stable_hex(text, options)}",
        "data": base64.b64encode(data).decode("ascii"),
        "expires_at": created + 3600,
        "transcript": text,
    }


def audio_deltas(audio: dict[str, Any], size: int = 4096) -> list[dict[str, Any]]:
    """The streamed form of ``chat_audio``: id and transcript first, then data in pieces,
    then the expiry (OpenAI's order)."""
    deltas: list[dict[str, Any]] = [{"id": audio["id"], "transcript": audio["transcript"]}]
    data = audio["data"]
    deltas += [{"data": data[i : i + size]} for i in range(0, len(data), size)]
    deltas.append({"expires_at": audio["expires_at"]})
    return deltas
