"""Stream events -> cumulative LlamaIndex ``ChatResponse`` chunks.

LlamaIndex expects every streamed chunk to carry the whole message so far plus the new text
in ``delta``. Rebuilding every block per chunk is quadratic work, so this keeps one block per
part and replaces only the block whose part changed. The last chunk is built from the core's
accumulated response, so a stream ends with exactly what a non-streamed call returns (usage
and finish reason in ``raw`` included).
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from wenwen import types as wt

from ._response import Block, part_block, to_chat_response


class _ToolCallState:
    __slots__ = ("arguments", "id", "index", "name", "provider_data")

    def __init__(self, index: int) -> None:
        self.index = index
        self.id: str | None = None
        self.name = ""
        self.arguments = ""
        self.provider_data: dict[str, Any] = {}


class ChunkBuilder:
    """Feed it stream events; ``feed`` returns a chunk for each event that changes the
    message, ``final`` the closing chunk."""

    def __init__(self) -> None:
        self._blocks: list[Block] = []
        self._slots: dict[str, int] = {}
        self._texts: dict[str, str] = {}
        self._signatures: dict[str, str] = {}
        self._thinking_data: dict[str, dict[str, Any]] = {}
        self._calls: dict[str, _ToolCallState] = {}
        self._call_dicts: dict[str, dict[str, Any]] = {}

    def feed(self, event: wt.StreamEvent) -> ChatResponse | None:
        if isinstance(event, wt.TextDelta):
            if not event.text:
                return None
            text = self._texts.get(event.key, "") + event.text
            self._texts[event.key] = text
            self._put(event.key, TextBlock(text=text))
            return self._chunk(event.text)
        if isinstance(event, wt.ThinkingDelta):
            return self._thinking(event)
        if isinstance(event, wt.ToolCallDelta):
            self._tool_call(event)
            return self._chunk("")
        if isinstance(event, wt.MediaDelta):
            self._put(event.key, part_block(event.part))
            return self._chunk("")
        return None

    def final(self, response: wt.ChatResponse) -> ChatResponse:
        return to_chat_response(response, delta="")

    def _put(self, key: str, block: Block) -> None:
        slot = self._slots.get(key)
        if slot is None:
            self._slots[key] = len(self._blocks)
            self._blocks.append(block)
        else:
            self._blocks[slot] = block

    def _thinking(self, event: wt.ThinkingDelta) -> ChatResponse | None:
        if not (event.text or event.signature or event.redacted or event.provider_data):
            return None
        text = self._texts.get(event.key, "") + event.text
        self._texts[event.key] = text
        info: dict[str, Any] = {}
        if event.signature:
            self._signatures[event.key] = self._signatures.get(event.key, "") + event.signature
        if event.key in self._signatures:
            info["signature"] = self._signatures[event.key]
        if event.redacted:
            info["redacted"] = event.redacted
        if event.provider_data:
            self._thinking_data.setdefault(event.key, {}).update(event.provider_data)
        if event.key in self._thinking_data:
            info["provider_data"] = dict(self._thinking_data[event.key])
        self._put(event.key, ThinkingBlock(content=text, additional_information=info))
        extras = {"thinking_delta": event.text} if event.text else {}
        return self._chunk("", extras)

    def _tool_call(self, event: wt.ToolCallDelta) -> None:
        state = self._calls.get(event.key)
        if state is None:
            state = self._calls[event.key] = _ToolCallState(event.index)
        # Ids and names are set once: relays that repeat them on every fragment must not
        # get them concatenated (the same rule as wenwen.stream.StreamAccumulator).
        if event.id and state.id is None:
            state.id = event.id
        if event.name and not state.name:
            state.name = event.name
        call_id = state.id or f"call_{state.index}"
        state.arguments += event.arguments
        if event.provider_data:
            state.provider_data.update(event.provider_data)
        # Arguments stay text while they are partial; get_tool_calls_from_response parses
        # them leniently, and the final chunk carries the parsed dict.
        self._put(
            event.key,
            ToolCallBlock(tool_call_id=call_id, tool_name=state.name, tool_kwargs=state.arguments),
        )
        call: dict[str, Any] = {
            "id": call_id,
            "type": "function",
            "function": {"name": state.name, "arguments": state.arguments},
        }
        if state.provider_data:
            call["provider_data"] = dict(state.provider_data)
        self._call_dicts[event.key] = call

    def _chunk(self, delta: str, extras: dict[str, Any] | None = None) -> ChatResponse:
        message_extras: dict[str, Any] = {}
        if self._call_dicts:
            message_extras["tool_calls"] = list(self._call_dicts.values())
        message = ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=list(self._blocks),
            additional_kwargs=message_extras,
        )
        return ChatResponse(message=message, delta=delta, additional_kwargs=extras or {})
