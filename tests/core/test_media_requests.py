"""Images and audio requests (sans-IO): the bodies we build satisfy the OpenAI spec's request
schemas (multipart parsed back with the standard library's email parser, not our code), bad
files are refused before any request, and a multipart upload is retried whole."""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._clock import RecordedWaits
from tests._spec import validate_openai
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.errors import ConfigurationError, InvalidFileError, ProtocolError
from wenwen.media import images as images_module
from wenwen.media.audio import (
    parse_transcription,
    speech_request,
    subtitle_text,
    transcript_pieces,
    transcription_request,
)
from wenwen.media.images import edit_request, generation_request, parse_images
from wenwen.protocols import HttpRequest
from wenwen_emulator.png import png_from_prompt
from wenwen_emulator.speech import speak_wav

PNG = png_from_prompt("input", 16, 16)
WAV = speak_wav("hello")


def parse_multipart(spec: HttpRequest) -> tuple[dict[str, list[str]], list[tuple[str, Any]]]:
    """Fields and files of a multipart body, read by ``email`` (independent of our encoder)."""
    assert spec.content is not None
    head = f"Content-Type: {spec.headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + spec.content)
    assert message.is_multipart()
    fields: dict[str, list[str]] = {}
    files: list[tuple[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if part.get_filename():
            files.append((name, (part.get_filename(), part.get_content_type(), payload)))
        else:
            fields.setdefault(name, []).append(payload.decode())
    return fields, files


def as_instance(fields: dict[str, list[str]], files: list[tuple[str, Any]]) -> dict[str, Any]:
    """The multipart form as a JSON-schema instance: numbers parsed, ``x[]`` arrays, files as
    strings (``format: binary``)."""
    out: dict[str, Any] = {}
    for name, values in fields.items():
        typed = [json.loads(v) if v.replace(".", "", 1).isdigit() else v for v in values]
        out[name.removesuffix("[]")] = typed if name.endswith("[]") else typed[-1]
    for name, _ in files:
        key = name.removesuffix("[]")
        if name.endswith("[]"):
            out.setdefault(key, []).append("<binary>")
        else:
            out[key] = "<binary>"
    return out


# --- request bodies against the spec ---------------------------------------------------------


def test_generation_body_matches_the_spec() -> None:
    spec = generation_request(
        "a red fox", model="dall-e-3", n=1, size="1024x1792", quality="hd", style="vivid",
        response_format="b64_json", user="u-1", extra_body={"moderation": "low"},
    )  # fmt: skip
    assert spec.path == "/v1/images/generations"
    assert spec.json is not None
    validate_openai("CreateImageRequest", spec.json)
    assert spec.json["moderation"] == "low"
    gpt = generation_request("x", background="transparent", output_format="webp")
    assert gpt.json == {
        "model": "gpt-image-1", "prompt": "x", "background": "transparent",
        "output_format": "webp",
    }  # fmt: skip


def test_edit_is_multipart_with_image_array_and_matches_the_spec(tmp_path: Path) -> None:
    path = tmp_path / "first.png"
    path.write_bytes(PNG)
    jpeg = b"\xff\xd8\xff\xe0" + b"jpeg-body"
    spec = edit_request(
        "put them in a basket", [path, jpeg, io.BytesIO(PNG)], mask=PNG, quality="high", n=2
    )
    fields, files = parse_multipart(spec)
    assert spec.path == "/v1/images/edits"
    assert [name for name, _ in files] == ["image[]", "image[]", "image[]", "mask"]
    assert files[0][1] == ("first.png", "image/png", PNG)
    assert files[1][1] == ("image1.jpg", "image/jpeg", jpeg)
    assert files[2][1][1:] == ("image/png", PNG)
    assert fields == {
        "model": ["gpt-image-1"], "prompt": ["put them in a basket"], "n": ["2"],
        "quality": ["high"],
    }  # fmt: skip
    validate_openai("CreateImageEditRequest", as_instance(fields, files))


def test_transcription_is_multipart_and_matches_the_spec() -> None:
    spec = transcription_request(
        WAV, language="en", prompt="names: Wenwen", response_format="verbose_json",
        temperature=0.2, timestamp_granularities=["word", "segment"],
    )  # fmt: skip
    fields, files = parse_multipart(spec)
    assert files == [("file", ("audio.wav", "audio/wav", WAV))]
    assert fields["timestamp_granularities[]"] == ["word", "segment"]
    validate_openai("CreateTranscriptionRequest", as_instance(fields, files))


def test_speech_body_matches_the_spec() -> None:
    spec = speech_request(
        "Hello", model="gpt-4o-mini-tts", voice="coral", response_format="wav", speed=1.5,
        instructions="cheerful",
    )  # fmt: skip
    assert spec.json is not None
    validate_openai("CreateSpeechRequest", spec.json)


# --- bad input, before any request ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: edit_request("x", [p / "missing.png"]), "does not exist"),
        (lambda p: edit_request("x", [b""]), "image is empty"),
        (lambda p: edit_request("x", [b"%PDF-1.7 not an image"]), "not a recognised media"),
        (lambda p: edit_request("x", [WAV]), "looks like audio/wav; expected one of: jpeg, png"),
        (lambda p: edit_request("x", [b"\xff\xd8\xff"], model="dall-e-2"), "expected one of: png"),
        (lambda p: edit_request("x", [PNG + bytes(4 * 2**20)], model="dall-e-2"), "limit is"),
        (lambda p: edit_request("x", [PNG], mask=b"GIF89a..."), "mask looks like image/gif"),
        (lambda p: edit_request("x", [io.StringIO("text")]), "text mode"),
        (lambda p: edit_request("x", [42]), "not int"),
        (lambda p: transcription_request(PNG), "looks like image/png"),
        (lambda p: transcription_request(b"RIFF" + bytes(25 * 2**20)), "limit is 26214400"),
    ],
)
def test_bad_files_are_invalid_file_errors(tmp_path: Path, make: Any, problem: str) -> None:
    with pytest.raises(InvalidFileError, match=problem):
        make(tmp_path)


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: generation_request(" "), "prompt must be a non-empty"),
        (lambda: generation_request("x", n=11), "n must be between 1 and 10"),
        (lambda: generation_request("x" * 1001, model="dall-e-2"), "dall-e-2 takes at most 1000"),
        (lambda: edit_request("x" * 32001, [PNG]), "gpt-image-1 takes at most 32000"),
        (lambda: edit_request("x", []), "at least one image"),
        (lambda: edit_request("x", [PNG] * 17), "at most 16"),
        (lambda: edit_request("x", [PNG, PNG], model="dall-e-2"), "at most 1"),
        (lambda: transcription_request(WAV, response_format="xml"), "response_format must be"),
        (lambda: transcription_request(WAV, timestamp_granularities=["word"]), "verbose_json"),
        (lambda: transcription_request(WAV, temperature=2), "temperature"),
        (lambda: speech_request("x" * 4097), "limit is 4096"),
        (lambda: speech_request("hi", speed=5), "speed must be"),
        (lambda: speech_request("hi", response_format="ogg"), "response_format must be"),
    ],
)
def test_bad_arguments_are_configuration_errors(make: Any, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        make()


def test_the_client_sends_nothing_for_a_bad_file(tmp_path: Path) -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={}))
    with WenwenClient(
        api_key="k", base_url="http://relay.test", http_client=httpx.Client(transport=transport)
    ) as client:
        with pytest.raises(InvalidFileError):
            client.images.edit("x", images=[tmp_path / "nope.png"])
        with pytest.raises(InvalidFileError):
            client.audio.transcribe(b"")
    assert sent == []


