"""LangChain messages → the neutral ``wenwen.types`` history.

Every content-block dialect LangChain users send is accepted: plain strings, OpenAI chat
blocks (``image_url``, ``input_audio``, ``file``), LangChain standard blocks (v1, and v0 with
``source_type``) and Anthropic blocks (``source`` images and documents, ``tool_use``,
``tool_result``, ``thinking`` with ``signature``, ``cache_control``). A block that the neutral
model cannot hold raises ``UnsupportedFeatureError`` naming it; nothing is skipped quietly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from wenwen.errors import UnsupportedFeatureError
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

TOOL_CALL_DATA_KEY = "wenwen_tool_call_data"
"""``additional_kwargs`` key holding per-tool-call provider data (e.g. Gemini thought
signatures), keyed by tool call id, so that it travels back on the next turn."""

_CHAT_ROLES: dict[str, Role] = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "system": "system",
    "developer": "system",
}
_AUDIO_FORMATS = {"mpeg": "mp3", "mp3": "mp3", "wav": "wav", "x-wav": "wav", "wave": "wav"}


def to_wenwen_messages(
    messages: Sequence[BaseMessage], protocol: str | None = None
) -> list[Message]:
    """Convert a LangChain history. Consecutive ``ToolMessage``s become one ``tool`` turn.
    Given the ``protocol`` the request goes out on, an answer that came over another one
    keeps its reasoning text but not its signatures or provider-run tool calls
    (``wenwen.types.foreign_parts``)."""
    out: list[Message] = []
    for position, message in enumerate(messages):
        converted = _convert_message(message, position)
        if protocol and isinstance(message, AIMessage):
            origin = message.response_metadata.get("wenwen_protocol")
            if isinstance(origin, str) and origin != protocol:
                converted.parts = foreign_parts(converted.parts)
        previous = out[-1] if out else None
        if converted.role == "tool" and previous is not None and previous.role == "tool":
            previous.parts.extend(converted.parts)
        else:
            out.append(converted)
    return out


def _convert_message(message: BaseMessage, position: int) -> Message:
    if isinstance(message, AIMessage):
        return Message(
            role="assistant", parts=assistant_parts(message, position), name=message.name
        )
    if isinstance(message, ToolMessage):
        return Message(role="tool", parts=[_tool_result(message, position)])
    if isinstance(message, HumanMessage):
        role: Role = "user"
    elif isinstance(message, SystemMessage):
        role = "system"
    elif isinstance(message, ChatMessage) and message.role.lower() in _CHAT_ROLES:
        role = _CHAT_ROLES[message.role.lower()]
    else:
        raise UnsupportedFeatureError(
            f"message {position} is a {type(message).__name__}"
            f"{_role_suffix(message)}, which Wenwen chat cannot carry; use System, Human, AI "
            "or Tool messages"
        )
    parts = content_parts(message.content, f"{role} message {position}")
    return Message(role=role, parts=parts, name=message.name)


def _role_suffix(message: BaseMessage) -> str:
    role = getattr(message, "role", None)
    return f" with role {role!r}" if role else ""


# --- user / system content ---------------------------------------------------------------


def content_parts(content: str | list[Any], where: str) -> list[Part]:
    """Parts for user or system content (any dialect); ``where`` names the message in errors."""
    if isinstance(content, str):
        return [TextPart(text=content)]
    parts: list[Part] = []
    for item in content:
        if isinstance(item, str):
            parts.append(TextPart(text=item))
        elif isinstance(item, dict):
            parts.append(_block_part(item, where))
        else:
            raise UnsupportedFeatureError(
                f"{where}: content item of type {type(item).__name__} is neither text nor a "
                "content block"
            )
    return parts


def _block_part(block: dict[str, Any], where: str) -> Part:
    kind = block.get("type")
    converter = _BLOCK_CONVERTERS.get(kind) if isinstance(kind, str) else None
    if converter is None:
        raise UnsupportedFeatureError(
            f"{where}: content block type {kind!r} is not supported here "
            f"(supported: {', '.join(sorted(_BLOCK_CONVERTERS))})"
        )
    return converter(block, where)


def _text(block: dict[str, Any], where: str) -> Part:
    text = block.get("text")
    if not isinstance(text, str):
        raise UnsupportedFeatureError(f"{where}: a text block without a 'text' string")
    return TextPart(text=text, cache_control=block.get("cache_control"))


def split_data_url(url: str) -> tuple[str | None, str] | None:
    """``(media_type, base64 data)`` for a ``data:...;base64,`` URL, else ``None``."""
    if not url.startswith("data:"):
        return None
    header, _, data = url[5:].partition(",")
    if not header.endswith(";base64"):
        return None
    media_type = header[: -len(";base64")] or None
    return media_type, data


def _image_from_url(url: str, block: dict[str, Any], detail: str | None = None) -> ImagePart:
    cache_control = block.get("cache_control")
    inline = split_data_url(url)
    if inline is not None:
        media_type, data = inline
        return ImagePart(
            data=data, media_type=media_type, detail=detail, cache_control=cache_control
        )
    return ImagePart(url=url, detail=detail, cache_control=cache_control)


def _image_url(block: dict[str, Any], where: str) -> Part:
    value = block.get("image_url")
    if isinstance(value, str):
        return _image_from_url(value, block)
    if isinstance(value, dict) and isinstance(value.get("url"), str):
        return _image_from_url(value["url"], block, value.get("detail"))
    raise UnsupportedFeatureError(f"{where}: an image_url block without a URL")


def _media_source(block: dict[str, Any], kind: str, where: str) -> tuple[str, str, str | None]:
    """``(how, value, mime_type)`` of a standard (v1 or v0) or Anthropic media block, where
    ``how`` is ``url``, ``base64`` or ``file_id``."""
    source = block.get("source")
    if isinstance(source, dict):  # Anthropic
        source_type = source.get("type")
        if source_type == "base64" and isinstance(source.get("data"), str):
            return "base64", source["data"], source.get("media_type")
        if source_type == "url" and isinstance(source.get("url"), str):
            return "url", source["url"], source.get("media_type")
        if source_type == "file" and isinstance(source.get("file_id"), str):
            return "file_id", source["file_id"], None
        if source_type == "text" and isinstance(source.get("data"), str):
            return "text", source["data"], source.get("media_type", "text/plain")
        raise UnsupportedFeatureError(f"{where}: {kind} source of type {source_type!r}")
    mime_type = block.get("mime_type")
    source_type = block.get("source_type")  # LangChain v0 blocks
    if source_type is not None:
        field = {"url": "url", "base64": "data", "id": "id"}.get(source_type)
        value = block.get(field) if field else None
        if isinstance(value, str):
            how = {"url": "url", "base64": "base64", "id": "file_id"}[source_type]
            return how, value, mime_type
        raise UnsupportedFeatureError(f"{where}: {kind} block with source_type {source_type!r}")
    for how, key in (("base64", "base64"), ("url", "url"), ("file_id", "file_id")):
        value = block.get(key)
        if isinstance(value, str):
            if how == "url" and (inline := split_data_url(value)) is not None:
                return "base64", inline[1], inline[0] or mime_type
            return how, value, mime_type
    raise UnsupportedFeatureError(f"{where}: {kind} block without url, base64 or file_id")


def _image(block: dict[str, Any], where: str) -> Part:
    how, value, mime_type = _media_source(block, "image", where)
    cache_control = block.get("cache_control")
    detail = block.get("detail") or (block.get("extras") or {}).get("detail")
    if how == "base64":
        return ImagePart(
            data=value, media_type=mime_type, detail=detail, cache_control=cache_control
        )
    if how == "url":
        return _image_from_url(value, block, detail)
    raise UnsupportedFeatureError(
        f"{where}: images by provider file id ({value!r}) are not supported; send a URL or "
        "base64 data"
    )


def _filename(block: dict[str, Any]) -> str | None:
    for holder in (block, block.get("extras") or {}, block.get("metadata") or {}):
        for key in ("filename", "name", "title"):
            value = holder.get(key)
            if isinstance(value, str):
                return value
    return None


def _file(block: dict[str, Any], where: str) -> Part:
    nested = block.get("file")
    if isinstance(nested, dict):  # OpenAI chat completions
        filename = nested.get("filename")
        if isinstance(nested.get("file_id"), str):
            return FilePart(file_id=nested["file_id"], filename=filename)
        inline = split_data_url(nested.get("file_data") or "")
        if inline is None:
            raise UnsupportedFeatureError(f"{where}: a file block needs file_data or file_id")
        return FilePart(data=inline[1], media_type=inline[0], filename=filename)
    how, value, mime_type = _media_source(block, "file", where)
    if how == "text":
        return TextPart(text=value, cache_control=block.get("cache_control"))
    return FilePart(
        data=value if how == "base64" else None,
        url=value if how == "url" else None,
        file_id=value if how == "file_id" else None,
        media_type=mime_type,
        filename=_filename(block),
        cache_control=block.get("cache_control"),
    )


def _text_plain(block: dict[str, Any], where: str) -> Part:
    text = block.get("text")
    if isinstance(text, str):
        return TextPart(text=text, cache_control=block.get("cache_control"))
    return _file(block, where)


def audio_format(mime_type: str | None) -> str | None:
    if not mime_type:
        return None
    subtype = mime_type.split("/")[-1].lower()
    return _AUDIO_FORMATS.get(subtype, subtype)


def _audio(block: dict[str, Any], where: str) -> Part:
    how, value, mime_type = _media_source(block, "audio", where)
    if how == "base64":
        return AudioPart(data=value, format=audio_format(mime_type))
    if how == "url":
        return AudioPart(url=value, format=audio_format(mime_type))
    raise UnsupportedFeatureError(f"{where}: audio by provider file id is not supported")


def _input_audio(block: dict[str, Any], where: str) -> Part:
    audio = block.get("input_audio")
    if not isinstance(audio, dict) or not isinstance(audio.get("data"), str):
        raise UnsupportedFeatureError(f"{where}: an input_audio block without data")
    return AudioPart(data=audio["data"], format=audio.get("format"))


def _video(block: dict[str, Any], where: str) -> Part:
    how, value, mime_type = _media_source(block, "video", where)
    if how != "url":
        raise UnsupportedFeatureError(f"{where}: videos are supported by URL only")
    return VideoPart(url=value, media_type=mime_type)


def _tool_result_block(block: dict[str, Any], where: str) -> Part:
    """Anthropic's ``tool_result`` block inside a user message."""
    call_id = block.get("tool_use_id") or block.get("tool_call_id")
    if not isinstance(call_id, str):
        raise UnsupportedFeatureError(f"{where}: a tool_result block without tool_use_id")
    return ToolResultPart(
        tool_call_id=call_id,
        content=_tool_content(block.get("content", ""), where),
        is_error=bool(block.get("is_error")),
        cache_control=block.get("cache_control"),
    )


