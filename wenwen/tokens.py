"""Token counting: an offline estimate, and the relay's exact counting endpoints (opt-in).

Offline (:func:`count_message_tokens`, :func:`text_token_ids`): never downloads anything.
Text goes through ``tiktoken`` only when it is installed *and* its encoding file is already
in tiktoken's local cache; otherwise through :class:`ApproximateEncoder` (about five
letters of Latin script per token, one token per CJK character or symbol). Messages add
the per-message overhead of OpenAI chat, tool calls count their name and JSON arguments,
tool definitions their name, description and schema, and media parts what the protocol bills
as far as the part tells us (images by their pixel size when the data is inline).

Exact (:func:`count_tokens_request`): a protocol whose relay route counts tokens subclasses
``wenwen.protocols.TokenCounting`` (``build_count_request``, ``parse_token_count``)
(Anthropic ``/v1/messages/count_tokens``, Gemini ``:countTokens``,
Responses ``/v1/responses/input_tokens``); the clients' ``count_tokens`` send it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import os
import re
import struct
import tempfile
import zlib
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Protocol

from .errors import UnsupportedFeatureError
from .protocols import HttpRequest, TokenCounting, WireProtocol, get_protocol
from .types import (
    AudioPart,
    ChatRequest,
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
    VideoPart,
)

MESSAGE_OVERHEAD = 3
"""OpenAI chat bills about 3 tokens around every message, and 3 to prime the reply."""
REPLY_PRIMING = 3
UNKNOWN_IMAGE_TOKENS = {"openai": 765, "anthropic": 1600}
"""An image whose size we cannot see: OpenAI's 1024x1024 high-detail price; Anthropic's
price for its largest unscaled image (~1.15 megapixels / 750)."""
AUDIO_TOKENS = 1000
"""Audio without a known duration (OpenAI bills ~10 tokens per second; ~100 s assumed)."""
PDF_PAGE_TOKENS = 1500
"""Anthropic's per-page estimate for PDFs (text plus page image)."""
VIDEO_TOKENS = 2000

_TIKTOKEN_BLOBS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


class TextEncoder(Protocol):
    name: str

    def encode(self, text: str) -> list[int]: ...


class ApproximateEncoder:
    """A deterministic, dependency-free stand-in for a BPE tokenizer: runs of letters count one
    token per five characters, of digits per three, every CJK character, punctuation mark or
    symbol one token. Ids are stable hashes of the pieces (not a real vocabulary)."""

    name = "approximate"
    _PIECE = re.compile(
        r"[^\W\d_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{1,5}"
        r"|\d{1,3}"
        r"|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
        r"|[^\w\s]"
    )

    def encode(self, text: str) -> list[int]:
        return [zlib.crc32(m.group().encode()) % 200_000 for m in self._PIECE.finditer(text)]


def _tiktoken_cache_dir() -> str | None:
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        return os.environ["TIKTOKEN_CACHE_DIR"] or None  # "" disables tiktoken's cache
    if "DATA_GYM_CACHE_DIR" in os.environ:
        return os.environ["DATA_GYM_CACHE_DIR"]
    return os.path.join(tempfile.gettempdir(), "data-gym-cache")


@cache
def _local_tiktoken(encoding: str) -> TextEncoder | None:
    """tiktoken's ``encoding`` if tiktoken is installed and the file is cached locally
    (tiktoken keys its cache by the SHA-1 of the blob URL); never a download."""
    try:
        import tiktoken
    except ImportError:
        return None
    directory = _tiktoken_cache_dir()
    blob = _TIKTOKEN_BLOBS[encoding]
    if directory is None:
        return None
    if not os.path.isfile(os.path.join(directory, hashlib.sha1(blob.encode()).hexdigest())):
        return None
    try:
        enc = tiktoken.get_encoding(encoding)
    except Exception:  # a corrupt cache file: fall back rather than fetch
        return None

    class _Tiktoken:
        name = f"tiktoken:{encoding}"

        def encode(self, text: str) -> list[int]:
            return list(enc.encode(text, disallowed_special=()))

    return _Tiktoken()


def encoder_for(model: str) -> TextEncoder:
    """The best encoder available offline for ``model``."""
    name = model.rsplit("/", 1)[-1].lower()
    encoding = (
        "cl100k_base" if name.startswith(("gpt-4-", "gpt-3.5")) or name == "gpt-4" else "o200k_base"
    )
    return _local_tiktoken(encoding) or ApproximateEncoder()


def text_token_ids(text: str, model: str = "") -> list[int]:
    """Token ids of ``text`` (tiktoken's when available offline, else approximate ids)."""
    return encoder_for(model).encode(text)


# --------------------------------------------------------------------------- media
def _decoded(data: str | None) -> bytes:
    if not data:
        return b""
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return b""


