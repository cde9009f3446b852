"""Offline token counting (wenwen.tokens): tiktoken only from a local cache, else the
approximate encoder; media and tool calls priced the way the protocols bill them."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from wenwen import tokens
from wenwen.errors import UnsupportedFeatureError
from wenwen.types import (
    ChatRequest,
    ImagePart,
    Message,
    TextPart,
    Tool,
    ToolCallPart,
)

LLAMA_INDEX_TIKTOKEN_CACHE = (
    Path(__import__("llama_index.core").core.__file__).parent / "_static" / "tiktoken_cache"
)


@pytest.fixture
def no_tiktoken_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    tokens._local_tiktoken.cache_clear()
    yield
    tokens._local_tiktoken.cache_clear()


@pytest.fixture
def cached_tiktoken(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # llama-index-core ships o200k_base and cl100k_base in tiktoken's cache layout
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(LLAMA_INDEX_TIKTOKEN_CACHE))
    tokens._local_tiktoken.cache_clear()
    yield
    tokens._local_tiktoken.cache_clear()


def png(width: int, height: int) -> str:
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
    header += struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return base64.b64encode(header + struct.pack(">I", zlib.crc32(header[12:]))).decode()


def test_without_a_cached_encoding_the_approximate_encoder_is_used(no_tiktoken_cache: None) -> None:
    encoder = tokens.encoder_for("gpt-4o")
    assert encoder.name == "approximate"
    assert encoder.encode("hello world") == encoder.encode("hello world")  # stable ids
    assert len(encoder.encode("hello world")) == 2
    assert len(encoder.encode("你好世界")) == 4  # one per CJK character
    assert len(encoder.encode("internationalization, 2025!")) == 8  # 4 + 1 + 2 + 1


def test_a_locally_cached_tiktoken_encoding_is_used(cached_tiktoken: None) -> None:
    assert tokens.encoder_for("gpt-4o").name == "tiktoken:o200k_base"
    assert tokens.encoder_for("gpt-3.5-turbo").name == "tiktoken:cl100k_base"
    assert tokens.text_token_ids("hello world", "gpt-4o") == [24912, 2375]


def test_messages_add_openai_overheads_and_tool_calls(no_tiktoken_cache: None) -> None:
    plain = [Message.of("user", "hello world")]
    assert tokens.count_message_tokens(plain) == 3 + 3 + 2
    call = ToolCallPart(id="c1", name="get_weather", arguments='{"city": "Paris"}')
    with_call = [*plain, Message(role="assistant", parts=[call])]
    expected_call = (
        3
        + len(tokens.text_token_ids("get_weather"))
        + len(tokens.text_token_ids('{"city": "Paris"}'))
    )
    assert tokens.count_message_tokens(with_call) == 8 + 3 + expected_call
    tool = Tool(name="get_weather", description="Weather for a city")
    assert tokens.count_message_tokens(plain, tools=[tool]) > tokens.count_message_tokens(plain)


@pytest.mark.parametrize(
    ("size", "protocol", "expected"),
    [
        ((1024, 1024), "openai", 85 + 170 * 4),  # scaled to 768x768: 2x2 tiles
        ((512, 512), "openai", 85 + 170),
        ((4096, 2048), "openai", 85 + 170 * 6),  # 2048x1024 → 1536x768: 3x2 tiles
        ((1000, 1000), "anthropic", 1334),  # width*height/750
        ((3136, 3136), "anthropic", 3279),  # long edge scaled to 1568
    ],
)
def test_images_are_priced_from_their_pixel_size(
    size: tuple[int, int], protocol: str, expected: int
) -> None:
    part = ImagePart(data=png(*size), media_type="image/png")
    assert tokens.image_size(base64.b64decode(part.data or "")) == size
    assert tokens.image_tokens(part, protocol) == expected


def test_low_detail_and_unknown_images() -> None:
    assert tokens.image_tokens(ImagePart(url="https://x/y.png", detail="low")) == 85
    assert tokens.image_tokens(ImagePart(url="https://x/y.png")) == 765
    assert tokens.image_tokens(ImagePart(url="https://x/y.png"), "anthropic") == 1600


def test_image_parts_count_in_messages(no_tiktoken_cache: None) -> None:
    text_only = [Message(role="user", parts=[TextPart(text="what is this")])]
    with_image = [
        Message(role="user", parts=[TextPart(text="what is this"), ImagePart(data=png(512, 512))])
    ]
    assert tokens.count_message_tokens(with_image) - tokens.count_message_tokens(text_only) == 255


def test_a_protocol_without_a_counting_endpoint_says_so() -> None:
    request = ChatRequest(model="gpt-4o", messages=[Message.of("user", "hi")])
    with pytest.raises(UnsupportedFeatureError, match="no token-counting endpoint"):
        tokens.count_tokens_request(request, "openai")


def test_the_anthropic_count_request_keeps_only_counted_fields() -> None:
    request = ChatRequest(
        model="claude-sonnet-4-5",
        messages=[Message.of("user", "hi")],
        temperature=0.5,
        max_tokens=9,
    )
    _, spec, read = tokens.count_tokens_request(request, "anthropic")
    assert spec.path == "/v1/messages/count_tokens"
    assert spec.json is not None
    assert set(spec.json) == {"model", "messages"}  # no max_tokens, temperature or stream
    assert spec.headers["anthropic-version"]
    assert read({"input_tokens": 12}) == 12