_BLOCK_CONVERTERS = {
    "text": _text,
    "image_url": _image_url,
    "image": _image,
    "file": _file,
    "document": _file,
    "text-plain": _text_plain,
    "audio": _audio,
    "input_audio": _input_audio,
    "video": _video,
    "tool_result": _tool_result_block,
}


# --- tool results ----------------------------------------------------------------------


def _tool_content(content: Any, where: str) -> list[TextPart | ImagePart]:
    if isinstance(content, str):
        return [TextPart(text=content)]
    if not isinstance(content, list):
        return [TextPart(text=json_text(content, where))]
    out: list[TextPart | ImagePart] = []
    for item in content:
        part: TextPart | ImagePart | None = TextPart(text=item) if isinstance(item, str) else None
        if isinstance(item, dict):
            converted = _block_part(item, where)
            if not isinstance(converted, TextPart | ImagePart):
                raise UnsupportedFeatureError(
                    f"{where}: a tool result can carry text and images, not "
                    f"{type(converted).__name__} (block type {item.get('type')!r})"
                )
            part = converted
        if part is None:
            raise UnsupportedFeatureError(
                f"{where}: tool result item of type {type(item).__name__} is not supported"
            )
        out.append(part)
    return out


def _tool_result(message: ToolMessage, position: int) -> ToolResultPart:
    where = f"tool message {position}"
    return ToolResultPart(
        tool_call_id=message.tool_call_id,
        content=_tool_content(message.content, where),
        is_error=message.status == "error",
        name=message.name,
    )