def image_size(raw: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from a PNG, GIF, JPEG or WebP (VP8X) header, if recognisable."""
    if raw.startswith(b"\x89PNG\r\n\x1a\n") and len(raw) >= 24:
        width, height = struct.unpack(">II", raw[16:24])
        return int(width), int(height)
    if raw[:6] in (b"GIF87a", b"GIF89a") and len(raw) >= 10:
        width, height = struct.unpack("<HH", raw[6:10])
        return int(width), int(height)
    if raw.startswith(b"RIFF") and raw[8:16] == b"WEBPVP8X" and len(raw) >= 30:
        width = int.from_bytes(raw[24:27], "little") + 1
        height = int.from_bytes(raw[27:30], "little") + 1
        return width, height
    if raw.startswith(b"\xff\xd8"):
        return _jpeg_size(raw)
    return None


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(raw):
        if raw[pos] != 0xFF:
            return None
        marker = raw[pos + 1]
        length = int.from_bytes(raw[pos + 2 : pos + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", raw[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def image_tokens(part: ImagePart, protocol: str = "openai") -> int:
    """What the protocol bills for one image, from its pixel size when the data is inline."""
    size = image_size(_decoded(part.data)) if part.data else None
    if protocol == "anthropic":
        if size is None:
            return UNKNOWN_IMAGE_TOKENS["anthropic"]
        width, height = size
        scale = min(1.0, 1568 / max(width, height, 1))  # the long edge is scaled to 1568 px
        return max(1, math.ceil(width * scale * height * scale / 750))
    if part.detail == "low":
        return 85
    if size is None:
        return UNKNOWN_IMAGE_TOKENS["openai"]
    fit = min(1.0, 2048 / max(*size, 1))  # fit in a 2048 square, then the short side to 768
    fitted_w, fitted_h = size[0] * fit, size[1] * fit
    scale = min(1.0, 768 / max(min(fitted_w, fitted_h), 1.0))
    tiles = math.ceil(fitted_w * scale / 512) * math.ceil(fitted_h * scale / 512)
    return 85 + 170 * tiles


def _file_tokens(part: FilePart) -> int:
    raw = _decoded(part.data)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", raw)) if raw.startswith(b"%PDF") else 0
    return PDF_PAGE_TOKENS * max(pages, 1)


# --------------------------------------------------------------------------- messages
def _part_tokens(part: Any, count: Callable[[str], int], protocol: str) -> int:
    if isinstance(part, TextPart | ThinkingPart):
        return count(part.text)
    if isinstance(part, ToolCallPart):
        return MESSAGE_OVERHEAD + count(part.name) + count(part.arguments)
    if isinstance(part, ToolResultPart):
        return sum(_part_tokens(p, count, protocol) for p in part.content)
    if isinstance(part, ImagePart):
        return image_tokens(part, protocol)
    if isinstance(part, AudioPart):
        return count(part.transcript) if part.transcript else AUDIO_TOKENS
    if isinstance(part, FilePart):
        return _file_tokens(part)
    if isinstance(part, VideoPart):
        return VIDEO_TOKENS
    return 0


def tool_tokens(tools: Sequence[Tool], count: Callable[[str], int]) -> int:
    return sum(
        count(f"{t.name} {t.description}") + count(json.dumps(t.parameters, sort_keys=True))
        for t in tools
    )


def count_message_tokens(
    messages: Sequence[Message],
    *,
    model: str = "",
    tools: Sequence[Tool] = (),
    protocol: str = "openai",
) -> int:
    """The offline estimate of a prompt's input tokens (see the module docstring)."""
    encoder = encoder_for(model)

    def count(text: str) -> int:
        return len(encoder.encode(text)) if text else 0

    total = REPLY_PRIMING + tool_tokens(tools, count)
    for message in messages:
        total += MESSAGE_OVERHEAD + (1 if message.name else 0)
        total += sum(_part_tokens(part, count, protocol) for part in message.parts)
    return total


# --------------------------------------------------------------------------- exact counts
def count_tokens_request(
    request: ChatRequest, protocol: str
) -> tuple[WireProtocol, HttpRequest, Callable[[Any], int]]:
    """``(wire, http_request, read_count)`` for ``protocol``'s counting endpoint; raises
    ``UnsupportedFeatureError`` when the protocol has none."""
    wire = get_protocol(protocol)
    if not isinstance(wire, TokenCounting):
        raise UnsupportedFeatureError(
            f"the {protocol!r} protocol has no token-counting endpoint; use the offline "
            "estimate (wenwen.tokens.count_message_tokens) or a protocol that counts"
        )
    return wire, wire.build_count_request(request), wire.parse_token_count
