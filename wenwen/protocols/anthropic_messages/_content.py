"""Neutral messages → Anthropic ``system`` blocks and ``messages`` turns.

Anthropic wants alternating user/assistant turns, so consecutive messages of one role are
merged, and tool results travel as ``tool_result`` blocks inside a user turn. Every part
either becomes a block or raises ``UnsupportedFeatureError``; the one deliberate omission
is thinking without a signature (see ``_thinking_block``).
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any, Final, Literal, TypeVar

from ...errors import ProtocolError, UnsupportedFeatureError
from ...media.content import is_data_url, sniff_base64, split_data_url
from ...types import (
    AudioPart,
    FilePart,
    ImagePart,
    Message,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
    VideoPart,
)
from ._wire import (
    Base64Source,
    ContentBlock,
    DocumentBlock,
    DocumentSource,
    ImageBlock,
    RedactedThinkingBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    ToolUseBlock,
    Turn,
    UrlSource,
)

logger = logging.getLogger("wenwen")

_PROTOCOL = "the Anthropic Messages protocol"
IMAGE_MEDIA_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_PDF = "application/pdf"
_PLAIN_TEXT: Final = "text/plain"
_INVALID_ID_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


def wire_messages(messages: list[Message]) -> tuple[list[TextBlock], list[Turn]]:
    """``(system blocks, turns)`` for ``messages``."""
    system: list[TextBlock] = []
    turns: list[tuple[Literal["user", "assistant"], list[ContentBlock]]] = []
    for position, message in enumerate(messages):
        if message.role == "system":
            system.extend(_system_blocks(message, position))
            continue
        if message.name:
            logger.debug(
                "message %d: Anthropic turns carry no name; %r not sent", position, message.name
            )
        role: Literal["user", "assistant"] = "assistant" if message.role == "assistant" else "user"
        blocks = [b for part in message.parts if (b := _block(part, role, position)) is not None]
        if not blocks:
            continue
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(blocks)
        else:
            turns.append((role, blocks))
    return system, [
        {"role": role, "content": _tool_results_first(blocks) if role == "user" else blocks}
        for role, blocks in turns
    ]


def _system_blocks(message: Message, position: int) -> list[TextBlock]:
    blocks: list[TextBlock] = []
    for part in message.parts:
        if not isinstance(part, TextPart):
            raise UnsupportedFeatureError(
                f"system message {position} has a {part.type} part; the system prompt of "
                f"{_PROTOCOL} holds text only"
            )
        block = text_block(part)
        if block is not None:
            blocks.append(block)
    return blocks


def _tool_results_first(blocks: list[ContentBlock]) -> list[ContentBlock]:
    # Anthropic wants the tool_result blocks at the start of the user turn that answers a
    # tool_use; a merged turn may have text before them.
    results = [b for b in blocks if b["type"] == "tool_result"]
    return results + [b for b in blocks if b["type"] != "tool_result"]


def _block(part: Part, role: str, position: int) -> ContentBlock | None:
    if isinstance(part, TextPart):
        return text_block(part)
    if isinstance(part, ImagePart):
        return image_block(part)
    if isinstance(part, FilePart):
        return _document_block(part)
    if isinstance(part, ThinkingPart):
        _require_role(part, role, "assistant", position)
        return _thinking_block(part, position)
    if isinstance(part, ToolCallPart):
        _require_role(part, role, "assistant", position)
        return _tool_use_block(part)
    if isinstance(part, ToolResultPart):
        _require_role(part, role, "user", position)
        return _tool_result_block(part)
    if isinstance(part, AudioPart | VideoPart):
        raise UnsupportedFeatureError(
            f"message {position} has a {part.type} part; {_PROTOCOL} takes text, images, "
            "PDF/text documents, tool calls and tool results only"
        )
    raise UnsupportedFeatureError(f"message {position}: unknown part {type(part).__name__}")


def _require_role(part: Part, role: str, expected: str, position: int) -> None:
    if role != expected:
        raise UnsupportedFeatureError(
            f"message {position}: a {part.type} part belongs in a {expected} message on "
            f"{_PROTOCOL}, not in a {role} message"
        )


_Cacheable = TypeVar("_Cacheable", TextBlock, ImageBlock, DocumentBlock, ToolResultBlock)


def _with_cache(block: _Cacheable, cache_control: dict[str, Any] | None) -> _Cacheable:
    if cache_control is not None:
        block["cache_control"] = dict(cache_control)
    return block


def text_block(part: TextPart) -> TextBlock | None:
    """A text block, or ``None`` for empty text (Anthropic rejects empty text blocks)."""
    if not part.text:
        return None
    block: TextBlock = {"type": "text", "text": part.text}
    return _with_cache(block, part.cache_control)


def image_block(part: ImagePart) -> ImageBlock:
    # ``detail`` is an OpenAI resolution hint with no Anthropic counterpart.
    source: Base64Source | UrlSource
    if part.data:
        media_type = part.media_type or _sniff(part.data, "image")
        source = {"type": "base64", "media_type": media_type, "data": part.data}
    elif part.url and is_data_url(part.url):
        media_type, data = _split_data_url(part.url, "image")
        source = {"type": "base64", "media_type": media_type, "data": data}
    elif part.url:
        source = {"type": "url", "url": part.url}
    else:
        raise ProtocolError("an image part has neither url nor data")
    if source["type"] == "base64" and source["media_type"] not in IMAGE_MEDIA_TYPES:
        raise UnsupportedFeatureError(
            f"image media type {source['media_type']!r} is not accepted by {_PROTOCOL}; "
            f"use one of {', '.join(IMAGE_MEDIA_TYPES)}"
        )
    block: ImageBlock = {"type": "image", "source": source}
    return _with_cache(block, part.cache_control)


def _document_block(part: FilePart) -> DocumentBlock:
    if part.file_id:
        raise UnsupportedFeatureError(
            f"file ids ({part.file_id!r}) are not supported on {_PROTOCOL}; send the "
            "document as data or url"
        )
    source: DocumentSource
    if part.data:
        source = _document_source(part.media_type or _sniff(part.data, "document"), part.data)
    elif part.url and is_data_url(part.url):
        source = _document_source(*_split_data_url(part.url, "document"))
    elif part.url:
        source = {"type": "url", "url": part.url}
    else:
        raise ProtocolError("a file part has neither data, url nor file_id")
    block: DocumentBlock = {"type": "document", "source": source}
    if part.filename:
        block["title"] = part.filename
    return _with_cache(block, part.cache_control)


def _document_source(media_type: str, data: str) -> DocumentSource:
    if media_type == _PDF:
        return {"type": "base64", "media_type": _PDF, "data": data}
    if media_type == _PLAIN_TEXT:
        try:
            text = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ProtocolError(f"a text/plain file part is not base64 UTF-8 text: {exc}") from None
        return {"type": "text", "media_type": _PLAIN_TEXT, "data": text}
    raise UnsupportedFeatureError(
        f"documents of type {media_type!r} are not accepted by {_PROTOCOL}; "
        f"use {_PDF} or {_PLAIN_TEXT}"
    )


def _sniff(data: str, what: str) -> str:
    media_type = sniff_base64(data)
    if media_type is None:
        raise ProtocolError(
            f"the {what} part has inline data of unknown type; set its media_type "
            f"(required by {_PROTOCOL})"
        )
    return media_type


def _split_data_url(url: str, what: str) -> tuple[str, str]:
    parts = split_data_url(url)
    if parts is None or not parts.base64:
        raise UnsupportedFeatureError(
            f"the {what} data URL is not base64 ({url[:40]}...); {_PROTOCOL} takes base64 data"
        )
    return parts.mime or _sniff(parts.payload, what), parts.payload


def wire_tool_id(tool_id: str, tool: str | None = None) -> str:
    """``tool_id`` as Anthropic accepts it (``[a-zA-Z0-9_-]+``). Ids from other protocols
    may hold other characters; the mapping is the same for a call and its result, so the
    pair still matches."""
    if not tool_id:
        raise ProtocolError(f"a tool call{f' to {tool!r}' if tool else ''} has an empty id")
    return _INVALID_ID_CHARS.sub("_", tool_id)


def _tool_use_block(part: ToolCallPart) -> ToolUseBlock:
    try:
        arguments = part.parsed_arguments()
    except ValueError as exc:
        raise ProtocolError(str(exc)) from None
    return {
        "type": "tool_use",
        "id": wire_tool_id(part.id, part.name),
        "name": part.name,
        "input": arguments,
    }


def _tool_result_block(part: ToolResultPart) -> ToolResultBlock:
    content: list[TextBlock | ImageBlock] = []
    for item in part.content:
        block = text_block(item) if isinstance(item, TextPart) else image_block(item)
        if block is not None:
            content.append(block)
    result: ToolResultBlock = {
        "type": "tool_result",
        "tool_use_id": wire_tool_id(part.tool_call_id),
    }
    if content:
        result["content"] = content
    if part.is_error:
        result["is_error"] = True
    return _with_cache(result, part.cache_control)


def _thinking_block(
    part: ThinkingPart, position: int
) -> ThinkingBlock | RedactedThinkingBlock | None:
    if part.redacted:
        redacted: RedactedThinkingBlock = {"type": "redacted_thinking", "data": part.redacted}
        return redacted
    if part.signature:
        signed: ThinkingBlock = {
            "type": "thinking",
            "thinking": part.text,
            "signature": part.signature,
        }
        return signed
    # Reasoning without a signature came from another protocol (DeepSeek's
    # reasoning_content, an OpenAI-format reply). Anthropic verifies the signature of every
    # thinking block it is sent and rejects unsigned ones, so it is left out: the only part
    # this module omits on purpose.
    logger.debug("message %d: unsigned thinking omitted on the Anthropic protocol", position)
    return None