# --- retries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_multipart_uploads_are_retried_whole(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bodies: list[bytes] = []
    statuses = iter([503, 429, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        status = next(statuses)
        if status != 200:
            return httpx.Response(status, json={"error": {"message": "busy", "type": "x"}})
        return httpx.Response(200, json={"created": 1, "data": [{"b64_json": "iVBORw=="}]})

    waits = RecordedWaits()
    options: dict[str, Any] = {
        "api_key": "k",
        "base_url": "http://relay.test",
        "clock": waits.clock,
    }
    if kind == "sync":
        http = httpx.Client(transport=httpx.MockTransport(handler))
        with WenwenClient(**options, http_client=http) as client:
            result = client.images.edit("x", images=[PNG, PNG])
    else:

        async def main() -> Any:
            http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
            async with AsyncWenwenClient(**options, http_client=http) as client:
                return await client.images.edit("x", images=[PNG, PNG])

        result = asyncio.run(main())
    assert len(bodies) == 3 and len(waits) == 2
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0].count(PNG) == 2
    assert result[0].bytes() == b"\x89PNG"


# --- replies -----------------------------------------------------------------------------------------


def test_parse_images_keeps_urls_base64_revised_prompt_and_usage() -> None:
    body = {
        "created": 5,
        "data": [
            {"url": "https://cdn.test/a.png", "revised_prompt": "better"},
            {"b64_json": "AA=="},
        ],
        "usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        "output_format": "webp",
    }
    result = parse_images(body)
    assert [i.url for i in result.images] == ["https://cdn.test/a.png", None]
    assert result[0].revised_prompt == "better"
    assert result[1].bytes() == b"\x00"
    assert result[1].media_type == "image/webp"
    assert result.usage == body["usage"]


@pytest.mark.parametrize(
    "body", [{}, {"data": []}, {"data": [{}]}, {"data": [{"b64_json": "not base64!"}]}]
)
def test_image_replies_that_lose_images_are_protocol_errors(body: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_images(body)[0].bytes()


def test_saving_an_inline_image_writes_it_whole(tmp_path: Path) -> None:
    image = images_module.GeneratedImage(b64_json="iVBORw==")
    assert image.save(tmp_path / "sub" / "a.png").read_bytes() == b"\x89PNG"


def test_transcription_replies_in_every_format() -> None:
    srt = (
        "1\n00:00:00,000 --> 00:00:01,000\nHello there.\n\n2\n00:00:01,000 --> 00:00:02,000\nBye.\n"
    )
    vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\nHello there.\n"
    assert parse_transcription(b'{"text":"Hi"}', "json").text == "Hi"
    assert parse_transcription(b"Hi\n", "text").text == "Hi"
    assert parse_transcription(srt.encode(), "srt").text == "Hello there. Bye."
    assert parse_transcription(srt.encode(), "srt").document == srt
    assert parse_transcription(vtt.encode(), "vtt").text == "Hello there."
    assert parse_transcription(b'{"text":"wrapped"}', "text").text == "wrapped"
    verbose = {
        "text": "Hello there. Bye.", "language": "english", "duration": 2.0,
        "segments": [
            {"id": 0, "start": 0.0, "end": 1.0, "text": " Hello there."},
            {"id": 1, "start": 1.0, "end": 2.0, "text": " Bye."},
        ],
        "words": [{"word": "Hello", "start": 0.0, "end": 0.5}],
    }  # fmt: skip
    transcript = parse_transcription(json.dumps(verbose).encode(), "verbose_json")
    assert [w.word for w in transcript.words] == ["Hello"]
    assert transcript_pieces(transcript, by_segment=True) == [
        ("Hello there.", {"language": "english", "duration": 2.0, "segment": 0, "start": 0.0, "end": 1.0}),
        ("Bye.", {"language": "english", "duration": 2.0, "segment": 1, "start": 1.0, "end": 2.0}),
    ]  # fmt: skip
    assert transcript_pieces(transcript) == [
        ("Hello there. Bye.", {"language": "english", "duration": 2.0})
    ]
    with pytest.raises(ProtocolError):
        parse_transcription(b"<html>", "json")
    with pytest.raises(ProtocolError):
        parse_transcription(b'{"no_text": 1}', "verbose_json")
    assert subtitle_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nA\nB\n") == "A B"
