"""``WenwenTextToSpeechTool`` and ``WenwenSpeechToTextTool``: speak and transcribe as agent
steps. Speech comes back as a standard ``audio`` block; a transcript as the tool's text."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import content as blocks
from pydantic import BaseModel, Field

from wenwen.media.audio import SpeechAudio, Transcript

from ._base import ToolOutput, WenwenBaseTool, audio_block


class TextToSpeechInput(BaseModel):
    text: str = Field(description="The text to speak aloud (at most 4096 characters).")
    voice: str | None = Field(default=None, description="Voice name; leave empty for default.")


class SpeechToTextInput(BaseModel):
    audio_path: str = Field(description="Path of the audio file to transcribe.")
    language: str | None = Field(
        default=None, description="ISO-639-1 language code of the speech, if known."
    )


class WenwenTextToSpeechTool(WenwenBaseTool):
    """Speak text (``/v1/audio/speech``). With ``output_dir`` the audio is also written there."""

    name: str = "wenwen_text_to_speech"
    description: str = (
        "Turn text into spoken audio. Input: the text (and optionally a voice). Returns a "
        "short confirmation; the audio is attached."
    )
    args_schema: type[BaseModel] = TextToSpeechInput
    model: str = "tts-1"
    voice: str = "alloy"
    audio_format: str = "mp3"
    """``mp3``, ``opus``, ``aac``, ``flac``, ``wav`` or ``pcm``."""
    speed: float | None = None
    instructions: str | None = None

    def _options(self, voice: str | None) -> dict[str, Any]:
        options: dict[str, Any] = {
            "model": self.model,
            "voice": voice or self.voice,
            "response_format": self.audio_format,
        }
        if self.speed is not None:
            options["speed"] = self.speed
        if self.instructions is not None:
            options["instructions"] = self.instructions
        return options

    def _package(self, text: str, audio: SpeechAudio) -> ToolOutput:
        path = self.output_path(audio.content, audio.media_type)
        summary = f"Spoke {len(text)} characters as {audio.format} audio"
        if path is not None:
            path.write_bytes(audio.content)
            summary += f", saved to {path}"
        block = audio_block(
            audio.content, audio.media_type, transcript=text, path=str(path) if path else None
        )
        return summary + ".", [block]

    def _call(self, **kwargs: Any) -> ToolOutput:
        text = kwargs["text"]
        audio = self.client().audio.speech(text, **self._options(kwargs.get("voice")))
        return self._package(text, audio)

    async def _acall(self, **kwargs: Any) -> ToolOutput:
        text = kwargs["text"]
        client = await self.aclient()
        audio = await client.audio.speech(text, **self._options(kwargs.get("voice")))
        return self._package(text, audio)


class WenwenSpeechToTextTool(WenwenBaseTool):
    """Transcribe an audio file (``/v1/audio/transcriptions``)."""

    name: str = "wenwen_speech_to_text"
    description: str = (
        "Transcribe speech in an audio file to text. Input: the audio file path (and "
        "optionally its language code). Returns the transcript."
    )
    args_schema: type[BaseModel] = SpeechToTextInput
    model: str = "whisper-1"
    prompt: str | None = None
    """Text that guides spelling and style (names, jargon)."""

    def _options(self, language: str | None) -> dict[str, Any]:
        options: dict[str, Any] = {"model": self.model, "response_format": "verbose_json"}
        if language:
            options["language"] = language
        if self.prompt:
            options["prompt"] = self.prompt
        return options

    @staticmethod
    def _package(transcript: Transcript) -> ToolOutput:
        block = dict(blocks.create_text_block(transcript.text))
        block["extras"] = transcript.model_dump(exclude={"text", "document"}, exclude_none=True)
        return transcript.text, [block]

    def _audio(self, kwargs: dict[str, Any]) -> bytes:
        """The audio file the arguments name, read through ``file_access``."""
        return self.file_access().read(kwargs["audio_path"], "audio", argument="audio_path").content

    def _call(self, **kwargs: Any) -> ToolOutput:
        audio = self._audio(kwargs)
        transcript = self.client().audio.transcribe(audio, **self._options(kwargs.get("language")))
        return self._package(transcript)

    async def _acall(self, **kwargs: Any) -> ToolOutput:
        audio = self._audio(kwargs)
        client = await self.aclient()
        transcript = await client.audio.transcribe(audio, **self._options(kwargs.get("language")))
        return self._package(transcript)