# --- assistant turns ---------------------------------------------------------------------


def assistant_parts(message: AIMessage, position: int) -> list[Part]:
    """Parts of an earlier assistant turn, in content order; tool calls come from
    ``tool_calls`` (the canonical list), placed where a ``tool_use``/``tool_call`` block names
    them or else at the end; reasoning comes from thinking/reasoning blocks or, when none
    holds text, ``additional_kwargs["reasoning_content"]``."""
    where = f"assistant message {position}"
    provider_data = message.additional_kwargs.get(TOOL_CALL_DATA_KEY) or {}
    calls: dict[str, Any] = {call["id"]: call for call in message.tool_calls if call["id"]}
    placed: set[str] = set()
    parts: list[Part] = []
    for item in _as_list(message.content):
        part = _assistant_block(item, where, calls, provider_data)
        if part is None:
            continue
        if isinstance(part, ToolCallPart):
            if part.id in placed:
                continue
            placed.add(part.id)
        parts.append(part)
    for call in _all_calls(message):
        call_id = call.get("id") or ""
        if call_id not in placed:
            parts.append(_call_part(call, provider_data))
            placed.add(call_id)
    # A streamed Gemini answer has only a signature-only thinking block in content; its
    # thought text is in reasoning_content, so text-less thinking blocks do not count.
    if not any(isinstance(p, ThinkingPart) and (p.text or p.redacted) for p in parts):
        reasoning = message.additional_kwargs.get("reasoning_content")
        if isinstance(reasoning, str) and reasoning:
            parts.insert(0, ThinkingPart(text=reasoning))
    audio = message.additional_kwargs.get("audio")
    if isinstance(audio, dict) and audio.get("id"):
        parts.append(
            AudioPart(transcript=audio.get("transcript"), provider_data={"id": audio["id"]})
        )
    return parts


