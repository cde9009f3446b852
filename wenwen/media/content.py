"""Media content: ``data:`` URLs, MIME types and magic-byte sniffing, in one place.

Everything that decides what a blob of bytes is (an upload a tool was asked to send, a body a
download received, an inline part of a chat message) asks this module, so one table of
signatures decides it everywhere. Signatures follow the WHATWG MIME Sniffing standard
(https://mimesniff.spec.whatwg.org/#matching-an-image-type-pattern and the audio/video section)
plus the ISO base media file format ``ftyp`` box (ISO/IEC 14496-12) for MP4, MOV and M4A.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Literal

MediaKind = Literal["image", "audio", "video"]

# RFC 2397: data:[<mediatype>][;base64],<data>; parameters may sit between type and ;base64
# (the scheme and the base64 token are case-insensitive, RFC 3986 §3.1 and RFC 2045 §5.1)
_DATA_URL = re.compile(
    r"^data:(?P<mime>[^;,]*)(?P<params>(?:;[^;,]*)*?)(?P<b64>;base64)?,(?P<data>.*)$",
    re.S | re.I,
)

# ISO BMFF major brands: QuickTime, M4A audio, everything else here is MP4 video
_QUICKTIME_BRANDS = {b"qt  "}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P "}

# suffixes for the MIME types this module can name (a written file gets one of these)
SUFFIXES: dict[str, str] = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    "image/gif": ".gif",
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
    "audio/mp4": ".m4a",
    "video/webm": ".webm",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}


@dataclass(frozen=True)
class DataURL:
    """A decoded ``data:`` URL: its declared MIME type (``""`` when absent) and its bytes."""

    mime: str
    data: bytes


def is_data_url(value: str) -> bool:
    return value[:5].lower() == "data:"


def parse_data_url(url: str) -> DataURL:
    """Decode a ``data:`` URL; ``ValueError`` when it is not one or its base64 is broken."""
    match = _DATA_URL.match(url)
    if match is None:
        raise ValueError("not a data: URL (expected data:<type>[;base64],<data>)")
    payload = match.group("data")
    if match.group("b64"):
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"the data: URL's base64 payload is invalid: {exc}") from None
    else:
        from urllib.parse import unquote_to_bytes

        data = unquote_to_bytes(payload)
    return DataURL(mime=match.group("mime").strip().lower(), data=data)


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def sniff(head: bytes) -> str | None:
    """The MIME type that the first bytes of a file announce, or None when none matches.

    Recognised: PNG, JPEG, WEBP, GIF; WAV, MP3 (ID3 tag or an MPEG audio frame sync), OGG,
    FLAC, M4A; WEBM (EBML); MP4 and MOV (ISO BMFF ``ftyp``, or a QuickTime ``moov``/``mdat``/
    ``wide`` first atom). Sixteen bytes are enough for every signature.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"ID3") or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _QUICKTIME_BRANDS:
            return "video/quicktime"
        if brand in _M4A_BRANDS:
            return "audio/mp4"
        return "video/mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video/quicktime"
    return None


def kind_of(mime: str | None) -> MediaKind | None:
    """``"image"``, ``"audio"`` or ``"video"`` for a MIME type, None for anything else."""
    if not mime:
        return None
    major = mime.split("/", 1)[0].strip().lower()
    if major in ("image", "audio", "video"):
        return major  # type: ignore[return-value]
    return None


def sniff_kind(head: bytes) -> MediaKind | None:
    """The media kind the bytes announce. WEBM counts as audio or video (the container is both)."""
    return kind_of(sniff(head))


def matches_kind(head: bytes, expected: MediaKind) -> bool:
    """Whether the bytes are media of the expected kind (WEBM and MP4 serve audio too)."""
    mime = sniff(head)
    if mime is None:
        return False
    if expected == "audio" and mime in ("video/webm", "video/mp4"):
        return True
    return kind_of(mime) == expected


def suffix_for(mime: str | None, default: str = ".bin") -> str:
    if not mime:
        return default
    return SUFFIXES.get(mime.split(";", 1)[0].strip().lower(), default)


# --- inline parts of chat messages (base64 text, kept as text) -------------------------------


@dataclass(frozen=True)
class DataURLParts:
    """A ``data:`` URL split without decoding: the declared MIME type (lowercase, ``""``
    when absent), whether the payload is base64, and the payload as written."""

    mime: str
    base64: bool
    payload: str


def split_data_url(url: str) -> DataURLParts | None:
    """The parts of a ``data:`` URL (RFC 2397), or ``None`` when ``url`` is not one. Chat
    messages carry inline media as base64 text, so the payload is not decoded here."""
    match = _DATA_URL.match(url) if is_data_url(url) else None
    if match is None:
        return None
    return DataURLParts(
        mime=match.group("mime").strip().lower(),
        base64=match.group("b64") is not None,
        payload=match.group("data"),
    )


def sniff_base64(text: str) -> str | None:
    """The MIME type the first bytes of base64 ``text`` announce (see ``sniff``); only the
    first 24 characters (18 bytes), cut to whole base64 quanta, are decoded. Inline parts
    may also be documents, so PDF (``%PDF-``, ISO 32000-1 §7.5.2) is recognised here too.
    ``None`` when none matches or it is not base64."""
    chunk = text[:24]
    try:
        head = base64.b64decode(chunk[: len(chunk) - len(chunk) % 4], validate=True)
    except (binascii.Error, ValueError):
        return None
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return sniff(head)
