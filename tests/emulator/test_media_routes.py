"""The emulator's images and audio routes, checked by what nobody here wrote: the official
``openai`` SDK parses every reply, and replies validate against the OpenAI spec's schemas.
The media are real: PNGs decode, edits derive from their input, speech transcribes back."""

from __future__ import annotations

import base64
import json
import random
import wave
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._oracles import decode_png, parse_multipart, wav_facts
from tests._spec import validate_openai
from wenwen.media.multipart import MultipartForm, Upload
from wenwen_emulator import Emulator
from wenwen_emulator.multipart_in import parse_form
from wenwen_emulator.png import png_from_prompt
from wenwen_emulator.speech import SECONDS_PER_BYTE, decode_speech, read_wav, speak_wav

SOURCE = png_from_prompt("source picture", 64, 64)


def pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    width, height, _, rows = decode_png(data)
    return width, height, rows


# --- images ---------------------------------------------------------------------------------------


def test_gpt_image_generation_is_a_deterministic_png_in_base64(
    oai: Any, http: httpx.Client
) -> None:
    reply = oai.images.generate(model="gpt-image-1", prompt="a red fox", size="1024x1536")
    again = oai.images.generate(model="gpt-image-1", prompt="a red fox", size="1024x1536")
    other = oai.images.generate(model="gpt-image-1", prompt="a blue whale", size="1024x1536")
    image = base64.b64decode(reply.data[0].b64_json)
    assert image == base64.b64decode(again.data[0].b64_json)
    assert image != base64.b64decode(other.data[0].b64_json)
    width, height, rows = pixels(image)
    assert (width, height) == (1024, 1536)
    assert len(set(rows)) > 1
    assert reply.usage.output_tokens > 0 and reply.data[0].url is None
    raw = http.post("/v1/images/generations", json={"model": "gpt-image-1", "prompt": "x", "n": 2})
    validate_openai("ImagesResponse", raw.json())
    first, second = (base64.b64decode(d["b64_json"]) for d in raw.json()["data"])
    assert first != second


def test_dalle3_answers_with_a_keyless_url_and_a_revised_prompt(
    oai: Any, emu: Emulator, http: httpx.Client
) -> None:
    reply = oai.images.generate(model="dall-e-3", prompt="a lighthouse", quality="hd")
    url = reply.data[0].url
    assert url.startswith(emu.base_url + "/files/") and "lighthouse" in reply.data[0].revised_prompt
    fetched = httpx.get(url)  # no key at all
    assert fetched.status_code == 200 and fetched.headers["content-type"] == "image/png"
    assert pixels(fetched.content)[:2] == (1024, 1024)
    validate_openai("ImagesResponse", reply.model_dump(exclude_none=True))
    assert httpx.get(emu.base_url + "/files/unknown.png").status_code == 404
    raw = http.post("/v1/images/generations", json={"model": "dall-e-3", "prompt": "x"})
    validate_openai("ImagesResponse", raw.json())


def test_edit_with_several_images_keeps_the_size_and_changes_pixels(
    oai: Any, http: httpx.Client
) -> None:
    second = png_from_prompt("second", 32, 32)
    reply = oai.images.edit(
        model="gpt-image-1",
        image=[("a.png", SOURCE, "image/png"), ("b.png", second, "image/png")],
        prompt="put both in a gift basket",
    )
    edited = base64.b64decode(reply.data[0].b64_json)
    width, height, rows = pixels(edited)
    _, _, before = pixels(SOURCE)
    assert (width, height) == (64, 64)
    assert rows != before
    # away from the prompt band and the stripes, each pixel is the input's inverse
    assert rows[20] == bytes(255 - b for b in before[20])
    assert reply.usage.input_tokens_details.image_tokens > 0
    files = {"image[]": ("a.png", SOURCE, "image/png")}
    raw = http.post("/v1/images/edits", files=files, data={"model": "gpt-image-1", "prompt": "x"})
    validate_openai("ImagesResponse", raw.json())


