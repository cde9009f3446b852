"""LlamaIndex messages and blocks -> ``wenwen.types`` (the request side).

Assistant tool calls travel both as ``ToolCallBlock``s and, for older LlamaIndex code, as
OpenAI-shaped dicts in ``additional_kwargs["tool_calls"]``; the blocks win and the dicts are
read only when a message has no block, so a call is never sent twice.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from wenwen.errors import ConfigurationError, UnsupportedFeatureError
from wenwen.types import (
    AudioPart,
    Citation,
    FilePart,
    ImagePart,
    Message,
    Part,
    Role,
    ServerToolCallPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
    VideoPart,
    foreign_parts,
)
from wenwen.validation import json_text

_ROLES: dict[str, Role] = {
    MessageRole.SYSTEM.value: "system",
    MessageRole.DEVELOPER.value: "system",
    MessageRole.USER.value: "user",
    MessageRole.ASSISTANT.value: "assistant",
    MessageRole.CHATBOT.value: "assistant",
    MessageRole.MODEL.value: "assistant",
    MessageRole.TOOL.value: "tool",
    MessageRole.FUNCTION.value: "tool",
}

_CACHEABLE = (TextPart, ImagePart, FilePart, ToolResultPart)


def to_wenwen_messages(
    messages: Sequence[ChatMessage], protocol: str | None = None
) -> list[Message]:
    """Convert a LlamaIndex history; never mutates the caller's messages. Given the
    ``protocol`` the request goes out on, a turn from another protocol (the ``protocol``
    its signed ``ThinkingBlock``s and ``server_tool_calls`` record) keeps its reasoning
    text but not its signatures or provider-run tool calls."""
    converted: list[Message] = []
    for message in messages:
        turn = _convert_message(message, converted)
        if protocol and _origins(message) - {protocol}:
            turn.parts = foreign_parts(turn.parts)
        converted.append(turn)
    return converted


def _origins(message: ChatMessage) -> set[str]:
    """The protocols whose signed reasoning or provider-run tool calls the turn holds."""
    stamps: list[Any] = [
        block.additional_information.get("protocol")
        for block in message.blocks
        if isinstance(block, ThinkingBlock)
    ]
    server_calls = message.additional_kwargs.get("server_tool_calls") or ()
    stamps.extend(raw.get("protocol") for raw in server_calls if isinstance(raw, dict))
    return {stamp for stamp in stamps if isinstance(stamp, str)}


def _convert_message(message: ChatMessage, earlier: list[Message]) -> Message:
    role = _ROLES.get(_role_value(message.role))
    if role is None:
        raise ConfigurationError(f"unsupported message role {message.role!r}")
    if role == "tool":
        return _tool_message(message)
    parts: list[Part] = []
    for block in message.blocks:
        if isinstance(block, CachePoint):
            _mark_cache_point(block, parts, earlier)
        elif role == "assistant" and isinstance(block, CitationBlock) and _cites(parts, block):
            pass  # attached to the text it cites (a reply's citation, sent back)
        else:
            parts.extend(_block_parts(block, role))
    if role == "assistant":
        _add_legacy_assistant_parts(message, parts)
    name = message.additional_kwargs.get("name")
    return Message(role=role, parts=parts, name=name if isinstance(name, str) else None)


def _cites(parts: list[Part], block: CitationBlock) -> bool:
    """Attach a reply's citation to the text part before it; false when there is none."""
    if not parts or not isinstance(parts[-1], TextPart):
        return False
    location = block.additional_location_info
    parts[-1].citations.append(
        Citation(
            url=block.source,
            title=block.title or None,
            start_index=location.get("start_index"),
            end_index=location.get("end_index"),
        )
    )
    return True


def _role_value(role: Any) -> str:
    return role.value if isinstance(role, MessageRole) else str(role)


def _block_parts(block: Any, role: Role) -> list[Part]:
    if isinstance(block, TextBlock):
        return [TextPart(text=block.text)]
    if isinstance(block, ImageBlock):
        return [image_part(block)]
    if isinstance(block, ThinkingBlock):
        return [_thinking_part(block)]
    if isinstance(block, ToolCallBlock):
        if role != "assistant":
            raise ConfigurationError("a ToolCallBlock belongs in an assistant message")
        return [_tool_call_part(block)]
    if isinstance(block, AudioBlock):
        return [_audio_part(block)]
    if isinstance(block, DocumentBlock):
        return [_file_part(block)]
    if isinstance(block, VideoBlock):
        return [_video_part(block)]
    if isinstance(block, CitableBlock):
        # Citable sources are sent as their plain content: the neutral model has no
        # citation part, and the text is what the model needs to answer from.
        return [part for inner in block.content for part in _block_parts(inner, role)]
    if isinstance(block, CitationBlock):
        return _block_parts(block.cited_content, role)
    raise UnsupportedFeatureError(
        f"content block {type(block).__name__} cannot be sent to the Wenwen API"
    )


