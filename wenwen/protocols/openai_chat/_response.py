"""OpenAI chat-completions reply → neutral ``ChatResponse``. Tolerant in what we accept:
relays add reasoning fields (``reasoning_content``, ``reasoning``, ``reasoning_details``),
return images in ``message.images``, send tool arguments as objects, omit ids, and put
``null`` wherever a field has nothing to say. The field readers here are shared with the
stream decoder, so both paths read the wire the same way."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from ...errors import ProtocolError
from ...types import (
    AudioPart,
    ChatRequest,
    ChatResponse,
    FinishReason,
    ImagePart,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    Usage,
)
from .._media_links import add_linked_media
from ..error_body import error_from_response
from ._wire import (
    ChatCompletion,
    Choice,
    CompletionTokensDetails,
    PromptTokensDetails,
    ReasoningDetail,
    ReplyAudio,
    ReplyContentPart,
    ReplyFunction,
    ReplyImageUrl,
    ReplyMessage,
    ReplyToolCall,
    ReplyUsage,
    as_dict,
    as_int,
    view,
)

NAME = "openai"

_PASSED_REASONS = {"stop", "length", "tool_calls", "content_filter"}
_TOOL_CALL_KEYS = {"id", "type", "function", "index"}


# --- field readers shared with the stream decoder -----------------------------------------


def map_finish_reason(raw: Any) -> tuple[FinishReason | None, str | None]:
    """``(neutral reason, raw reason)``; unknown reasons become ``"other"``."""
    if raw is None or raw == "":
        return None, None
    text = str(raw)
    if text in _PASSED_REASONS:
        return cast(FinishReason, text), text
    if text == "function_call":  # the deprecated single-function form
        return "tool_calls", text
    return "other", text


def parse_usage(raw: Mapping[str, Any]) -> Usage:
    usage = view(raw, ReplyUsage)
    prompt = view(usage.get("prompt_tokens_details"), PromptTokensDetails)
    completion = view(usage.get("completion_tokens_details"), CompletionTokensDetails)
    input_tokens = as_int(usage.get("prompt_tokens"))
    output_tokens = as_int(usage.get("completion_tokens"))
    cache_read = as_int(prompt.get("cached_tokens")) or as_int(usage.get("prompt_cache_hit_tokens"))
    cache_creation = (
        as_int(prompt.get("cache_write_tokens"))
        or as_int(prompt.get("cached_creation_tokens"))
        or as_int(usage.get("cache_creation_input_tokens"))
        or as_int(usage.get("cache_write_tokens"))
    )
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=as_int(usage.get("total_tokens")) or input_tokens + output_tokens,
        cache_read_tokens=cache_read,
        cache_creation_tokens=cache_creation,
        reasoning_tokens=as_int(completion.get("reasoning_tokens")),
        audio_input_tokens=as_int(prompt.get("audio_tokens")),
        audio_output_tokens=as_int(completion.get("audio_tokens")),
        raw=dict(raw),
    )


def reasoning_of(message: Mapping[str, Any]) -> ThinkingPart | None:
    """The reasoning carried by a message or a delta: ``reasoning_content`` (DeepSeek,
    Qwen), else ``reasoning`` (OpenRouter, vLLM), else ``reasoning_details`` (OpenRouter's
    structured form; OpenRouter sends it beside ``reasoning``, so it is read only alone)."""
    # read directly (the keys of ``ReplyMessage``): this runs for every stream delta
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key)
        if isinstance(value, str) and value:
            return ThinkingPart(text=value)
    details = message.get("reasoning_details")
    if not isinstance(details, list):
        return None
    texts: list[str] = []
    signature = redacted = None
    for raw_item in details:
        item = view(raw_item, ReasoningDetail)
        text = item.get("text") if item.get("text") is not None else item.get("summary")
        if isinstance(text, str):
            texts.append(text)
        signature = item.get("signature") or signature
        redacted = item.get("data") or redacted  # reasoning.encrypted
    if not texts and not redacted:
        return None
    return ThinkingPart(text="".join(texts), signature=signature, redacted=redacted)


def arguments_text(value: Any) -> str:
    """Tool arguments as JSON text; some relays send an object instead of a string."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def tool_call_extras(call: Mapping[str, Any]) -> dict[str, Any]:
    """Keys of a wire tool call beyond the standard ones (e.g. Gemini's ``extra_content``
    with its thought signature), kept so they can be sent back."""
    extras = {k: v for k, v in call.items() if k not in _TOOL_CALL_KEYS}
    kind = call.get("type")
    if kind is not None and kind != "function":
        extras["type"] = kind
    return extras


def content_items(content: Any) -> tuple[str, list[ImagePart], str]:
    """``(text, images, refusal)`` from string content or a list of content parts."""
    if isinstance(content, str):
        return content, [], ""
    texts: list[str] = []
    images: list[ImagePart] = []
    refusals: list[str] = []
    for raw_item in content if isinstance(content, list) else []:
        item = view(raw_item, ReplyContentPart)
        kind, text, refusal = item.get("type"), item.get("text"), item.get("refusal")
        if kind == "refusal" and isinstance(refusal, str):
            refusals.append(refusal)
        elif isinstance(text, str):
            texts.append(text)
        elif kind == "image_url":
            images.extend(image_parts([item]))
    return "".join(texts), images, "".join(refusals)