def test_dalle2_edit_takes_one_square_png_and_answers_with_a_url(oai: Any) -> None:
    reply = oai.images.edit(image=("a.png", SOURCE, "image/png"), prompt="add a hat")
    assert reply.data[0].url is not None
    assert pixels(httpx.get(reply.data[0].url).content)[:2] == (64, 64)


@pytest.mark.parametrize(
    ("files", "data", "status", "message"),
    [
        ({"image[]": ("a.txt", b"plain text", "text/plain")}, {"model": "gpt-image-1"}, 400,
         "unsupported mimetype ('text/plain')"),
        ({"image[]": ("a.jpg", b"\xff\xd8\xff\xe0", "image/jpeg")}, {}, 400,
         "Supported file formats are 'image/png'"),
        ({"image[]": ("a.png", SOURCE + bytes(4 * 2**20), "image/png")}, {}, 400,
         "over the 4 MB limit"),
        ({"mask": ("m.png", SOURCE, "image/png")}, {"model": "gpt-image-1"}, 400,
         "image is required"),
        ({"image[]": ("a.png", png_from_prompt("wide", 64, 32), "image/png")}, {}, 400,
         "square"),
        ({"image[]": ("a.png", SOURCE, "image/png"), "mask": ("m.png", png_from_prompt("m", 8, 8),
          "image/png")}, {"model": "gpt-image-1"}, 400, "same dimensions"),
    ],
)  # fmt: skip
def test_edit_errors_come_in_the_relay_shape(
    http: httpx.Client, files: Any, data: Any, status: int, message: str
) -> None:
    reply = http.post("/v1/images/edits", files=files, data={"prompt": "x", **data})
    assert reply.status_code == status
    error = reply.json()["error"]
    assert message in error["message"] and error["type"] == "invalid_request_error"


def test_generation_errors(http: httpx.Client) -> None:
    cases = [
        ({"model": "dall-e-3", "prompt": "x", "n": 2}, "n=1"),
        ({"model": "dall-e-3", "prompt": "x", "size": "256x256"}, "Invalid size"),
        ({"model": "dall-e-2", "prompt": "x" * 1001}, "maximum length 1000"),
        ({"model": "gpt-4o-mini", "prompt": "x"}, "cannot generate images"),
        ({"model": "gpt-image-1"}, "prompt is required"),
    ]
    for body, message in cases:
        reply = http.post("/v1/images/generations", json=body)
        assert reply.status_code == 400 and message in reply.json()["error"]["message"]


def test_multipart_parser_reads_repeated_fields_and_files() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="a[]"\r\n\r\n1\r\n'
        b'--b\r\nContent-Disposition: form-data; name="a[]"\r\n\r\n2\r\n'
        b'--b\r\nContent-Disposition: form-data; name="f"; filename="x \\"y\\".bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\n--b-not-a-boundary\r\n"
        b"--b--\r\n"
    )
    form = parse_form(body, "multipart/form-data; boundary=b")
    assert form.values("a") == ["1", "2"]
    (upload,) = form.files_named("f")
    assert upload.filename == 'x "y".bin'
    assert upload.content == b"\r\n--b-not-a-boundary"
    for bad, why in [(b"--b\r\nno separator", "not terminated"), (b"", "not terminated")]:
        with pytest.raises(ValueError, match=why):
            parse_form(bad, "multipart/form-data; boundary=b")
    with pytest.raises(ValueError, match="no boundary"):
        parse_form(body, "multipart/form-data")


# --- audio ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Hello there. How are you?", "问问 AI：你好！", "x"])  # noqa: RUF001
def test_speech_is_a_wav_tone_whose_length_follows_the_text(text: str) -> None:
    data = speak_wav(text)
    channels, width, rate, frames = wav_facts(data)  # wave and PyAV, not the emulator
    assert (channels, width) == (1, 2)
    assert frames / rate == pytest.approx(0.02 + len(text.encode()) * SECONDS_PER_BYTE)
    info = read_wav(data)
    assert info is not None and decode_speech(info) == text