def _mark_cache_point(block: CachePoint, parts: list[Part], earlier: list[Message]) -> None:
    """A CachePoint means "cache up to here": mark the last cacheable part before it.
    Only protocols that cache (Anthropic) send the mark; OpenAI-style relays cache
    automatically, so there it is simply not needed."""
    control = _cache_control(block)
    candidates = [parts, *(m.parts for m in reversed(earlier))]
    for group in candidates:
        for part in reversed(group):
            if isinstance(part, _CACHEABLE):
                part.cache_control = control
                return
    # A cache point with nothing before it marks nothing: there is no prefix to cache.


def _cache_control(point: CachePoint) -> dict[str, Any]:
    control: dict[str, Any] = {"type": point.cache_control.type}
    if point.cache_control.ttl and point.cache_control.ttl != "5m":  # 5m is the default
        control["ttl"] = point.cache_control.ttl
    return control


# --- media -------------------------------------------------------------------------------


def _split_data_url(url: str) -> tuple[str | None, str] | None:
    """``data:<type>;base64,<data>`` -> (type, data); None for any other URL."""
    if not url.startswith("data:") or ";base64," not in url:
        return None
    head, data = url[len("data:") :].split(";base64,", 1)
    return (head or None), data


def _inline_base64(raw: bytes | None, path: Path | str | None, what: str) -> str | None:
    """Base64 text of inline bytes (LlamaIndex stores them base64 already) or of a local
    file. URLs are never fetched here: they are passed on for the relay to fetch."""
    if raw is not None:
        if not isinstance(raw, bytes):
            raw = raw.read()  # an IOBase
        try:
            base64.b64decode(raw, validate=True)
            return raw.decode("ascii")
        except ValueError:
            return base64.b64encode(raw).decode("ascii")
    if path is not None:
        try:
            return base64.b64encode(Path(path).read_bytes()).decode("ascii")
        except OSError as exc:
            raise ConfigurationError(f"cannot read {what} file {str(path)!r}: {exc}") from exc
    return None


def image_part(block: ImageBlock) -> ImagePart:
    data = _inline_base64(block.image, block.path, "image")  # type: ignore[arg-type]
    if data is not None:
        return ImagePart(data=data, media_type=block.image_mimetype, detail=block.detail)
    if block.url is None:
        raise ConfigurationError("an ImageBlock needs image bytes, a path or a url")
    url = str(block.url)
    inline = _split_data_url(url)
    if inline is not None:
        media_type, data = inline
        return ImagePart(
            data=data, media_type=media_type or block.image_mimetype, detail=block.detail
        )
    return ImagePart(url=url, media_type=block.image_mimetype, detail=block.detail)


def _audio_part(block: AudioBlock) -> AudioPart:
    data = _inline_base64(block.audio, block.path, "audio")  # type: ignore[arg-type]
    if data is not None:
        return AudioPart(data=data, format=block.format or _suffix(block.path))
    if block.url is None:
        raise ConfigurationError("an AudioBlock needs audio bytes, a path or a url")
    inline = _split_data_url(str(block.url))
    if inline is not None:
        media_type, data = inline
        fmt = block.format or (media_type.split("/")[-1] if media_type else None)
        return AudioPart(data=data, format=fmt)
    return AudioPart(url=str(block.url), format=block.format or _suffix(str(block.url)))


def _suffix(location: Path | str | None) -> str | None:
    """``mp3`` for ``.../a.mp3`` (older LlamaIndex cores do not guess the format)."""
    if location is None:
        return None
    suffix = Path(str(location).split("?", 1)[0]).suffix.lstrip(".").lower()
    return suffix or None


def _file_part(block: DocumentBlock) -> FilePart:
    filename = block.title if block.title and block.title != "input_document" else None
    if filename is None and block.path is not None:
        filename = Path(str(block.path)).name
    data = _inline_base64(block.data, block.path, "document")  # type: ignore[arg-type]
    if data is not None:
        return FilePart(data=data, media_type=block.document_mimetype, filename=filename)
    if not block.url:
        raise ConfigurationError("a DocumentBlock needs data, a path or a url")
    inline = _split_data_url(block.url)
    if inline is not None:
        media_type, data = inline
        return FilePart(
            data=data, media_type=media_type or block.document_mimetype, filename=filename
        )
    return FilePart(url=block.url, media_type=block.document_mimetype, filename=filename)


