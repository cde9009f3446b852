"""The ``audio`` tool group: speak text (``AudioBlock``) and transcribe audio files."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from llama_index.core.base.llms.types import AudioBlock, ContentBlock, TextBlock

from wenwen.media.audio import SpeechAudio

from ._base import ToolGroup


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

    def _speech_blocks(self, text: str, audio: SpeechAudio) -> list[ContentBlock]:
        digest = hashlib.sha256(audio.content).hexdigest()[:12]
        path = self.output_path(f"speech-{digest}", audio.media_type)
        summary = f"Spoke {len(text)} characters as {audio.format} audio"
        if path is not None:
            path.write_bytes(audio.content)
            summary += f", saved to {path}"
        block = AudioBlock(audio=audio.content, format=audio.format, path=path)
        return [TextBlock(text=summary + "."), block]

    def text_to_speech(self, text: str, voice: str | None = None) -> list[ContentBlock]:
        """Speak text aloud (at most 4096 characters); ``voice`` is optional. Returns a
        confirmation and the audio."""
        client = self.connection.client()
        audio = client.audio.speech(text, **self._speech_options(voice))
        return self._speech_blocks(text, audio)

    async def atext_to_speech(self, text: str, voice: str | None = None) -> list[ContentBlock]:
        """Speak text aloud (at most 4096 characters); ``voice`` is optional. Returns a
        confirmation and the audio."""
        client = await self.connection.aclient()
        audio = await client.audio.speech(text, **self._speech_options(voice))
        return self._speech_blocks(text, audio)

    def speech_to_text(self, audio_path: str, language: str | None = None) -> str:
        """Transcribe the speech in an audio file (path); ``language`` is an optional
        ISO-639-1 code. Returns the transcript."""
        client = self.connection.client()
        model = self.options["transcription_model"]
        return client.audio.transcribe(audio_path, model=model, language=language).text

    async def aspeech_to_text(self, audio_path: str, language: str | None = None) -> str:
        """Transcribe the speech in an audio file (path); ``language`` is an optional
        ISO-639-1 code. Returns the transcript."""
        client = await self.connection.aclient()
        model = self.options["transcription_model"]
        transcript = await client.audio.transcribe(audio_path, model=model, language=language)
        return transcript.text
