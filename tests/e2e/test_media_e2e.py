"""``client.images`` and ``client.audio`` end to end on the emulator, for the sync and the async
client: real PNG/WAV bytes, key-less downloads of result URLs, typed errors."""

from __future__ import annotations

import asyncio
import io
import wave
from pathlib import Path
from typing import Any

import pytest

from tests._oracles import decode_png
from wenwen import AsyncWenwenClient, WenwenClient, errors
from wenwen.media.download import CREDENTIAL_HEADERS
from wenwen_emulator import Emulator
from wenwen_emulator.png import png_from_prompt

SOURCE = png_from_prompt("e2e source", 48, 48)


def call(client: Any, fn: Any) -> Any:
    """``fn(core_client)`` on the sync or the async client of the ``client`` fixture."""
    return client._run(fn)


def test_gpt_image_generation_decodes_to_a_png(client: Any) -> None:
    result = call(client, lambda c: c.images.generate("a red fox", size="1536x1024"))
    assert len(result) == 1 and result[0].url is None
    width, height, _, _ = decode_png(result[0].bytes())
    assert (width, height) == (1536, 1024)
    assert result.usage["output_tokens"] > 0


def test_url_results_download_without_the_key(client: Any, emu: Emulator, tmp_path: Path) -> None:
    result = call(client, lambda c: c.images.generate("a harbour", model="dall-e-3"))
    image = result[0]
    assert image.url and image.revised_prompt and image.b64_json is None
    saved = image.save(tmp_path / "harbour.png")
    assert decode_png(saved.read_bytes())[:2] == (1024, 1024)
    assert asyncio.run(image.abytes()) == saved.read_bytes()
    file_requests = [r for r in emu.requests if r.path.startswith("/files/")]
    api_requests = [r for r in emu.requests if r.path.startswith("/v1/")]
    assert len(file_requests) == 2
    assert all(not CREDENTIAL_HEADERS.intersection(r.headers) for r in file_requests)
    assert api_requests[0].headers["authorization"] == f"Bearer {emu.api_key}"


def test_edit_with_several_files(client: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.png"
    path.write_bytes(SOURCE)
    with path.open("rb") as handle:
        others = [handle, png_from_prompt("b", 16, 16)]
        result = call(client, lambda c: c.images.edit("combine", images=[path, *others], n=2))
    first, second = (decode_png(image.bytes()) for image in result.images)
    assert first[:2] == second[:2] == (48, 48)
    assert first[3] != decode_png(SOURCE)[3] and first[3] != second[3]


def test_speak_then_transcribe_round_trips(client: Any, tmp_path: Path) -> None:
    text = "Wenwen speaks. 你好，世界！"  # noqa: RUF001
    audio = call(client, lambda c: c.audio.speech(text, response_format="wav"))
    assert audio.media_type == "audio/wav" and audio.format == "wav"
    with wave.open(io.BytesIO(audio.content)) as wav:
        assert wav.getnframes() > 0
    transcript = call(
        client,
        lambda c: c.audio.transcribe(
            audio.content, response_format="verbose_json", timestamp_granularities=["word"]
        ),
    )
    assert transcript.text == text
    assert [w.word for w in transcript.words] == ["Wenwen", "speaks.", "你好，世界！"]  # noqa: RUF001
    target = call(
        client,
        lambda c: c.audio.speech_to_file(text, path=tmp_path / "s.wav", response_format="wav"),
    )
    assert target.read_bytes() == audio.content
    assert [p.name for p in tmp_path.iterdir()] == ["s.wav"]


@pytest.mark.parametrize("fmt", ["json", "text", "srt", "vtt", "verbose_json"])
def test_every_transcript_format_gives_the_text(client: Any, fmt: str) -> None:
    audio = call(client, lambda c: c.audio.speech("One. Two.", response_format="wav"))
    transcript = call(client, lambda c: c.audio.transcribe(audio.content, response_format=fmt))
    assert transcript.text == "One. Two."
    assert (transcript.document is not None) == (fmt in ("srt", "vtt"))
    assert bool(transcript.segments) == (fmt == "verbose_json")


def test_mp3_request_reports_the_format_the_server_sent(client: Any) -> None:
    audio = call(client, lambda c: c.audio.speech("hi"))
    assert audio.media_type == "audio/wav" and audio.format == "wav"


def test_relay_errors_are_typed(client: Any) -> None:
    with pytest.raises(errors.BadRequestError, match="cannot generate images"):
        call(client, lambda c: c.images.generate("x", model="gpt-4o-mini"))
    with pytest.raises(errors.BadRequestError, match="Invalid size"):
        call(client, lambda c: c.images.generate("x", model="dall-e-3", size="256x256"))
    with pytest.raises(errors.BadRequestError, match="square"):
        wide = png_from_prompt("wide", 32, 16)
        call(client, lambda c: c.images.edit("x", images=[wide], model="dall-e-2"))


def test_a_broken_speech_stream_leaves_no_file(emu: Emulator, tmp_path: Path) -> None:
    emu.state.inject("midstream_close:1", path="/v1/audio/speech")
    target = tmp_path / "s.wav"
    with (
        WenwenClient(api_key=emu.api_key, base_url=emu.base_url, max_retries=0) as client,
        pytest.raises(errors.APIConnectionError),
    ):
        client.audio.speech_to_file("hello " * 200, path=target, response_format="wav")
    assert list(tmp_path.iterdir()) == []

    async def main() -> None:
        emu.state.inject("midstream_close:1", path="/v1/audio/speech")
        async with AsyncWenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
            await client.audio.speech_to_file("hello " * 200, path=target, response_format="wav")

    with pytest.raises(errors.APIConnectionError):
        asyncio.run(main())
    assert list(tmp_path.iterdir()) == []