def _video_part(block: VideoBlock) -> VideoPart:
    if block.url is not None:
        return VideoPart(url=str(block.url), media_type=block.video_mimetype)
    data = _inline_base64(block.video, block.path, "video")  # type: ignore[arg-type]
    if data is None:
        raise ConfigurationError("a VideoBlock needs video bytes, a path or a url")
    media_type = block.video_mimetype or "video/mp4"
    return VideoPart(url=f"data:{media_type};base64,{data}", media_type=media_type)


# --- assistant turns: thinking and tool calls ----------------------------------------------


def _thinking_part(block: ThinkingBlock) -> ThinkingPart:
    info = block.additional_information
    signature = info.get("signature")
    redacted = info.get("redacted")
    provider_data = info.get("provider_data")
    return ThinkingPart(
        text=block.content or "",
        signature=signature if isinstance(signature, str) else None,
        redacted=redacted if isinstance(redacted, str) else None,
        provider_data=dict(provider_data) if isinstance(provider_data, dict) else {},
    )


def _tool_call_part(block: ToolCallBlock) -> ToolCallPart:
    kwargs = block.tool_kwargs
    field = f"tool call {block.tool_name!r} tool_kwargs"
    arguments = kwargs if isinstance(kwargs, str) else json_text(kwargs, field)
    return ToolCallPart(
        id=block.tool_call_id or f"call_{block.tool_name}",
        name=block.tool_name,
        arguments=arguments or "{}",
    )


def _add_legacy_assistant_parts(message: ChatMessage, parts: list[Part]) -> None:
    """Read what older integrations keep in ``additional_kwargs``: reasoning text and
    OpenAI-style tool calls (only when no block carries them), and provider data that a
    ``ToolCallBlock`` has no field for."""
    extras = message.additional_kwargs
    for raw in extras.get("server_tool_calls") or ():
        fields = {k: v for k, v in raw.items() if k != "protocol"}  # our origin stamp
        parts.insert(0, ServerToolCallPart.model_validate(fields))
    reasoning = extras.get("reasoning_content")
    if (
        isinstance(reasoning, str)
        and reasoning
        and not any(isinstance(p, ThinkingPart) for p in parts)
    ):
        parts.insert(0, ThinkingPart(text=reasoning))
    legacy = [_legacy_tool_call(raw) for raw in extras.get("tool_calls") or ()]
    block_calls = {p.id: p for p in parts if isinstance(p, ToolCallPart)}
    if not block_calls:
        parts.extend(legacy)
        return
    for call in legacy:
        if call.id in block_calls and call.provider_data:
            block_calls[call.id].provider_data = call.provider_data


def _legacy_tool_call(raw: Any) -> ToolCallPart:
    """An OpenAI-shaped tool call, as a dict or as an SDK object."""
    if not isinstance(raw, dict):
        dump = getattr(raw, "model_dump", None)
        raw = dump() if callable(dump) else vars(raw)
    function = raw.get("function") or {}
    name = function.get("name") or raw.get("name")
    if not name:
        raise ConfigurationError(f"tool call without a function name: {raw!r}")
    arguments = function.get("arguments", raw.get("arguments", "{}"))
    if not isinstance(arguments, str):
        arguments = json_text(arguments, f"tool call {name!r} arguments")
    provider_data = raw.get("provider_data")
    return ToolCallPart(
        id=str(raw.get("id") or f"call_{name}"),
        name=str(name),
        arguments=arguments or "{}",
        provider_data=dict(provider_data) if isinstance(provider_data, dict) else {},
    )


# --- tool results --------------------------------------------------------------------------


def _tool_message(message: ChatMessage) -> Message:
    extras = message.additional_kwargs
    call_id = extras.get("tool_call_id")
    if not call_id:
        raise ConfigurationError(
            "a tool message needs additional_kwargs['tool_call_id'] naming the call it answers"
        )
    content: list[TextPart | ImagePart] = []
    cache_control: dict[str, Any] | None = None
    for block in message.blocks:
        if isinstance(block, TextBlock):
            content.append(TextPart(text=block.text))
        elif isinstance(block, ImageBlock):
            content.append(image_part(block))
        elif isinstance(block, CachePoint):
            cache_control = _cache_control(block)  # marks the whole result
        else:
            raise UnsupportedFeatureError(
                f"a tool result can hold text and images, not {type(block).__name__}"
            )
    name = extras.get("name")
    part = ToolResultPart(
        tool_call_id=str(call_id),
        content=content,
        is_error=bool(extras.get("is_error", False)),
        name=name if isinstance(name, str) else None,
        cache_control=cache_control,
    )
    return Message(role="tool", parts=[part])