def _as_list(content: str | list[Any]) -> list[Any]:
    if isinstance(content, str):
        return [content] if content else []
    return content


def _all_calls(message: AIMessage) -> Iterable[dict[str, Any]]:
    yield from message.tool_calls  # type: ignore[misc]
    yield from message.invalid_tool_calls  # type: ignore[misc]


def _call_part(call: dict[str, Any], provider_data: dict[str, Any]) -> ToolCallPart:
    args = call.get("args")
    field = f"tool call {call.get('name')!r} args"
    arguments = args if isinstance(args, str) else json_text(args or {}, field)
    call_id = call.get("id") or ""
    return ToolCallPart(
        id=call_id,
        name=call.get("name") or "",
        arguments=arguments or "{}",
        provider_data=dict(provider_data.get(call_id) or {}),
    )


def _assistant_block(
    item: Any,
    where: str,
    calls: dict[str, Any],
    provider_data: dict[str, Any],
) -> Part | None:
    if isinstance(item, str):
        return TextPart(text=item) if item else None
    if not isinstance(item, dict):
        raise UnsupportedFeatureError(f"{where}: content item {item!r} is not a block")
    kind = item.get("type")
    if kind == "thinking":
        return ThinkingPart(text=item.get("thinking") or "", signature=item.get("signature"))
    if kind == "redacted_thinking":
        return ThinkingPart(redacted=item.get("data") or "")
    if kind == "reasoning":
        return _reasoning_part(item)
    if kind == "server_tool_call":
        return _server_tool_part(item)
    if kind in ("tool_use", "tool_call", "tool_call_chunk", "invalid_tool_call"):
        call_id = item.get("id") or ""
        if call_id in calls:
            return _call_part(calls[call_id], provider_data)
        args = item.get("input") if kind == "tool_use" else item.get("args")
        return _call_part({"id": call_id, "name": item.get("name"), "args": args}, provider_data)
    if kind == "text":
        text = item.get("text") or ""
        if not text:
            return None
        citations = [c for c in map(_citation, item.get("annotations") or []) if c]
        return TextPart(text=text, cache_control=item.get("cache_control"), citations=citations)
    return _block_part(item, where)


def _citation(annotation: Any) -> Citation | None:
    """A standard ``citation`` annotation (or an OpenAI ``url_citation``) with a URL."""
    if not isinstance(annotation, dict) or not isinstance(annotation.get("url"), str):
        return None
    if annotation.get("type") not in ("citation", "url_citation"):
        return None
    return Citation(
        url=annotation["url"],
        title=annotation.get("title"),
        start_index=annotation.get("start_index"),
        end_index=annotation.get("end_index"),
    )


def _server_tool_part(block: dict[str, Any]) -> ServerToolCallPart:
    extras = dict(block.get("extras") or {})
    status = extras.pop("status", None)
    args = block.get("args")
    return ServerToolCallPart(
        id=block.get("id") or "",
        name=block.get("name") or "",
        arguments=args if isinstance(args, dict) else {},
        status=status if isinstance(status, str) else None,
        provider_data=extras,
    )


def _reasoning_part(block: dict[str, Any]) -> ThinkingPart:
    """A v1 ``reasoning`` block (signature in ``extras``), or an OpenAI Responses reasoning
    item with a ``summary`` list."""
    extras = block.get("extras") or {}
    text = block.get("reasoning")
    if not isinstance(text, str):
        summary = block.get("summary") or []
        text = "".join(s.get("text", "") for s in summary if isinstance(s, dict))
    item_id = block.get("id")
    signature = extras.get("signature") or block.get("signature") or block.get("encrypted_content")
    return ThinkingPart(
        text=text,
        signature=signature,
        redacted=extras.get("redacted") or None,
        provider_data={"id": item_id} if isinstance(item_id, str) and item_id else {},
    )