def test_speech_streams_through_the_sdk_and_transcribes_back(oai: Any, tmp_path: Path) -> None:
    text = "The quick brown fox. It jumps!"
    target = tmp_path / "speech.wav"
    with oai.audio.speech.with_streaming_response.create(
        model="tts-1", voice="alloy", input=text, response_format="wav"
    ) as response:
        assert response.headers["content-type"] == "audio/wav"
        response.stream_to_file(target)
    with wave.open(str(target)) as audio:
        assert audio.getframerate() == 24000
    transcript = oai.audio.transcriptions.create(model="whisper-1", file=target.open("rb"))
    assert transcript.text == text


@pytest.mark.parametrize("fmt", ["json", "text", "srt", "vtt", "verbose_json"])
def test_every_transcription_format_through_the_sdk(oai: Any, fmt: str) -> None:
    text = "First sentence. Second one?"
    reply = oai.audio.transcriptions.create(
        model="whisper-1", file=("talk.wav", speak_wav(text)), response_format=fmt
    )
    if fmt == "json":
        assert reply.text == text
        validate_openai("CreateTranscriptionResponseJson", reply.model_dump(exclude_none=True))
    elif fmt == "verbose_json":
        assert [s.text for s in reply.segments] == ["First sentence.", "Second one?"]
        assert reply.segments[0].end <= reply.segments[1].start < reply.duration + 1e-9
        validate_openai(
            "CreateTranscriptionResponseVerboseJson", reply.model_dump(exclude_none=True)
        )
    elif fmt == "text":
        assert reply.strip() == text
    else:
        assert "First sentence." in reply and "-->" in reply
        assert reply.startswith("WEBVTT") == (fmt == "vtt")


def test_verbose_json_words_when_asked(http: httpx.Client) -> None:
    reply = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("a.wav", speak_wav("one two"), "audio/wav")},
        data={
            "model": "whisper-1",
            "response_format": "verbose_json",
            "timestamp_granularities[]": ["word"],
        },
    )
    body = reply.json()
    validate_openai("CreateTranscriptionResponseVerboseJson", body)
    assert [w["word"] for w in body["words"]] == ["one", "two"] and "segments" not in body


def test_audio_errors_come_in_the_relay_shape(http: httpx.Client) -> None:
    def transcribe(content: bytes, **data: str) -> httpx.Response:
        form = {"model": "whisper-1", **data}
        return http.post("/v1/audio/transcriptions", files={"file": ("a", content)}, data=form)

    wrong = transcribe(b"%PDF-1.7")
    assert wrong.status_code == 400 and "Invalid file format" in wrong.json()["error"]["message"]
    big = transcribe(b"RIFF" + bytes(25 * 2**20))
    assert big.status_code == 413 and "Maximum content size" in big.json()["error"]["message"]
    assert transcribe(speak_wav("x"), response_format="xml").status_code == 400
    assert transcribe(speak_wav("x"), model="tts-1").status_code == 400
    other = transcribe(b"ID3" + bytes(64))
    assert (
        other.status_code == 200 and "no speech the emulator can recognise" in other.json()["text"]
    )
    for body, message in [
        ({"model": "tts-1", "voice": "alloy", "input": "x" * 4097}, "maximum length 4096"),
        ({"model": "tts-1", "voice": "alloy", "input": "x", "speed": 9}, "speed"),
        ({"model": "whisper-1", "voice": "alloy", "input": "x"}, "cannot generate speech"),
        ({"model": "tts-1", "input": "x"}, "voice is required"),
    ]:
        reply = http.post("/v1/audio/speech", json=body)
        assert reply.status_code == 400 and message in reply.json()["error"]["message"]


