"""``content_blocks`` for messages from ``ChatWenwen`` (``model_provider="wenwen"``).

Registered with langchain-core's block translators, so that ``AIMessage.content_blocks`` on
a v0 reply gives standard blocks: Anthropic ``thinking`` blocks become ``reasoning`` blocks
(signature kept in ``extras``), reasoning text from ``additional_kwargs`` becomes a leading
``reasoning`` block, and tool calls (or, in a stream, tool-call chunks) are added.
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types

_STANDARD = frozenset(types.KNOWN_BLOCK_TYPES)


def _standard(item: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"type": "text", "text": item}
    kind = item.get("type")
    if kind == "thinking":
        block: dict[str, Any] = {"type": "reasoning", "reasoning": item.get("thinking", "")}
        if item.get("signature"):
            block["extras"] = {"signature": item["signature"]}
    elif kind == "redacted_thinking":
        block = {"type": "reasoning", "reasoning": "", "extras": {"redacted": item.get("data")}}
    elif kind == "text":
        block = {"type": "text", "text": item.get("text", "")}
        if item.get("annotations"):
            block["annotations"] = item["annotations"]
    elif kind in _STANDARD and "source_type" not in item:
        return dict(item)
    else:
        return {"type": "non_standard", "value": item}
    if "index" in item:
        block["index"] = item["index"]
    return block


def _translate(message: AIMessage, tool_blocks: list[dict[str, Any]]) -> list[types.ContentBlock]:
    content = message.content
    items: list[Any] = ([content] if content else []) if isinstance(content, str) else content
    blocks = [_standard(item) for item in items]
    reasoning = message.additional_kwargs.get("reasoning_content")
    if reasoning and not any(b["type"] == "reasoning" for b in blocks):
        blocks.insert(0, {"type": "reasoning", "reasoning": reasoning})
    blocks.extend(tool_blocks)
    return cast("list[types.ContentBlock]", blocks)


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    tool_blocks: list[dict[str, Any]] = [
        {"type": "tool_call", "id": c["id"], "name": c["name"], "args": c["args"]}
        for c in message.tool_calls
    ]
    tool_blocks += [{**c, "type": "invalid_tool_call"} for c in message.invalid_tool_calls]
    return _translate(message, tool_blocks)


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    if message.chunk_position == "last":
        return translate_content(message)
    tool_blocks: list[dict[str, Any]] = []
    for piece in message.tool_call_chunks:
        block: dict[str, Any] = {
            "type": "tool_call_chunk",
            "id": piece.get("id"),
            "name": piece.get("name"),
            "args": piece.get("args"),
        }
        if piece.get("index") is not None:
            block["index"] = piece["index"]
        tool_blocks.append(block)
    return _translate(message, tool_blocks)


def register() -> None:
    from langchain_core.messages.block_translators import register_translator

    register_translator("wenwen", translate_content, translate_content_chunk)
