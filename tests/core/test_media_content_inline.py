"""``wenwen.media.content`` for inline chat media (base64 text kept as text), and the
protocols reading ``data:`` URLs and sniffing inline data through it."""

from __future__ import annotations

import base64

import pytest

from wenwen.errors import ProtocolError, UnsupportedFeatureError
from wenwen.media.content import DataURLParts, sniff, sniff_base64, split_data_url
from wenwen.protocols import anthropic_messages, gemini
from wenwen.types import ChatRequest, FilePart, ImagePart, Message

PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
SIGNATURES = {
    PNG_HEAD: "image/png",
    b"\xff\xd8\xff\xe0\x00\x10JFIF": "image/jpeg",
    b"GIF89a\x01\x00\x01\x00": "image/gif",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ": "image/webp",
    b"RIFF\x00\x00\x00\x00WAVEfmt ": "audio/wav",
    b"%PDF-1.7\n%\xe2\xe3": "application/pdf",
}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("data:image/PNG;base64,iVBO", DataURLParts("image/png", True, "iVBO")),
        ("data:image/png;name=a.png;base64,iVBO", DataURLParts("image/png", True, "iVBO")),
        ("DATA:;base64,AAAA", DataURLParts("", True, "AAAA")),
        ("data:text/plain,hi%20there", DataURLParts("text/plain", False, "hi%20there")),
        ("https://example.com/a.png", None),
        ("data:no-comma", None),
    ],
)
def test_split_data_url(url: str, expected: DataURLParts | None) -> None:
    assert split_data_url(url) == expected


@pytest.mark.parametrize(("head", "mime"), SIGNATURES.items())
def test_sniff_base64_reads_the_first_bytes(head: bytes, mime: str) -> None:
    text = base64.b64encode(head + b"rest of the file").decode()
    assert sniff_base64(text) == mime
    assert sniff_base64(text[:13]) == sniff_base64(text[:12])  # a partial quantum is cut
    if mime != "application/pdf":  # documents are known to inline parts only
        assert sniff(head) == mime


def test_sniff_base64_of_text_that_is_not_base64_is_none() -> None:
    assert sniff_base64("not base64!") is None
    assert sniff_base64("") is None


def _anthropic_blocks(part: ImagePart | FilePart) -> list[dict[str, object]]:
    request = ChatRequest(model="claude-x", messages=[Message(role="user", parts=[part])])
    body = anthropic_messages.build_request(request, stream=False).json
    assert body is not None
    return body["messages"][0]["content"]  # type: ignore[no-any-return]


def test_anthropic_sniffs_inline_data_without_a_media_type() -> None:
    gif = base64.b64encode(b"GIF89a\x01\x00\x01\x00rest").decode()
    (block,) = _anthropic_blocks(ImagePart(data=gif))
    assert block["source"] == {"type": "base64", "media_type": "image/gif", "data": gif}
    pdf = base64.b64encode(b"%PDF-1.7\nrest").decode()
    (document,) = _anthropic_blocks(FilePart(url=f"data:;base64,{pdf}"))
    assert document["source"] == {"type": "base64", "media_type": "application/pdf", "data": pdf}


def test_anthropic_refuses_what_the_bytes_say_is_not_an_image() -> None:
    wav = base64.b64encode(b"RIFF\x00\x00\x00\x00WAVEfmt rest").decode()
    with pytest.raises(UnsupportedFeatureError):
        _anthropic_blocks(ImagePart(data=wav))
    with pytest.raises(ProtocolError):
        _anthropic_blocks(ImagePart(data=base64.b64encode(b"plain words here").decode()))


def test_gemini_sends_a_percent_encoded_data_url_as_base64() -> None:
    request = ChatRequest(
        model="gemini-2.5-flash",
        messages=[Message(role="user", parts=[FilePart(url="data:text/plain,hi%20there")])],
    )
    body = gemini.build_request(request, stream=False).json
    assert body is not None
    (part,) = body["contents"][0]["parts"]
    assert part == {"inlineData": {"mimeType": "text/plain", "data": "aGkgdGhlcmU="}}
