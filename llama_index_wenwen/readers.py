"""``WenwenAudioReader``: audio files as LlamaIndex ``Document``s through the relay's
``/v1/audio/transcriptions`` (``whisper-1`` by default). Usable alone or as a
``SimpleDirectoryReader`` file extractor:

    reader = WenwenAudioReader(language="en")
    docs = SimpleDirectoryReader("recordings", file_extractor={".wav": reader}).load_data()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Unpack

from llama_index.core.readers.base import BaseReader
from llama_index.core.schema import Document

from wenwen.media.audio import Transcript, transcript_pieces

from .tools._base import ConnectionSettings, WenwenConnection


class WenwenAudioReader(BaseReader):
    """Transcribe audio files into documents; ``by_segment=True`` gives one document per
    transcript segment (``start``/``end`` in the metadata). Connection settings as for the
    ``Wenwen`` LLM (``ConnectionSettings``: ``api_key``/``WENWEN_API_KEY``,
    ``base_url``/``WENWEN_BASE_URL``, ...)."""

    def __init__(
        self,
        *,
        model: str = "whisper-1",
        language: str | None = None,
        prompt: str | None = None,
        by_segment: bool = False,
        **connection: Unpack[ConnectionSettings],
    ) -> None:
        self.model = model
        self.language = language
        self.prompt = prompt
        self.by_segment = by_segment
        self.connection = WenwenConnection(**connection)

    def _options(self) -> dict[str, Any]:
        options = {"language": self.language, "prompt": self.prompt}
        options = {k: v for k, v in options.items() if v is not None}
        return {"model": self.model, "response_format": "verbose_json", **options}

    def _documents(
        self, file: Path, transcript: Transcript, extra_info: dict[str, Any] | None
    ) -> list[Document]:
        base = {"file_path": str(file), "file_name": file.name, "model": self.model}
        base.update(extra_info or {})
        return [
            Document(text=text, metadata={**base, **meta})
            for text, meta in transcript_pieces(transcript, by_segment=self.by_segment)
        ]

    def load_data(
        self, file: str | Path, extra_info: dict[str, Any] | None = None, **_: Any
    ) -> list[Document]:
        """Documents for one audio file (``fs`` and other reader arguments are ignored)."""
        path = Path(file)
        client = self.connection.client()
        transcript = client.audio.transcribe(path, **self._options())
        return self._documents(path, transcript, extra_info)

    async def aload_data(
        self, file: str | Path, extra_info: dict[str, Any] | None = None, **_: Any
    ) -> list[Document]:
        path = Path(file)
        client = await self.connection.aclient()
        transcript = await client.audio.transcribe(path, **self._options())
        return self._documents(path, transcript, extra_info)


__all__ = ["WenwenAudioReader"]