def image_parts(items: Any) -> list[ImagePart]:
    """Images in ``[{"type": "image_url", "image_url": {"url": ...}}]`` form."""
    images: list[ImagePart] = []
    for item in items if isinstance(items, list) else []:
        image_url = view(view(item, ReplyContentPart).get("image_url"), ReplyImageUrl)
        url = image_url.get("url")
        if isinstance(url, str) and url:
            images.append(ImagePart(url=url, detail=image_url.get("detail")))
    return images


def requested_audio_format(request: ChatRequest | None) -> str | None:
    """The reply audio format the caller asked for in ``extra_body["audio"]``; the reply
    itself does not say."""
    if request is None:
        return None
    value = as_dict(request.extra_body.get("audio")).get("format")
    return value if isinstance(value, str) else None


def audio_part(audio: Mapping[str, Any], request: ChatRequest | None) -> AudioPart:
    fields = view(audio, ReplyAudio)
    provider_data = {k: audio[k] for k in ("id", "expires_at") if audio.get(k) is not None}
    return AudioPart(
        data=fields.get("data") or None,
        format=fields.get("format") or requested_audio_format(request),
        transcript=fields.get("transcript"),
        provider_data=provider_data,
    )


def raise_for_error_body(body: dict[str, Any]) -> None:
    """A relay may wrap an upstream failure in an HTTP 200 body ``{"error": {...}}``; raise
    the typed error for it (status 200, typed by the relay's error code where it has one)."""
    if body.get("error"):
        content = json.dumps(body, ensure_ascii=False).encode()
        raise error_from_response(200, content)


# --- the reply ----------------------------------------------------------------------------


def parse_response(body: Any, request: ChatRequest | None = None) -> ChatResponse:
    if not isinstance(body, dict):
        raise ProtocolError(f"chat completion reply is {type(body).__name__}, not a JSON object")
    raise_for_error_body(body)
    completion = view(body, ChatCompletion)
    choices = completion.get("choices")
    if not isinstance(choices, list):
        raise ProtocolError("chat completion reply has no 'choices' list")
    if not choices:
        raise ProtocolError("chat completion reply has an empty 'choices' list")
    choice = view(choices[0], Choice)
    message = view(choice.get("message"), ReplyMessage)
    parts, refusal = _message_parts(message, request)
    reason, raw_reason = map_finish_reason(choice.get("finish_reason"))
    usage = completion.get("usage")
    response = ChatResponse(
        id=completion.get("id"),
        model=completion.get("model"),
        protocol=NAME,
        parts=parts,
        finish_reason=reason,
        stop_reason_raw=raw_reason,
        usage=parse_usage(usage) if isinstance(usage, dict) else None,
        refusal=refusal or None,
        raw=body,
    )
    return finalize_response(response, request)


def _message_parts(message: ReplyMessage, request: ChatRequest | None) -> tuple[list[Part], str]:
    """Parts in the order a stream delivers them: reasoning, text, media, tool calls."""
    parts: list[Part] = []
    thinking = reasoning_of(message)
    if thinking is not None:
        parts.append(thinking)
    text, images, refusal = content_items(message.get("content"))
    if text:
        parts.append(TextPart(text=text))
    parts.extend(images)
    parts.extend(image_parts(message.get("images")))
    audio = message.get("audio")
    if isinstance(audio, dict):
        parts.append(audio_part(audio, request))
    parts.extend(_tool_calls(message))
    message_refusal = message.get("refusal")
    if isinstance(message_refusal, str):
        refusal = message_refusal + refusal
    return parts, refusal


def _tool_calls(message: ReplyMessage) -> list[ToolCallPart]:
    calls: Any = message.get("tool_calls")
    if not isinstance(calls, list):
        legacy = message.get("function_call")
        calls = [{"function": legacy}] if isinstance(legacy, dict) else []
    parts: list[ToolCallPart] = []
    for position, call in enumerate(view(c, ReplyToolCall) for c in calls):
        function = view(call.get("function"), ReplyFunction)
        parts.append(
            ToolCallPart(
                # a missing id gets the same stand-in the stream accumulator uses
                id=call.get("id") or f"call_{position}",
                name=function.get("name") or "",
                arguments=arguments_text(function.get("arguments")) or "{}",
                provider_data=tool_call_extras(call),
            )
        )
    return parts


def finalize_response(response: ChatResponse, request: ChatRequest | None = None) -> ChatResponse:
    """Applied to parsed and streamed replies alike: media linked in the text become parts,
    and a ``stop`` that came with tool calls (Gemini's and some relays' habit) reads as
    ``tool_calls``; ``stop_reason_raw`` still says what the wire said."""
    parts = add_linked_media(list(response.parts))
    updates: dict[str, Any] = {}
    if len(parts) != len(response.parts):  # media were found in the text
        updates["parts"] = parts
    if response.finish_reason == "stop" and any(isinstance(p, ToolCallPart) for p in parts):
        updates["finish_reason"] = "tool_calls"
    # nothing to change (the common case): no copy
    return response.model_copy(update=updates) if updates else response
