"""The ``audio`` tool group: speak text and transcribe audio files.

Speech comes back as a ``SpokenAudio``: the agent's LLM sees its one-line summary (chat
protocols cannot carry audio inside a tool result), while ``ToolOutput.raw_output.audio``
holds the ``AudioBlock`` (and ``path`` the saved file, with ``output_dir``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from llama_index.core.base.llms.types import AudioBlock

from wenwen.media.audio import SpeechAudio

from ._base import ToolGroup


@dataclass(frozen=True)
class SpokenAudio:
    """The result of ``text_to_speech``; ``str()`` is the summary the agent reads."""

    summary: str
    audio: AudioBlock
    path: Path | None = None

    def __str__(self) -> str:
        return self.summary


class AudioTools(ToolGroup):
    GROUP: ClassVar[str] = "audio"
    FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("text_to_speech", "atext_to_speech"),
        ("speech_to_text", "aspeech_to_text"),
    )
    OPTIONS: ClassVar[dict[str, Any]] = {
        "speech_model": "tts-1",
        "voice": "alloy",
        "speech_format": "mp3",
        "transcription_model": "whisper-1",
    }

    def _speech_options(self, voice: str | None) -> dict[str, Any]:
        return {
            "model": self.options["speech_model"],
            "voice": voice or self.options["voice"],
            "response_format": self.options["speech_format"],
        }

    def _spoken(self, text: str, audio: SpeechAudio) -> SpokenAudio:
        path = self.output_path(audio.content, audio.media_type)
        summary = f"Spoke {len(text)} characters as {audio.format} audio"
        if path is not None:
            path.write_bytes(audio.content)
            summary += f", saved to {path}"
        block = AudioBlock(audio=audio.content, format=audio.format, path=path)
        return SpokenAudio(summary + ".", block, path)

    def text_to_speech(self, text: str, voice: str | None = None) -> SpokenAudio:
        """Speak text aloud (at most 4096 characters); ``voice`` is optional. Returns a
        confirmation (and the saved file's path)."""
        client = self.connection.client()
        audio = client.audio.speech(text, **self._speech_options(voice))
        return self._spoken(text, audio)

    async def atext_to_speech(self, text: str, voice: str | None = None) -> SpokenAudio:
        """Speak text aloud (at most 4096 characters); ``voice`` is optional. Returns a
        confirmation (and the saved file's path)."""
        client = await self.connection.aclient()
        audio = await client.audio.speech(text, **self._speech_options(voice))
        return self._spoken(text, audio)

    def speech_to_text(self, audio_path: str, language: str | None = None) -> str:
        """Transcribe the speech in an audio file (path); ``language`` is an optional
        ISO-639-1 code. Returns the transcript."""
        audio = self.files.read(audio_path, "audio", argument="audio_path").content
        client = self.connection.client()
        model = self.options["transcription_model"]
        return client.audio.transcribe(audio, model=model, language=language).text

    async def aspeech_to_text(self, audio_path: str, language: str | None = None) -> str:
        """Transcribe the speech in an audio file (path); ``language`` is an optional
        ISO-639-1 code. Returns the transcript."""
        audio = self.files.read(audio_path, "audio", argument="audio_path").content
        client = await self.connection.aclient()
        model = self.options["transcription_model"]
        transcript = await client.audio.transcribe(audio, model=model, language=language)
        return transcript.text
