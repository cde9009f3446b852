"""``wenwen.types`` replies -> LlamaIndex ``ChatResponse`` / ``CompletionResponse``.

Where LlamaIndex looks for things (see the research notes, section 1.5):

- token counts: ``raw["usage"]`` (``TokenCountingHandler``) and
  ``additional_kwargs`` ``{prompt_tokens, completion_tokens, total_tokens}``;
- reasoning: ``ThinkingBlock`` (signature in ``additional_information["signature"]``);
- tool calls: ``ToolCallBlock`` plus OpenAI-shaped dicts in
  ``message.additional_kwargs["tool_calls"]`` (``process_streaming_objects`` reads those);
- citations (OpenAI Responses web search): a ``CitationBlock`` after the ``TextBlock`` it
  cites; provider-run tool calls in ``additional_kwargs["server_tool_calls"]``.
"""

from __future__ import annotations

import json
from typing import Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    ChatMessage,
    ChatResponse,
    CitationBlock,
    CompletionResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from wenwen import types as wt

Block = (
    TextBlock | ThinkingBlock | ToolCallBlock | ImageBlock | AudioBlock | VideoBlock | CitationBlock
)


def usage_dict(usage: wt.Usage) -> dict[str, Any]:
    """A plain dict with both the OpenAI and the Anthropic key names, and the details.
    ``input_tokens`` here counts every prompt token (cached ones too), like ``prompt_tokens``."""
    data: dict[str, Any] = dict(usage.raw)
    data.update(
        prompt_tokens=usage.input_tokens,
        completion_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens or usage.input_tokens + usage.output_tokens,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_creation_tokens=usage.cache_creation_tokens,
        reasoning_tokens=usage.reasoning_tokens,
    )
    return data


def token_counts(usage: wt.Usage | None) -> dict[str, int]:
    if usage is None:
        return {}
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens or usage.input_tokens + usage.output_tokens,
    }


def response_raw(response: wt.ChatResponse) -> dict[str, Any]:
    """The provider's body (when there was one) with the normalised usage in ``usage``."""
    raw: dict[str, Any] = dict(response.raw)
    raw.setdefault("id", response.id)
    raw.setdefault("model", response.model)
    raw["protocol"] = response.protocol
    raw["finish_reason"] = response.finish_reason
    raw["stop_reason"] = response.stop_reason_raw
    if response.client_stop is not None:
        # the wire has no stop sequences (or the relay dropped them): cut by the client
        raw["client_stop"] = response.client_stop
    if response.usage is not None:
        raw["usage"] = usage_dict(response.usage)
    if response.cost is not None:  # when costs are tracked (wenwen.billing)
        raw["cost"] = response.cost.as_dict()
    return raw


def tool_kwargs(arguments: str) -> dict[str, Any] | str:
    """Parsed arguments, or the text as received when it is not a JSON object (kept, not
    dropped: ``get_tool_calls_from_response`` decides what to do with it)."""
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return arguments
    return value if isinstance(value, dict) else arguments


def openai_tool_call(part: wt.ToolCallPart) -> dict[str, Any]:
    call: dict[str, Any] = {
        "id": part.id,
        "type": "function",
        "function": {"name": part.name, "arguments": part.arguments},
    }
    if part.provider_data:
        call["provider_data"] = dict(part.provider_data)
    return call


def thinking_block(part: wt.ThinkingPart) -> ThinkingBlock:
    info: dict[str, Any] = {}
    if part.signature:
        info["signature"] = part.signature  # a Responses reasoning item's encrypted payload too
    if part.redacted:
        info["redacted"] = part.redacted
    if part.provider_data:
        info["provider_data"] = dict(part.provider_data)  # e.g. the reasoning item id
    return ThinkingBlock(content=part.text, additional_information=info)


def citation_blocks(part: wt.TextPart) -> list[CitationBlock]:
    """A reply's citations, as LlamaIndex citation blocks after the text they cite."""
    blocks = []
    for citation in part.citations:
        start, end = citation.start_index, citation.end_index
        cited = part.text[start:end] if start is not None and end is not None else ""
        location = {"start_index": start, "end_index": end}
        blocks.append(
            CitationBlock(
                cited_content=TextBlock(text=cited),
                source=citation.url,
                title=citation.title or "",
                additional_location_info={k: v for k, v in location.items() if v is not None},
            )
        )
    return blocks


