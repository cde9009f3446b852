"""``client.images`` and ``client.audio``: thin resources over a client's send path.

The requests and replies are mapped in ``images`` / ``audio`` (sans-IO); these classes only
send them through the client (its auth, retries and typed errors) and, for speech, stream the
reply body into a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

import httpx

from .._replies import transport_error
from ..protocols import HttpRequest
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

if TYPE_CHECKING:
    from .._client import AsyncWenwenClient, WenwenClient


def _stream_error(exc: httpx.HTTPError, client: WenwenClient | AsyncWenwenClient) -> Exception:
    return transport_error(exc, client._core.secret())


def _speech_audio(headers: Mapping[str, str], content: bytes, requested: str) -> SpeechAudio:
    """The audio with the media type the server declared (a relay or the emulator may answer
    in another format than asked), else the one asked for."""
    declared = headers.get("content-type", "").split(";")[0].strip()
    media_type = declared if declared.startswith("audio/") else SPEECH_FORMATS[requested]
    fmt = next((k for k, v in SPEECH_FORMATS.items() if v == media_type), requested)
    return SpeechAudio(content=content, format=fmt, media_type=media_type)


class Images:
    """``client.images``: generate and edit images."""

    def __init__(self, client: WenwenClient) -> None:
        self._client = client

    def generate(
        self, prompt: str, *, model: str = DEFAULT_IMAGE_MODEL, **options: Unpack[GenerateOptions]
    ) -> ImageResult:
        """``options``: ``n``, ``size``, ``quality``, ``style``, ``background``,
        ``output_format``, ``response_format``, ``user``, ``extra_body``."""
        spec = generation_request(prompt, model=model, **options)
        body = self._client._json(spec)
        return parse_images(body, output_format=options.get("output_format"))

    def edit(
        self,
        prompt: str,
        images: FileInput | Sequence[FileInput],
        *,
        mask: FileInput | None = None,
        model: str = DEFAULT_IMAGE_MODEL,
        **options: Unpack[EditOptions],
    ) -> ImageResult:
        """``images``: paths, bytes or binary file objects (sent as ``image[]``)."""
        spec = edit_request(prompt, images, mask=mask, model=model, **options)
        body = self._client._json(spec)
        return parse_images(body, output_format=options.get("output_format"))


class AsyncImages:
    """``async_client.images``."""

    def __init__(self, client: AsyncWenwenClient) -> None:
        self._client = client

    async def generate(
        self, prompt: str, *, model: str = DEFAULT_IMAGE_MODEL, **options: Unpack[GenerateOptions]
    ) -> ImageResult:
        spec = generation_request(prompt, model=model, **options)
        body = await self._client._json(spec)
        return parse_images(body, output_format=options.get("output_format"))

    async def edit(
        self,
        prompt: str,
        images: FileInput | Sequence[FileInput],
        *,
        mask: FileInput | None = None,
        model: str = DEFAULT_IMAGE_MODEL,
        **options: Unpack[EditOptions],
    ) -> ImageResult:
        spec = edit_request(prompt, images, mask=mask, model=model, **options)
        body = await self._client._json(spec)
        return parse_images(body, output_format=options.get("output_format"))


def _speech_options(
    text: str, model: str, voice: str, response_format: str, options: SpeechOptions
) -> HttpRequest:
    return speech_request(
        text, model=model, voice=voice, response_format=response_format, **options
    )


class Audio:
    """``client.audio``: transcribe audio files and speak text."""

    def __init__(self, client: WenwenClient) -> None:
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
        spec = transcription_request(file, model=model, response_format=response_format, **options)
        client = self._client
        response = client._send(client._core.prepare(spec))
        return parse_transcription(response.content, response_format)

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
        spec = _speech_options(text, model, voice, response_format, options)
        client = self._client
        response = client._send(client._core.prepare(spec))
        return _speech_audio(response.headers, response.content, response_format)

    def speech_to_file(
        self,
        path: str | os.PathLike[str],
        text: str,
        *,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: str = "mp3",
        **options: Unpack[SpeechOptions],
    ) -> Path:
        """Stream the spoken audio into ``path`` chunk by chunk (never whole in memory); the
        file appears only once complete."""
        spec = _speech_options(text, model, voice, response_format, options)
        client = self._client
        response = client._send(client._core.prepare(spec), stream=True)
        sink = FileSink(path)
        try:
            for chunk in response.iter_bytes():
                sink.write(chunk)
        except httpx.HTTPError as exc:
            sink.discard()
            raise _stream_error(exc, client) from None
        except BaseException:
            sink.discard()
            raise
        finally:
            response.close()
        return sink.commit()


class AsyncAudio:
    """``async_client.audio``."""

    def __init__(self, client: AsyncWenwenClient) -> None:
        self._client = client

    async def transcribe(
        self,
        file: FileInput,
        *,
        model: str = DEFAULT_TRANSCRIPTION_MODEL,
        response_format: str = "json",
        **options: Unpack[TranscribeOptions],
    ) -> Transcript:
        spec = transcription_request(file, model=model, response_format=response_format, **options)
        client = self._client
        response = await client._send(client._core.prepare(spec))
        return parse_transcription(await response.aread(), response_format)

    async def speech(
        self,
        text: str,
        *,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: str = "mp3",
        **options: Unpack[SpeechOptions],
    ) -> SpeechAudio:
        spec = _speech_options(text, model, voice, response_format, options)
        client = self._client
        response = await client._send(client._core.prepare(spec))
        return _speech_audio(response.headers, await response.aread(), response_format)

    async def speech_to_file(
        self,
        path: str | os.PathLike[str],
        text: str,
        *,
        model: str = DEFAULT_SPEECH_MODEL,
        voice: str = DEFAULT_VOICE,
        response_format: str = "mp3",
        **options: Unpack[SpeechOptions],
    ) -> Path:
        spec = _speech_options(text, model, voice, response_format, options)
        client = self._client
        response = await client._send(client._core.prepare(spec), stream=True)
        sink = FileSink(path)
        try:
            async for chunk in response.aiter_bytes():
                sink.write(chunk)
        except httpx.HTTPError as exc:
            sink.discard()
            raise _stream_error(exc, client) from None
        except BaseException:
            sink.discard()
            raise
        finally:
            await response.aclose()
        return sink.commit()


__all__ = ["AsyncAudio", "AsyncImages", "Audio", "Images"]