def test_mp3_requests_get_wav_bytes_labelled_as_wav(http: httpx.Client) -> None:
    reply = http.post("/v1/audio/speech", json={"model": "tts-1", "voice": "a", "input": "hi"})
    assert reply.headers["content-type"] == "audio/wav" and reply.content.startswith(b"RIFF")
    pcm = http.post(
        "/v1/audio/speech",
        json={"model": "tts-1", "voice": "a", "input": "hi", "response_format": "pcm"},
    )
    assert (
        pcm.headers["content-type"] == "audio/pcm" and len(pcm.content) == len(reply.content) - 44
    )


# --- chat audio replies -----------------------------------------------------------------------------


def test_chat_audio_reply_speaks_the_answer(oai: Any) -> None:
    messages = [{"role": "user", "content": "Say 'hello audio'."}]
    reply = oai.chat.completions.create(
        model="gpt-4o-audio-preview", modalities=["text", "audio"],
        audio={"voice": "alloy", "format": "wav"}, messages=messages,
    )  # fmt: skip
    audio = reply.choices[0].message.audio
    info = read_wav(base64.b64decode(audio.data))
    assert info is not None and decode_speech(info) == audio.transcript
    validate_openai(
        "CreateChatCompletionResponse", json.loads(reply.model_dump_json(exclude_none=True)), True
    )
    stream = oai.chat.completions.create(
        model="gpt-4o-audio-preview", modalities=["text", "audio"],
        audio={"voice": "alloy", "format": "wav"}, messages=messages, stream=True,
    )  # fmt: skip
    pieces: dict[str, str] = {"data": "", "transcript": ""}
    for chunk in stream:
        delta = chunk.choices[0].delta if chunk.choices else None
        fragment = getattr(delta, "audio", None) if delta is not None else None
        if fragment is not None and not isinstance(fragment, dict):  # a typed model in openai 3
            fragment = fragment.model_dump(exclude_none=True)
        for key in pieces:
            pieces[key] += (fragment or {}).get(key) or ""
    assert pieces == {"data": audio.data, "transcript": audio.transcript}


# --- properties (seeded random inputs) -----------------------------------------------------------

_ALPHABET = "aZ09 .,!?\n\t\"'é中文🙂\x00\u200b"


def _texts(seed: int, count: int, size: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, size))) for _ in range(count)
    ]


@pytest.mark.parametrize("text", _texts(13, 40, 30))
def test_any_text_survives_speak_then_transcribe(text: str) -> None:
    info = read_wav(speak_wav(text))
    assert info is not None and decode_speech(info) == text


@pytest.mark.parametrize("seed", range(30))
def test_our_multipart_encoder_the_oracle_and_the_emulator_parser_agree(seed: int) -> None:
    """Starlette's form parser (python-multipart) is the oracle; the emulator's parser and our
    encoder must both agree with it."""
    rng = random.Random(seed)
    names = _texts(seed, rng.randint(0, 4), 8)
    fields = {
        f"{name}[x]" if rng.random() < 0.3 else name or "n": value
        for name, value in zip(names, _texts(seed + 1, len(names), 20), strict=True)
    }
    contents = [rng.randbytes(rng.randint(0, 300)) + b"\r\n--" for _ in range(rng.randint(0, 3))]
    uploads = [("image[]", Upload(f"f{i}.png", c, "image/png")) for i, c in enumerate(contents)]
    body, content_type = MultipartForm.of(fields, uploads).encode()
    # names as the HTML standard escapes them in a form-data header (", CR, LF)
    escaped = {
        k.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A"): v
        for k, v in fields.items()
    }
    oracle = parse_multipart(body, content_type)
    assert {k: v[-1] for k, v in oracle.fields.items()} == escaped
    assert [content for _, content in oracle.files.get("image[]", [])] == contents
    form = parse_form(body, content_type)  # the emulator also reads %22 back as a quote
    assert {k: v[-1] for k, v in form.fields.items()} == {
        k.replace("%22", '"'): v for k, v in escaped.items()
    }
    assert [f.content for f in form.files_named("image[]")] == contents
