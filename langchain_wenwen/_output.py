"""``wenwen`` replies → LangChain messages: a ``ChatResponse`` becomes an ``AIMessage``, a
stream of ``StreamEvent``s becomes ``AIMessageChunk``s.

Content shape (``output_version`` unset / ``"v0"``): a plain string while the reply is text
(reasoning text in ``additional_kwargs["reasoning_content"]``, tool calls in ``tool_calls``);
a list of blocks when the reply carries something a string cannot hold — signed or redacted
thinking (Anthropic's ``thinking`` / ``redacted_thinking`` blocks, replayed verbatim) or
images and videos (standard ``image`` / ``video`` blocks). A stream sends text as strings
until a part needs a block (Anthropic thinking, which comes before the text, or media), and
blocks from then on. With
``output_version="v1"`` the content is LangChain's standard blocks, built here with stable
``index`` values so that chunks merge into exactly one block per reply part.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk

from wenwen.types import (
    AudioPart,
    ChatResponse,
    CitationDelta,
    ImagePart,
    MediaDelta,
    Part,
    ResponseStarted,
    ServerToolCallDelta,
    ServerToolCallPart,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    VideoPart,
)

from ._convert import TOOL_CALL_DATA_KEY

MODEL_PROVIDER = "wenwen"


# --- usage -------------------------------------------------------------------------------


def usage_metadata(usage: Usage) -> UsageMetadata:
    """LangChain usage: ``input_tokens`` already counts cached tokens (the neutral model's
    convention); details appear when the relay reported them."""
    total = usage.total_tokens or usage.input_tokens + usage.output_tokens
    metadata = UsageMetadata(
        input_tokens=usage.input_tokens, output_tokens=usage.output_tokens, total_tokens=total
    )
    input_details = InputTokenDetails()
    if usage.cache_read_tokens:
        input_details["cache_read"] = usage.cache_read_tokens
    if usage.cache_creation_tokens:
        input_details["cache_creation"] = usage.cache_creation_tokens
    if usage.audio_input_tokens:
        input_details["audio"] = usage.audio_input_tokens
    output_details = OutputTokenDetails()
    if usage.reasoning_tokens:
        output_details["reasoning"] = usage.reasoning_tokens
    if usage.audio_output_tokens:
        output_details["audio"] = usage.audio_output_tokens
    if input_details:
        metadata["input_token_details"] = input_details
    if output_details:
        metadata["output_token_details"] = output_details
    return metadata


def token_usage(usage: Usage | None) -> dict[str, int]:
    """The OpenAI-style ``token_usage`` summary kept in ``llm_output``."""
    if usage is None:
        return {}
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens or usage.input_tokens + usage.output_tokens,
    }


# --- blocks ------------------------------------------------------------------------------


def media_block(part: ImagePart | VideoPart | AudioPart) -> dict[str, Any]:
    """A standard LangChain block for an image, video or audio reply part."""
    if isinstance(part, ImagePart):
        if part.url:
            return {"type": "image", "url": part.url}
        return {
            "type": "image",
            "base64": part.data or "",
            "mime_type": part.media_type or "image/png",
        }
    if isinstance(part, VideoPart):
        block: dict[str, Any] = {"type": "video", "url": part.url}
        if part.media_type:
            block["mime_type"] = part.media_type
        return block
    audio: dict[str, Any] = {"type": "audio"}
    if part.data:
        audio["base64"] = part.data
        audio["mime_type"] = f"audio/{part.format or 'wav'}"
    elif part.url:
        audio["url"] = part.url
    if part.provider_data.get("id"):
        audio["id"] = part.provider_data["id"]
    if part.transcript:
        audio["extras"] = {"transcript": part.transcript}
    return audio


def audio_kwarg(part: AudioPart) -> dict[str, Any]:
    """Audio replies in ``additional_kwargs["audio"]`` (ChatOpenAI's place), so that the
    audio id goes back on the next turn."""
    audio = {"id": part.provider_data.get("id"), "data": part.data, "format": part.format}
    audio["transcript"] = part.transcript
    if part.url:
        audio["url"] = part.url
    return {k: v for k, v in audio.items() if v is not None}


def citation_annotation(text: str, citation: Any) -> dict[str, Any]:
    """A neutral citation as LangChain's standard ``citation`` annotation."""
    annotation: dict[str, Any] = {"type": "citation", "url": citation.url}
    if citation.title is not None:
        annotation["title"] = citation.title
    if citation.start_index is not None and citation.end_index is not None:
        annotation["start_index"] = citation.start_index
        annotation["end_index"] = citation.end_index
        annotation["cited_text"] = text[citation.start_index : citation.end_index]
    return annotation


def text_block(part: TextPart) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": part.text}
    if part.citations:
        block["annotations"] = [citation_annotation(part.text, c) for c in part.citations]
    return block


def server_tool_block(part: ServerToolCallPart) -> dict[str, Any]:
    """A provider-run tool call as a standard ``server_tool_call`` block (the wire item
    kept in ``extras`` for replay)."""
    block: dict[str, Any] = {
        "type": "server_tool_call",
        "id": part.id,
        "name": part.name,
        "args": dict(part.arguments),
    }
    extras = {"status": part.status, **part.provider_data}
    block["extras"] = {k: v for k, v in extras.items() if v is not None}
    return block


def thinking_block(part: ThinkingPart, *, v1: bool) -> dict[str, Any]:
    # Reasoning that belongs to a provider item (an OpenAI Responses reasoning item) is a
    # standard reasoning block carrying the item id, in every output version.
    item_id = part.provider_data.get("id")
    if v1 or item_id:
        block: dict[str, Any] = {"type": "reasoning", "reasoning": part.text}
        extras = {"signature": part.signature, "redacted": part.redacted}
        extras = {k: v for k, v in extras.items() if v}
        if extras:
            block["extras"] = extras
        if item_id:
            block["id"] = item_id
        return block
    if part.redacted:
        return {"type": "redacted_thinking", "data": part.redacted}
    block = {"type": "thinking", "thinking": part.text}
    if part.signature:
        block["signature"] = part.signature
    return block


def needs_blocks(parts: list[Part]) -> bool:
    """Whether v0 content must be a block list (a string cannot carry these parts)."""
    return any(
        isinstance(p, ImagePart | VideoPart | ServerToolCallPart)
        or (isinstance(p, ThinkingPart) and (p.signature or p.redacted or p.provider_data))
        or (isinstance(p, TextPart) and p.citations)
        for p in parts
    )


# --- whole replies -----------------------------------------------------------------------


def _tool_call_entries(parts: list[Part]) -> list[Any]:
    """``tool_call`` / ``invalid_tool_call`` dicts, in reply order. Arguments that are not
    a JSON object make an invalid tool call (with the parse error), not an exception."""
    entries: list[Any] = []
    for part in parts:
        if not isinstance(part, ToolCallPart):
            continue
        try:
            args = part.parsed_arguments()
        except ValueError as exc:
            entries.append(
                invalid_tool_call(name=part.name, args=part.arguments, id=part.id, error=str(exc))
            )
        else:
            entries.append(tool_call(name=part.name, args=args, id=part.id))
    return entries


def _tool_provider_data(parts: list[Part]) -> dict[str, dict[str, Any]]:
    return {
        p.id: dict(p.provider_data)
        for p in parts
        if isinstance(p, ToolCallPart) and p.provider_data
    }


def _content(response: ChatResponse, entries: list[Any], v1: bool) -> Any:
    if not v1 and not needs_blocks(response.parts):
        return response.text
    pending = iter(entries)
    content: list[dict[str, Any]] = []
    for part in response.parts:
        if isinstance(part, TextPart):
            content.append(text_block(part))
        elif isinstance(part, ServerToolCallPart):
            content.append(server_tool_block(part))
        elif isinstance(part, ThinkingPart):
            content.append(thinking_block(part, v1=v1))
        elif isinstance(part, ImagePart | VideoPart) or (v1 and isinstance(part, AudioPart)):
            content.append(media_block(part))
        elif isinstance(part, ToolCallPart):
            entry = next(pending)
            if v1:
                content.append(dict(entry))
    return content


def response_metadata(response: ChatResponse, protocol: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "model_provider": MODEL_PROVIDER,
        "model_name": response.model or "",
        "finish_reason": response.finish_reason,
        "wenwen_protocol": protocol,
    }
    if response.id:
        metadata["id"] = response.id
    if response.stop_reason_raw and response.stop_reason_raw != response.finish_reason:
        metadata["stop_reason"] = response.stop_reason_raw
    if response.client_stop is not None:
        # the wire has no stop sequences (or the relay dropped them): cut by the client
        metadata["wenwen_client_stop"] = response.client_stop
    return metadata


def _additional_kwargs(response: ChatResponse, provider_data: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    reasoning = "".join(p.text for p in response.parts if isinstance(p, ThinkingPart))
    if reasoning:
        extra["reasoning_content"] = reasoning
    if response.refusal:
        extra["refusal"] = response.refusal
    if provider_data:
        extra[TOOL_CALL_DATA_KEY] = provider_data
    audio = [p for p in response.parts if isinstance(p, AudioPart)]
    if audio:
        extra["audio"] = audio_kwarg(audio[-1])
    return extra


def to_ai_message(response: ChatResponse, protocol: str, *, v1: bool) -> AIMessage:
    entries = _tool_call_entries(response.parts)
    metadata = response_metadata(response, protocol)
    if v1:
        metadata["output_version"] = "v1"
    return AIMessage(
        content=_content(response, entries, v1),
        additional_kwargs=_additional_kwargs(response, _tool_provider_data(response.parts)),
        response_metadata=metadata,
        tool_calls=[e for e in entries if e["type"] == "tool_call"],
        invalid_tool_calls=[e for e in entries if e["type"] == "invalid_tool_call"],
        usage_metadata=usage_metadata(response.usage) if response.usage else None,
        id=response.id,
    )


# --- streams -----------------------------------------------------------------------------


class ChunkConverter:
    """Turns one stream's events into ``AIMessageChunk``s.

    Every reply part gets a stable ordinal (its position among the parts), used as the
    ``index`` of its blocks and tool-call chunks, so chunks of one part merge and different
    parts never do. A tool call's id and name are sent once (relays that repeat them on
    every fragment would otherwise get them concatenated by chunk addition). Usage and the
    reply metadata go on the final chunk only, taken from the accumulated reply, so that
    summing chunks counts tokens exactly once.
    """

    def __init__(self, protocol: str, *, v1: bool) -> None:
        self.protocol = protocol
        self.v1 = v1
        self.blocks = v1  # becomes true once a part needed a block
        self._ordinals: dict[str, int] = {}
        self._tool_sent: dict[str, tuple[bool, bool]] = {}
        self._media_seen: set[str] = set()
        self._id: str | None = None
        self._texts: dict[str, str] = {}  # text so far per part, for citations' cited_text
        self._item_reasoning: set[str] = set()  # keys of reasoning that belongs to an item

    def _ordinal(self, key: str) -> int:
        ordinal = self._ordinals.get(key)
        if ordinal is None:
            ordinal = self._ordinals[key] = len(self._ordinals)
        return ordinal

    def _chunk(self, content: Any, **fields: Any) -> AIMessageChunk:
        metadata = {"model_provider": MODEL_PROVIDER}
        if self.v1:
            metadata["output_version"] = "v1"
        return AIMessageChunk(content=content, response_metadata=metadata, id=self._id, **fields)

    def convert(self, event: StreamEvent) -> AIMessageChunk | None:
        """The chunk for one event, or ``None`` for events that only feed the final chunk
        (start, usage, finish)."""
        if isinstance(event, TextDelta):
            if not event.text:
                return None
            self._texts[event.key] = self._texts.get(event.key, "") + event.text
            if not self.blocks:
                return self._chunk(event.text)
            block = {"type": "text", "text": event.text, "index": self._ordinal(event.key)}
            return self._chunk([block])
        if isinstance(event, ToolCallDelta):
            return self._tool_chunk(event)
        if isinstance(event, ThinkingDelta):
            return self._thinking_chunk(event)
        if isinstance(event, MediaDelta):
            return self._media_chunk(event.key, event.part)
        if isinstance(event, CitationDelta):
            self.blocks = True
            annotation = citation_annotation(self._texts.get(event.key, ""), event.citation)
            block = {"type": "text", "text": "", "annotations": [annotation]}
            return self._chunk([{**block, "index": self._ordinal(event.key)}])
        if isinstance(event, ServerToolCallDelta):
            # The call keeps its place from its first event; it is sent once, finished
            # (blocks of one index merge, so an earlier status could not be replaced).
            index = self._ordinal(event.key)
            if event.part.status in ("in_progress", "searching"):
                return None
            self.blocks = True
            return self._chunk([{**server_tool_block(event.part), "index": index}])
        if isinstance(event, ResponseStarted):
            self._id = event.id or self._id
        return None

    def _thinking_chunk(self, event: ThinkingDelta) -> AIMessageChunk | None:
        if event.provider_data.get("id") or event.key in self._item_reasoning:
            return self._item_reasoning_chunk(event)
        if not (event.text or event.signature or event.redacted):
            return None
        extra = {"reasoning_content": event.text} if event.text else {}
        # Anthropic thinking is replayed as blocks (signatures); elsewhere the text suffices.
        if not (self.v1 or self.protocol == "anthropic" or event.signature or event.redacted):
            return self._chunk("", additional_kwargs=extra)
        self.blocks = True
        part = ThinkingPart(text=event.text, signature=event.signature, redacted=event.redacted)
        block = thinking_block(part, v1=self.v1)
        if not self.v1 and not event.redacted and not event.text:
            block.pop("thinking", None)  # a signature-only fragment
        block["index"] = self._ordinal(event.key)
        return self._chunk([block], additional_kwargs=extra)

    def _item_reasoning_chunk(self, event: ThinkingDelta) -> AIMessageChunk:
        """Standard reasoning blocks for reasoning items: the id on the first fragment,
        the text as it streams, the encrypted payload (``extras.signature``) at the end."""
        self.blocks = True
        first = event.key not in self._item_reasoning
        self._item_reasoning.add(event.key)
        block: dict[str, Any] = {"type": "reasoning", "reasoning": event.text}
        if first and event.provider_data.get("id"):
            block["id"] = event.provider_data["id"]
        if event.signature:
            block["extras"] = {"signature": event.signature}
        block["index"] = self._ordinal(event.key)
        extra = {"reasoning_content": event.text} if event.text else {}
        return self._chunk([block], additional_kwargs=extra)

    def _tool_chunk(self, event: ToolCallDelta) -> AIMessageChunk:
        index = self._ordinal(event.key)
        id_sent, name_sent = self._tool_sent.get(event.key, (False, False))
        call_id = event.id if event.id and not id_sent else None
        name = event.name if event.name and not name_sent else None
        self._tool_sent[event.key] = (id_sent or call_id is not None, name_sent or name is not None)
        piece = tool_call_chunk(name=name, args=event.arguments, id=call_id, index=index)
        content: Any = [] if self.blocks else ""
        if self.v1:
            content = [{**piece, "type": "tool_call_chunk"}]
        return self._chunk(content, tool_call_chunks=[piece])

    def _media_chunk(self, key: str, part: ImagePart | VideoPart | AudioPart) -> AIMessageChunk:
        self._media_seen.add(_media_identity(part))
        if isinstance(part, AudioPart) and not self.v1:
            return self._chunk(
                [] if self.blocks else "", additional_kwargs={"audio": audio_kwarg(part)}
            )
        self.blocks = True
        block = media_block(part)
        block["index"] = self._ordinal(key)
        return self._chunk([block])

    def final(self, response: ChatResponse) -> AIMessageChunk:
        """The last chunk: usage, finish reason, model name, and any media that the protocol
        found only once the reply was complete (links in the text)."""
        content: Any = [] if self.blocks else ""
        extra: dict[str, Any] = {}
        for position, part in enumerate(response.parts):
            if (
                isinstance(part, ImagePart | VideoPart)
                and _media_identity(part) not in self._media_seen
            ):
                block = media_block(part)
                block["index"] = self._ordinal(f"final:{position}")
                content = [*content, block] if isinstance(content, list) else [block]
        provider_data = _tool_provider_data(response.parts)
        if provider_data:
            extra[TOOL_CALL_DATA_KEY] = provider_data
        if response.refusal:
            extra["refusal"] = response.refusal
        metadata = response_metadata(response, self.protocol)
        if self.v1:
            metadata["output_version"] = "v1"
        return AIMessageChunk(
            content=content,
            additional_kwargs=extra,
            response_metadata=metadata,
            usage_metadata=usage_metadata(response.usage) if response.usage else None,
            chunk_position="last",
            id=self._id or response.id,
        )


def _media_identity(part: ImagePart | VideoPart | AudioPart) -> str:
    if isinstance(part, VideoPart):
        return part.url
    return part.url or (part.data or "")[:64]
