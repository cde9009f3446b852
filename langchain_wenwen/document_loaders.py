"""Audio files as ``Document``s: ``WenwenWhisperParser`` (a ``BaseBlobParser``) transcribes
blobs through the relay's ``/v1/audio/transcriptions``; ``WenwenAudioLoader`` walks files or
directories and feeds them to it (sync and native async).

    from langchain_wenwen.document_loaders import WenwenAudioLoader
    docs = WenwenAudioLoader("recordings/", language="en").load()
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, Unpack

from langchain_core.document_loaders import BaseBlobParser, BaseLoader, Blob
from langchain_core.documents import Document

from wenwen.client_set import ClientSet
from wenwen.errors import InvalidFileError
from wenwen.media.audio import Transcript, transcript_pieces
from wenwen.media.multipart import FileInput

from ._connection import ClientOwner, ConnectionSettings, connection_fields

AUDIO_SUFFIXES = frozenset(
    {".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".wav", ".webm"}
)


class WenwenWhisperParser(ClientOwner, BaseBlobParser):
    """Transcribe audio blobs into documents (``whisper-1`` by default). Takes the same
    connection settings as ``ChatWenwen`` (``ConnectionSettings``: ``api_key``/``WENWEN_API_KEY``,
    ``base_url``/``WENWEN_BASE_URL``, ``timeout``, ``max_retries``, ``default_headers``, HTTP
    clients, ...).
    ``by_segment=True`` makes one document per transcript segment, with ``start``/``end``."""

    def __init__(
        self,
        *,
        model: str = "whisper-1",
        language: str | None = None,
        prompt: str | None = None,
        temperature: float | None = None,
        by_segment: bool = False,
        **connection: Unpack[ConnectionSettings],
    ) -> None:
        self.model = model
        self.language = language
        self.prompt = prompt
        self.temperature = temperature
        self.by_segment = by_segment
        vars(self).update(connection_fields(connection))  # api_key, base_url, timeout, ...
        self._clients = ClientSet()

    def _options(self) -> dict[str, Any]:
        given = {"language": self.language, "prompt": self.prompt, "temperature": self.temperature}
        options = {k: v for k, v in given.items() if v is not None}
        return {"model": self.model, "response_format": "verbose_json", **options}

    def _documents(self, blob: Blob, transcript: Transcript) -> list[Document]:
        source = blob.source or (str(blob.path) if blob.path else None)
        base = {"source": source, "model": self.model, **(blob.metadata or {})}
        return [
            Document(page_content=text, metadata={**base, **meta})
            for text, meta in transcript_pieces(transcript, by_segment=self.by_segment)
        ]

    def lazy_parse(self, blob: Blob) -> Iterator[Document]:
        client = self._clients.sync(self._make_client)
        transcript = client.audio.transcribe(_blob_file(blob), **self._options())
        yield from self._documents(blob, transcript)

    async def aparse(self, blob: Blob) -> list[Document]:
        """The async counterpart of ``parse`` (runs on the event loop's own client)."""
        client = await self._clients.for_running_loop(self._make_async_client)
        transcript = await client.audio.transcribe(_blob_file(blob), **self._options())
        return self._documents(blob, transcript)


def _blob_file(blob: Blob) -> FileInput:
    if blob.data is None and blob.path is not None:
        return Path(blob.path)
    return blob.as_bytes()


def audio_files(paths: str | Path | Sequence[str | Path], glob: str = "**/*") -> list[Path]:
    """The audio files named by ``paths`` (directories searched with ``glob``), sorted;
    a missing path is an ``InvalidFileError``."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    found: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            found += sorted(p for p in item.glob(glob) if p.suffix.lower() in AUDIO_SUFFIXES)
        elif item.is_file():
            found.append(item)
        else:
            raise InvalidFileError(f"audio path {str(item)!r} does not exist")
    return found


class WenwenAudioLoader(BaseLoader):
    """Load audio files (or directories of them) as transcript documents."""

    def __init__(
        self,
        paths: str | Path | Sequence[str | Path],
        *,
        glob: str = "**/*",
        parser: WenwenWhisperParser | None = None,
        **parser_options: Any,
    ) -> None:
        self.paths = paths
        self.glob = glob
        self.parser = parser or WenwenWhisperParser(**parser_options)

    def lazy_load(self) -> Iterator[Document]:
        for path in audio_files(self.paths, self.glob):
            yield from self.parser.lazy_parse(Blob.from_path(path))

    async def alazy_load(self) -> AsyncIterator[Document]:
        for path in audio_files(self.paths, self.glob):
            for document in await self.parser.aparse(Blob.from_path(path)):
                yield document


__all__ = ["WenwenAudioLoader", "WenwenWhisperParser", "audio_files"]
