"""``POST /v1/messages`` in the Anthropic wire format (JSON and SSE), and
``POST /v1/messages/count_tokens``."""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.responses import Response, StreamingResponse

from .anthropic_in import Segment, build_prompt, segments, sign, system_blocks, turns
from .context import Ctx, dumps
from .errors import ErrorResponse, json_response, model_not_found
from .faults import Frame, emit
from .mock_model import Reply, stable_hex
from .sse import SSE_HEADERS, pieces

STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "stop_sequence": "stop_sequence",
    "refusal": "refusal",
}


def cache_usage(ctx: Ctx, model: str, segs: list[Segment]) -> tuple[int, int, int]:
    """``(input_tokens, cache_creation, cache_read)`` with prefix caching at breakpoints."""
    total = 3 + sum(s.tokens for s in segs)
    digest = hashlib.sha256(model.encode())
    running, prefixes = 0, []
    for seg in segs:
        digest.update(seg.canonical.encode() + b"\x00")
        running += seg.tokens
        if seg.breakpoint:
            prefixes.append((digest.hexdigest(), running))
    cache = ctx.state.cache
    read = max((tokens for key, tokens in prefixes if key in cache), default=0)
    creation = 0
    if prefixes and prefixes[-1][0] not in cache:
        creation = prefixes[-1][1] - read
    cache.update(key for key, _ in prefixes)
    return total - read - creation, creation, read


def content_blocks(ctx: Ctx, reply: Reply) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.reasoning:
        blocks.append(
            {
                "type": "thinking",
                "thinking": reply.reasoning,
                "signature": sign(ctx.state.secret, reply.reasoning),
            }
        )
    if reply.text or reply.refusal or not reply.tool_calls:
        text = reply.text + reply.refusal
        blocks.append({"type": "text", "text": text, "citations": None})
    for call in reply.tool_calls:
        blocks.append(
            {
                "type": "tool_use",
                "id": f"toolu_{call.id}",
                "name": call.name,
                "input": call.arguments,
                "caller": {"type": "direct"},
            }
        )
    return blocks


def usage(tokens: tuple[int, int, int], output: int) -> dict[str, Any]:
    input_tokens, creation, read = tokens
    return {
        "input_tokens": input_tokens,
        "output_tokens": output,
        "cache_creation_input_tokens": creation,
        "cache_read_input_tokens": read,
        "cache_creation": {"ephemeral_5m_input_tokens": creation, "ephemeral_1h_input_tokens": 0},
        "inference_geo": None,
        "server_tool_use": None,
        "service_tier": "standard",
    }


def message(
    ctx: Ctx, model: str, content: list[dict[str, Any]], reply: Reply | None, use: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": f"msg_{stable_hex(ctx.request_id, ctx.body)}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": STOP_REASONS[reply.finish] if reply else None,
        "stop_sequence": reply.stop_sequence if reply else None,
        "stop_details": None,
        "container": None,
        "usage": use,
    }


def _event(ctx: Ctx, data: dict[str, Any], final: bool = False) -> Frame:
    end = "\n\n\n" if "claude_extra_newline" in ctx.quirks else "\n\n"
    return Frame(f"event: {data['type']}\ndata: {dumps(data)}{end}", final=final)


def _block_events(ctx: Ctx, index: int, block: dict[str, Any]) -> list[Frame]:
    kind = block["type"]
    frames: list[Frame] = []
    start: dict[str, Any]

    def delta(payload: dict[str, Any]) -> None:
        frames.append(
            _event(ctx, {"type": "content_block_delta", "index": index, "delta": payload})
        )

    if kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        frames.append(
            _event(ctx, {"type": "content_block_start", "index": index, "content_block": start})
        )
        for piece in pieces(block["thinking"]):
            delta({"type": "thinking_delta", "thinking": piece})
        delta({"type": "signature_delta", "signature": block["signature"]})
    elif kind == "text":
        start = {"type": "text", "text": "", "citations": None}
        frames.append(
            _event(ctx, {"type": "content_block_start", "index": index, "content_block": start})
        )
        for piece in pieces(block["text"]):
            delta({"type": "text_delta", "text": piece})
    else:
        start = {**block, "input": {}}
        frames.append(
            _event(ctx, {"type": "content_block_start", "index": index, "content_block": start})
        )
        for piece in pieces(dumps(block["input"]) if block["input"] else "", 6):
            delta({"type": "input_json_delta", "partial_json": piece})
    frames.append(_event(ctx, {"type": "content_block_stop", "index": index}))
    return frames


def stream_frames(
    ctx: Ctx, model: str, reply: Reply, tokens: tuple[int, int, int], content: list[dict[str, Any]]
) -> list[Frame]:
    frames = [
        _event(
            ctx,
            {"type": "message_start", "message": message(ctx, model, [], None, usage(tokens, 1))},
        ),
        _event(ctx, {"type": "ping"}),
    ]
    for index, block in enumerate(content):
        frames.extend(_block_events(ctx, index, block))
    delta_usage: dict[str, Any] = {"output_tokens": reply.completion_tokens}
    if "delta_input_tokens" in ctx.quirks:
        delta_usage.update(
            input_tokens=tokens[0],
            cache_creation_input_tokens=tokens[1],
            cache_read_input_tokens=tokens[2],
        )
    frames.append(
        _event(
            ctx,
            {
                "type": "message_delta",
                "delta": {
                    "stop_reason": STOP_REASONS[reply.finish],
                    "stop_sequence": reply.stop_sequence,
                },
                "usage": delta_usage,
            },
            final=True,
        )
    )
    frames.append(_event(ctx, {"type": "message_stop"}, final=True))
    return frames


def claude_error_frame() -> str:
    data = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    return f"event: error\ndata: {dumps(data)}\n\n"


async def messages(ctx: Ctx) -> Response:
    body = ctx.json_body()
    info = ctx.model(body)
    if not info.id.startswith("claude"):
        raise ErrorResponse(model_not_found(info.id, ctx.request_id))
    prompt = build_prompt(ctx, body, info)
    reply = ctx.reply(prompt)
    tokens = cache_usage(ctx, info.id, segments(body, system_blocks(ctx, body.get("system"))))
    if ctx.scripted is not None and ctx.scripted.usage is not None:
        tokens = (reply.prompt_tokens, 0, 0)  # the figure the script set
    content = content_blocks(ctx, reply)
    if body.get("stream") is True:
        assert ctx.conn is not None
        state = ctx.state
        frames = stream_frames(ctx, info.id, reply, tokens, content)
        stream = emit(
            frames,
            ctx.faults,
            claude_error_frame,
            ctx.conn,
            stall_timeout=state.stall_timeout,
            closing=lambda: state.closing,
        )
        return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)
    return json_response(
        message(ctx, info.id, content, reply, usage(tokens, reply.completion_tokens))
    )


async def count_tokens(ctx: Ctx) -> Response:
    """The input tokens ``/v1/messages`` would bill for the same body, cache reads and
    writes included (counting neither reads nor writes the cache)."""
    body = ctx.json_body()
    info = ctx.model(body)
    if not info.id.startswith("claude"):
        raise ErrorResponse(model_not_found(info.id, ctx.request_id))
    system = system_blocks(ctx, body.get("system"))
    turns(ctx, body.get("messages"), system)  # the messages are validated as for a reply
    segs = segments(body, system)
    return json_response({"input_tokens": 3 + sum(s.tokens for s in segs)})