def part_block(part: wt.Part) -> Block:
    if isinstance(part, wt.TextPart):
        return TextBlock(text=part.text)
    if isinstance(part, wt.ThinkingPart):
        return thinking_block(part)
    if isinstance(part, wt.ToolCallPart):
        return ToolCallBlock(
            tool_call_id=part.id, tool_name=part.name, tool_kwargs=tool_kwargs(part.arguments)
        )
    if isinstance(part, wt.ImagePart):
        if part.data:
            return ImageBlock(image=part.data.encode("ascii"), image_mimetype=part.media_type)
        return ImageBlock(url=part.url, image_mimetype=part.media_type)
    if isinstance(part, wt.AudioPart):
        if part.data:
            return AudioBlock(audio=part.data.encode("ascii"), format=part.format)
        return AudioBlock(url=part.url, format=part.format)
    if isinstance(part, wt.VideoPart):
        return VideoBlock(url=part.url, video_mimetype=part.media_type)
    # A file or a tool result in a reply would be a protocol bug; keep it visible as text.
    return TextBlock(text=part.model_dump_json())


def message_extras(response: wt.ChatResponse) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    calls = response.tool_calls
    if calls:
        extras["tool_calls"] = [openai_tool_call(p) for p in calls]
    if response.refusal:
        extras["refusal"] = response.refusal
    server = [p for p in response.parts if isinstance(p, wt.ServerToolCallPart)]
    if server:
        # stamped with the protocol: only that protocol can take them back
        extras["server_tool_calls"] = [
            {**p.model_dump(), "protocol": response.protocol} for p in server
        ]
    if response.protocol == "responses" and response.id:
        extras["response_id"] = response.id  # for use_previous_response_id
    audio = [p for p in response.parts if isinstance(p, wt.AudioPart)]
    if audio:
        # AudioBlock has no field for a transcript or the provider's audio id.
        extras["audio"] = [{"transcript": p.transcript, **p.provider_data} for p in audio]
    return extras


def reply_blocks(parts: list[wt.Part]) -> list[Block]:
    """Blocks for a reply's parts; provider-run tool calls have no block (they are in
    ``additional_kwargs["server_tool_calls"]``)."""
    blocks: list[Block] = []
    for part in parts:
        if isinstance(part, wt.ServerToolCallPart):
            continue
        blocks.append(part_block(part))
        if isinstance(part, wt.TextPart):
            blocks.extend(citation_blocks(part))
    return blocks


def to_chat_response(response: wt.ChatResponse, *, delta: str | None = None) -> ChatResponse:
    blocks = reply_blocks(response.parts)
    thinking = [b for b in blocks if isinstance(b, ThinkingBlock)]
    for block in thinking:
        if block.additional_information:  # a signature or item only its issuer accepts
            block.additional_information["protocol"] = response.protocol
    if len(thinking) == 1 and response.usage is not None and response.usage.reasoning_tokens:
        thinking[0].num_tokens = response.usage.reasoning_tokens
    message = ChatMessage(
        role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=message_extras(response)
    )
    return ChatResponse(
        message=message,
        raw=response_raw(response),
        delta=delta,
        additional_kwargs=token_counts(response.usage),
    )


def completion_extras(message: ChatMessage) -> dict[str, Any]:
    """What a ``CompletionResponse`` cannot show as text: thinking and tool calls."""
    extras: dict[str, Any] = {}
    thinking = [b.content or "" for b in message.blocks if isinstance(b, ThinkingBlock)]
    if thinking:
        extras["thinking"] = "".join(thinking)
    if "tool_calls" in message.additional_kwargs:
        extras["tool_calls"] = message.additional_kwargs["tool_calls"]
    return extras


def to_completion_response(chat: ChatResponse) -> CompletionResponse:
    extras = {**chat.additional_kwargs, **completion_extras(chat.message)}
    return CompletionResponse(
        text=chat.message.content or "",
        raw=chat.raw,
        delta=chat.delta,
        additional_kwargs=extras,
    )
