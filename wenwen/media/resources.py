"""``client.images`` and ``client.audio``: thin resources over the client's public ``send``.

The requests and replies are mapped in ``images`` / ``audio`` (sans-IO); these classes only
send them through the client (its auth, retries and typed errors) and, for speech, stream the
reply body into a file.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, Unpack

from .. import billing
from ..protocols import HttpRequest
from ._keyword_only import keyword_only, speech_text_and_path
from .audio import (
    DEFAULT_SPEECH_MODEL,
    DEFAULT_TRANSCRIPTION_MODEL,
    DEFAULT_VOICE,
    SPEECH_FORMATS,
    SpeechAudio,
    SpeechOptions,
    TranscribeOptions,
    Transcript,
    parse_transcription,
    speech_request,
    transcription_request,
)
from .download import FileSink
from .images import (
    DEFAULT_IMAGE_MODEL,
    EditOptions,
    GenerateOptions,
    ImageResult,
    edit_request,
    generation_request,
    parse_images,
)
from .multipart import FileInput
from .sinks import speech_check

if TYPE_CHECKING:
    from .._http.api import AsyncRequestClient, RequestClient

T = TypeVar("T")


@dataclass(frozen=True)
class _Call(Generic[T]):
    """One operation, sans-IO: the request to send and how to read its reply."""

    spec: HttpRequest
    read: Callable[..., T]


def _generation(prompt: str, model: str, options: GenerateOptions) -> _Call[ImageResult]:
    spec = generation_request(prompt, model=model, **options)
    return _Call(spec, functools.partial(parse_images, output_format=options.get("output_format")))


def _edit(
    prompt: str,
    images: FileInput | Sequence[FileInput],
    mask: FileInput | None,
    model: str,
    options: EditOptions,
) -> _Call[ImageResult]:
    spec = edit_request(prompt, images, mask=mask, model=model, **options)
    return _Call(spec, functools.partial(parse_images, output_format=options.get("output_format")))


def _transcription(
    file: FileInput, model: str, response_format: str, options: TranscribeOptions
) -> _Call[Transcript]:
    """``read(content)``."""
    spec = transcription_request(file, model=model, response_format=response_format, **options)
    return _Call(spec, functools.partial(_read_transcript, response_format=response_format))


def _read_transcript(content: bytes, *, response_format: str) -> Transcript:
    return parse_transcription(content, response_format)


def _speech(
    text: str, model: str, voice: str, response_format: str, options: SpeechOptions
) -> _Call[SpeechAudio]:
    """``read(headers, content)``."""
    spec = speech_request(
        text, model=model, voice=voice, response_format=response_format, **options
    )
    return _Call(spec, functools.partial(_speech_audio, requested=response_format))


@contextlib.contextmanager
def _streamed_file(path: str | os.PathLike[str]) -> Iterator[FileSink]:
    """A ``FileSink`` for a reply body: discarded (never left partial) when the transfer
    fails (the client's reply raises only typed, key-free errors). Commit after."""
    sink = FileSink(path)
    try:
        yield sink
    except BaseException:
        sink.discard()
        raise


def _speech_audio(headers: Mapping[str, str], content: bytes, requested: str) -> SpeechAudio:
    """The audio with the media type the server declared (a relay or the emulator may answer
    in another format than asked), else the one asked for."""
    check = speech_check(headers.get("content-type"), requested)  # audio, not an error page
    check.add(content)
    check.finish()
    declared = headers.get("content-type", "").split(";")[0].strip()
    media_type = declared if declared.startswith("audio/") else SPEECH_FORMATS[requested]
    fmt = next((k for k, v in SPEECH_FORMATS.items() if v == media_type), requested)
    return SpeechAudio(content=content, format=fmt, media_type=media_type)


class Images:
    """``client.images``: generate and edit images."""

    def __init__(self, client: RequestClient) -> None:
        self._client = client

    def generate(
        self, prompt: str, *, model: str = DEFAULT_IMAGE_MODEL, **options: Unpack[GenerateOptions]
    ) -> ImageResult:
        """``options``: ``n``, ``size``, ``quality``, ``style``, ``background``,
        ``output_format``, ``response_format``, ``user``, ``extra_body``."""
        call = _generation(prompt, model, options)
        meter = billing.begin(self._client)  # cost: budgets before the request
        return _priced(
            meter,
            model,
            call.read(self._client.send(call.spec).json()).downloading_for(self._client),
        )

    def edit(
        self,
        prompt: str,
        *legacy: FileInput | Sequence[FileInput],
        images: FileInput | Sequence[FileInput] | None = None,
        mask: FileInput | None = None,
        model: str = DEFAULT_IMAGE_MODEL,
        **options: Unpack[EditOptions],
    ) -> ImageResult:
        """``images``: paths, bytes or binary file objects (sent as ``image[]``)."""
        images = keyword_only("images.edit", "images", images, legacy)
        call = _edit(prompt, images, mask, model, options)
        meter = billing.begin(self._client)  # cost: budgets before the request
        return _priced(
            meter,
            model,
            call.read(self._client.send(call.spec).json()).downloading_for(self._client),
        )


class AsyncImages:
    """``async_client.images``."""

    def __init__(self, client: AsyncRequestClient) -> None:
        self._client = client

    async def generate(
        self, prompt: str, *, model: str = DEFAULT_IMAGE_MODEL, **options: Unpack[GenerateOptions]
    ) -> ImageResult:
        call = _generation(prompt, model, options)
        meter = await billing.abegin(self._client)  # cost: budgets before the request
        reply = await self._client.send(call.spec)
        return _priced(meter, model, call.read(reply.json()).downloading_for(self._client))

    async def edit(
        self,
        prompt: str,
        *legacy: FileInput | Sequence[FileInput],
        images: FileInput | Sequence[FileInput] | None = None,
        mask: FileInput | None = None,
        model: str = DEFAULT_IMAGE_MODEL,
        **options: Unpack[EditOptions],
    ) -> ImageResult:
        images = keyword_only("images.edit", "images", images, legacy)
        call = _edit(prompt, images, mask, model, options)
        meter = await billing.abegin(self._client)  # cost: budgets before the request
        reply = await self._client.send(call.spec)
        return _priced(meter, model, call.read(reply.json()).downloading_for(self._client))


class Audio:
    """``client.audio``: transcribe audio files and speak text."""

    def __init__(self, client: RequestClient) -> None:
        self._client = client

    def transcribe(
        self,
        file: FileInput,
        *,
        model: str = DEFAULT_TRANSCRIPTION_MODEL,
        response_format: str = "json",
        **options: Unpack[TranscribeOptions],
    ) -> Transcript:
        """``options``: ``language``, ``prompt``, ``temperature``,
        ``timestamp_granularities``, ``extra_body``."""
        call = _transcription(file, model, response_format, options)
        meter = billing.begin(self._client)  # cost: budgets before the request
        return _priced(meter, model, call.read(self._client.send(call.spec).content))

    def speech(
        self,
        text: str,
        *,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: str = "mp3",
        **options: Unpack[SpeechOptions],
    ) -> SpeechAudio:
        """The spoken audio in memory. ``options``: ``speed``, ``instructions``,
        ``extra_body``."""
        call = _speech(text, model, voice, response_format, options)
        meter = billing.begin(self._client)  # cost: budgets before the request
        reply = self._client.send(call.spec)
        return _priced(meter, model, call.read(reply.headers, reply.content))

    def speech_to_file(
        self,
        text: str,
        *legacy: str | os.PathLike[str],
        path: str | os.PathLike[str] | None = None,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: str = "mp3",
        **options: Unpack[SpeechOptions],
    ) -> Path:
        """Stream the spoken ``text`` into ``path`` chunk by chunk (never whole in memory);
        the file appears only once complete. The old ``(path, text)`` order still works,
        deprecated, when the first argument is plainly a file name."""
        text, path = speech_text_and_path(text, legacy, path)
        call = _speech(text, model, voice, response_format, options)
        meter = billing.begin(self._client)  # cost: budgets before the request
        with self._client.send(call.spec, stream=True) as reply, _streamed_file(path) as sink:
            check = speech_check(reply.headers.get("content-type"), response_format)
            for chunk in reply.iter_bytes():
                check.add(chunk)
                sink.write(chunk)
            check.finish()
        return _priced(meter, model, sink.commit())


class AsyncAudio:
    """``async_client.audio``."""

    def __init__(self, client: AsyncRequestClient) -> None:
        self._client = client

    async def transcribe(
        self,
        file: FileInput,
        *,
        model: str = DEFAULT_TRANSCRIPTION_MODEL,
        response_format: str = "json",
        **options: Unpack[TranscribeOptions],
    ) -> Transcript:
        call = _transcription(file, model, response_format, options)
        meter = await billing.abegin(self._client)  # cost: budgets before the request
        return _priced(meter, model, call.read((await self._client.send(call.spec)).content))

    async def speech(
        self,
        text: str,
        *,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: str = "mp3",
        **options: Unpack[SpeechOptions],
    ) -> SpeechAudio:
        call = _speech(text, model, voice, response_format, options)
        meter = await billing.abegin(self._client)  # cost: budgets before the request
        reply = await self._client.send(call.spec)
        return _priced(meter, model, call.read(reply.headers, reply.content))

    async def speech_to_file(
        self,
        text: str,
        *legacy: str | os.PathLike[str],
        path: str | os.PathLike[str] | None = None,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: str = "mp3",
        **options: Unpack[SpeechOptions],
    ) -> Path:
        text, path = speech_text_and_path(text, legacy, path)
        call = _speech(text, model, voice, response_format, options)
        meter = await billing.abegin(self._client)  # cost: budgets before the request
        reply = await self._client.send(call.spec, stream=True)
        async with reply:
            with _streamed_file(path) as sink:
                check = speech_check(reply.headers.get("content-type"), response_format)
                async for chunk in reply.aiter_bytes():
                    check.add(chunk)
                    sink.write(chunk)
                check.finish()
        return _priced(meter, model, sink.commit())


R = TypeVar("R")


def _priced(meter: billing.Call | None, model: str, result: R) -> R:
    """``result`` priced per call (per image for images) when costs are tracked."""
    if meter is not None:
        calls = len(result.images) if isinstance(result, ImageResult) else 1
        cost = meter.end(model, None, calls=calls)
        if isinstance(result, ImageResult | Transcript | SpeechAudio):
            result.cost = cost
    return result


__all__ = ["AsyncAudio", "AsyncImages", "Audio", "Images"]
