"""A ``GenerateContentResponse`` (a whole reply, or one stream chunk) → neutral pieces.

Parts map one to one: ``text`` → ``TextPart``; ``thought`` text → ``ThinkingPart`` (with its
signature); ``functionCall`` → ``ToolCallPart`` with a deterministic id (Gemini gives none)
and the call's ``thoughtSignature`` in ``provider_data``; ``inlineData`` → ``ImagePart`` /
``AudioPart`` / ``FilePart``; ``fileData`` → the same by URL. A signature on a plain text
part becomes a signature-only ``ThinkingPart`` right after that text, which
``_content`` folds back onto the text when the history is replayed.

Finish reasons: ``STOP`` → stop (tool_calls when the reply calls functions), ``MAX_TOKENS``
→ length, the safety family → ``content_filter`` with the partial reply kept and
``refusal`` saying why; ``promptFeedback.blockReason`` without candidates raises
``ContentBlockedError``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ...errors import ContentBlockedError, ProtocolError
from ...types import (
    AudioPart,
    ChatRequest,
    ChatResponse,
    FilePart,
    FinishReason,
    ImagePart,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
    VideoPart,
)
from ._content import SIGNATURE_KEY
from ._wire import (
    candidate_parts,
    count,
    first_candidate,
    inline_data,
    mime_type,
    obj,
    opt_obj,
    opt_str,
)

NAME = "gemini"

CONTENT_FILTER_REASONS = frozenset(
    {
        "SAFETY",
        "RECITATION",
        "PROHIBITED_CONTENT",
        "BLOCKLIST",
        "SPII",
        "IMAGE_SAFETY",
        "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    }
)
_FINISH_REASONS: dict[str, FinishReason] = {"STOP": "stop", "MAX_TOKENS": "length"}


def parse_reply(body: Any, request: ChatRequest | None = None) -> ChatResponse:
    """One ``GenerateContentResponse`` object (the JSON-array form is merged by
    ``_stream.merge_chunks``)."""
    reply = obj(body, "reply")
    raise_if_blocked(reply)
    candidate = first_candidate(reply)
    if candidate is None:
        raise ProtocolError("Gemini reply has no candidates and no promptFeedback.blockReason")
    parts = parts_from_wire(candidate_parts(candidate), call_seed(reply))
    raw_reason = opt_str(candidate, "finishReason", "candidates[0]")
    response = ChatResponse(
        id=opt_str(reply, "responseId", "reply"),
        model=opt_str(reply, "modelVersion", "reply"),
        protocol=NAME,
        parts=parts,
        finish_reason=map_finish_reason(raw_reason, parts),
        stop_reason_raw=raw_reason,
        usage=usage_from(reply.get("usageMetadata")),
        raw=dict(reply),
    )
    return finalize_response(response, request)


def finalize_response(response: ChatResponse, request: ChatRequest | None = None) -> ChatResponse:
    """A content-filter stop keeps the partial reply and says why in ``refusal``."""
    reason = response.stop_reason_raw
    if response.finish_reason == "content_filter" and response.refusal is None:
        text = f"Gemini stopped the reply: finishReason {reason} (content filter)"
        return response.model_copy(update={"refusal": text})
    return response


def raise_if_blocked(reply: Mapping[str, Any]) -> None:
    feedback = opt_obj(reply, "promptFeedback", "reply")
    reason = opt_str(feedback, "blockReason", "promptFeedback") if feedback else None
    if reason and reason != "BLOCK_REASON_UNSPECIFIED" and not reply.get("candidates"):
        raise ContentBlockedError(
            f"Gemini blocked the prompt: promptFeedback.blockReason {reason}",
            reason=reason,
            body=dict(reply),
        )


def map_finish_reason(raw: str | None, parts: list[Part]) -> FinishReason | None:
    if raw is None:
        return None
    if raw in CONTENT_FILTER_REASONS:
        return "content_filter"
    reason = _FINISH_REASONS.get(raw, "other")
    if reason == "stop" and any(isinstance(p, ToolCallPart) for p in parts):
        return "tool_calls"
    return reason


def call_seed(reply: Mapping[str, Any]) -> str:
    """What makes tool-call ids unique to one reply: its ``responseId`` when given."""
    return opt_str(reply, "responseId", "reply") or ""


def call_id(seed: str, index: int, name: str, arguments: str) -> str:
    digest = hashlib.blake2b(
        f"{seed}\x00{index}\x00{name}\x00{arguments}".encode(), digest_size=12
    ).hexdigest()
    return f"call_{digest}"


def parts_from_wire(wire: list[Mapping[str, Any]], seed: str, *, first_call: int = 0) -> list[Part]:
    parts: list[Part] = []
    calls = first_call
    for position, part in enumerate(wire):
        where = f"candidates[0].content.parts[{position}]"
        signature = opt_str(part, "thoughtSignature", where)
        if "functionCall" in part:
            parts.append(tool_call_part(part, where, seed, calls, signature))
            calls += 1
            continue
        text = opt_str(part, "text", where)
        if part.get("thought") is True:
            parts.append(ThinkingPart(text=text or "", signature=signature))
            continue
        if text is not None:
            if text or not signature:
                parts.append(TextPart(text=text))
        else:
            media = media_from_wire(part, where)
            if media is not None:
                parts.append(media)
        if signature:
            parts.append(ThinkingPart(signature=signature))
    return parts


def tool_call_part(
    part: Mapping[str, Any], where: str, seed: str, index: int, signature: str | None
) -> ToolCallPart:
    call = obj(part["functionCall"], f"{where}.functionCall")
    name = opt_str(call, "name", f"{where}.functionCall") or ""
    args = opt_obj(call, "args", f"{where}.functionCall")
    arguments = json.dumps(dict(args or {}), ensure_ascii=False)
    given_id = opt_str(call, "id", f"{where}.functionCall")
    provider_data = {SIGNATURE_KEY: signature} if signature else {}
    return ToolCallPart(
        id=given_id or call_id(seed, index, name, arguments),
        name=name,
        arguments=arguments,
        provider_data=provider_data,
    )


def media_from_wire(
    part: Mapping[str, Any], where: str
) -> ImagePart | AudioPart | VideoPart | FilePart | None:
    blob = inline_data(part)
    if blob is not None:
        mime = mime_type(blob) or "application/octet-stream"
        data = opt_str(blob, "data", f"{where}.inlineData") or ""
        if mime.startswith("image/"):
            return ImagePart(data=data, media_type=mime)
        if mime.startswith("audio/"):
            return AudioPart(data=data, format=mime.split("/", 1)[1])
        return FilePart(data=data, media_type=mime)
    file_data = part.get("fileData", part.get("file_data"))
    if file_data is not None:
        ref = obj(file_data, f"{where}.fileData")
        uri = opt_str(ref, "fileUri", f"{where}.fileData") or ""
        mime = mime_type(ref) or ""
        if mime.startswith("image/"):
            return ImagePart(url=uri, media_type=mime)
        if mime.startswith("video/"):
            return VideoPart(url=uri, media_type=mime)
        if mime.startswith("audio/"):
            return AudioPart(url=uri, format=mime.split("/", 1)[1])
        return FilePart(url=uri, media_type=mime or None)
    return None


def usage_from(raw: Any) -> Usage | None:
    """Neutral usage: ``promptTokenCount`` already counts cached tokens; thoughts are
    output tokens (Gemini reports them apart from ``candidatesTokenCount``)."""
    if raw is None:
        return None
    raw = obj(raw, "usageMetadata")
    prompt = count(raw, "promptTokenCount") + count(raw, "toolUsePromptTokenCount")
    thoughts = count(raw, "thoughtsTokenCount")
    output = count(raw, "candidatesTokenCount") + thoughts
    total = count(raw, "totalTokenCount") or prompt + output
    return Usage(
        input_tokens=prompt,
        output_tokens=output,
        total_tokens=total,
        cache_read_tokens=count(raw, "cachedContentTokenCount"),
        reasoning_tokens=thoughts,
        raw=dict(raw),
    )
