"""Independent readers for what the emulator produces, so that no test checks the emulator's
encoders against its own decoders: Pillow for PNG, Starlette's form parser (python-multipart)
for multipart bodies, ``wave`` and PyAV for WAV audio."""

from __future__ import annotations

import asyncio
import io
import wave
from dataclasses import dataclass

from PIL import Image


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """``(width, height, channels, rows)`` as Pillow reads the PNG."""
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        image.load()
        width, height = image.size
        channels = len(image.getbands())
        raw = image.tobytes()
    stride = width * channels
    return width, height, channels, [raw[y * stride : (y + 1) * stride] for y in range(height)]


@dataclass
class Form:
    fields: dict[str, list[str]]
    files: dict[str, list[tuple[str | None, bytes]]]


def parse_multipart(body: bytes, content_type: str) -> Form:
    """A multipart body as Starlette (python-multipart underneath) parses it."""
    from starlette.datastructures import UploadFile
    from starlette.requests import Request

    async def read() -> Form:
        sent = False

        async def receive() -> dict[str, object]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/",
            "headers": [(b"content-type", content_type.encode("latin-1"))],
        }
        form = await Request(scope, receive).form(max_part_size=10 * 1024 * 1024)
        out = Form({}, {})
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                out.files.setdefault(key, []).append((value.filename, await value.read()))
            else:
                out.fields.setdefault(key, []).append(value)
        return out

    return asyncio.run(read())


def wav_facts(data: bytes) -> tuple[int, int, int, int]:
    """``(channels, sample width, rate, frames)`` as ``wave`` reads it; PyAV must decode the
    same number of samples."""
    with wave.open(io.BytesIO(data)) as audio:
        facts = (
            audio.getnchannels(),
            audio.getsampwidth(),
            audio.getframerate(),
            audio.getnframes(),
        )
    import av

    with av.open(io.BytesIO(data)) as container:
        decoded = sum(frame.samples for frame in container.decode(audio=0))
    assert decoded == facts[3], (decoded, facts)
    return facts
