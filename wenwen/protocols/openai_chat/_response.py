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
from .._read import count, items, mapping, optional_string, string, view, wrong_type
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
)

NAME = "openai"

_PASSED_REASONS = {"stop", "length", "tool_calls", "content_filter"}
_TOOL_CALL_KEYS = {"id", "type", "function", "index"}


# --- field readers shared with the stream decoder -----------------------------------------


def map_finish_reason(raw: Any, where: str) -> tuple[FinishReason | None, str | None]:
    """``(neutral reason, raw reason)``; unknown reasons become ``"other"``."""
    if raw is None or raw == "":
        return None, None
    text = optional_string(raw, where) or ""
    if text in _PASSED_REASONS:
        return cast(FinishReason, text), text
    if text == "function_call":  # the deprecated single-function form
        return "tool_calls", text
    return "other", text


def parse_usage(raw: Mapping[str, Any]) -> Usage:
    usage = view(raw, ReplyUsage, "usage")
    prompt = view(
        usage.get("prompt_tokens_details"), PromptTokensDetails, "usage.prompt_tokens_details"
    )
    completion = view(
        usage.get("completion_tokens_details"),
        CompletionTokensDetails,
        "usage.completion_tokens_details",
    )

    def prompt_count(key: str) -> int:
        return count(prompt.get(key), "usage.prompt_tokens_details." + key)

    def completion_count(key: str) -> int:
        return count(completion.get(key), "usage.completion_tokens_details." + key)

    def usage_count(key: str) -> int:
        return count(usage.get(key), "usage." + key)

    input_tokens = usage_count("prompt_tokens")
    output_tokens = usage_count("completion_tokens")
    cache_read = prompt_count("cached_tokens") or usage_count("prompt_cache_hit_tokens")
    cache_creation = (
        prompt_count("cache_write_tokens")
        or prompt_count("cached_creation_tokens")
        or usage_count("cache_creation_input_tokens")
        or usage_count("cache_write_tokens")
    )
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=usage_count("total_tokens") or input_tokens + output_tokens,
        cache_read_tokens=cache_read,
        cache_creation_tokens=cache_creation,
        reasoning_tokens=completion_count("reasoning_tokens"),
        audio_input_tokens=prompt_count("audio_tokens"),
        audio_output_tokens=completion_count("audio_tokens"),
        raw=dict(raw),
    )


def reasoning_of(message: Mapping[str, Any], where: str) -> ThinkingPart | None:
    """The reasoning carried by a message or a delta: ``reasoning_content`` (DeepSeek,
    Qwen), else ``reasoning`` (OpenRouter, vLLM), else ``reasoning_details`` (OpenRouter's
    structured form; OpenRouter sends it beside ``reasoning``, so it is read only alone)."""
    # read directly (the keys of ``ReplyMessage``): this runs for every stream delta
    for key in ("reasoning_content", "reasoning"):
        value = optional_string(message.get(key), where)
        if value:
            return ThinkingPart(text=value)
    details = items(message.get("reasoning_details"), where)
    if not details:
        return None
    texts: list[str] = []
    signature = redacted = None
    for raw_item in details:
        item = view(raw_item, ReasoningDetail, where)
        text = item.get("text") if item.get("text") is not None else item.get("summary")
        text = optional_string(text, where)
        if text is not None:
            texts.append(text)
        signature = optional_string(item.get("signature"), where) or signature
        redacted = optional_string(item.get("data"), where) or redacted  # reasoning.encrypted
    if not texts and not redacted:
        return None
    return ThinkingPart(text="".join(texts), signature=signature, redacted=redacted)


def arguments_text(value: Any, where: str) -> str:
    """Tool arguments as JSON text; some relays send an object instead of a string."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    raise wrong_type(value, "JSON text or an object", where)


def tool_call_extras(call: Mapping[str, Any]) -> dict[str, Any]:
    """Keys of a wire tool call beyond the standard ones (e.g. Gemini's ``extra_content``
    with its thought signature), kept so they can be sent back."""
    extras = {k: v for k, v in call.items() if k not in _TOOL_CALL_KEYS}
    kind = call.get("type")
    if kind is not None and kind != "function":
        extras["type"] = kind
    return extras


def content_items(content: Any, where: str) -> tuple[str, list[ImagePart], str]:
    """``(text, images, refusal)`` from string content or a list of content parts."""
    if isinstance(content, str):
        return content, [], ""
    texts: list[str] = []
    images: list[ImagePart] = []
    refusals: list[str] = []
    for raw_item in items(content, where):
        item = view(raw_item, ReplyContentPart, where)
        kind = optional_string(item.get("type"), where + "[].type")
        text = optional_string(item.get("text"), where + "[].text")
        refusal = optional_string(item.get("refusal"), where + "[].refusal")
        if kind == "refusal" and refusal is not None:
            refusals.append(refusal)
        elif text is not None:
            texts.append(text)
        elif kind == "image_url":
            images.extend(image_parts([item], where))
    return "".join(texts), images, "".join(refusals)


def image_parts(values: Any, where: str) -> list[ImagePart]:
    """Images in ``[{"type": "image_url", "image_url": {"url": ...}}]`` form."""
    images: list[ImagePart] = []
    for item in items(values, where):
        image_url = view(view(item, ReplyContentPart, where).get("image_url"), ReplyImageUrl, where)
        url = optional_string(image_url.get("url"), where + "[].image_url.url")
        if url:
            detail = optional_string(image_url.get("detail"), where + "[].image_url.detail")
            images.append(ImagePart(url=url, detail=detail))
    return images


def requested_audio_format(request: ChatRequest | None) -> str | None:
    """The reply audio format the caller asked for in ``extra_body["audio"]``; the reply
    itself does not say."""
    if request is None:
        return None
    audio = request.extra_body.get("audio")
    value = audio.get("format") if isinstance(audio, dict) else None
    return value if isinstance(value, str) else None


def audio_part(audio: Mapping[str, Any], request: ChatRequest | None, where: str) -> AudioPart:
    fields = view(audio, ReplyAudio, where)
    provider_data = {k: audio[k] for k in ("id", "expires_at") if audio.get(k) is not None}
    return AudioPart(
        data=optional_string(fields.get("data"), where + ".data") or None,
        format=optional_string(fields.get("format"), where + ".format")
        or requested_audio_format(request),
        transcript=optional_string(fields.get("transcript"), where + ".transcript"),
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
    completion = view(body, ChatCompletion, "reply")
    choices = completion.get("choices")
    if not isinstance(choices, list):
        raise ProtocolError("chat completion reply has no 'choices' list", field="choices")
    if not choices:
        raise ProtocolError("chat completion reply has an empty 'choices' list", field="choices")
    choice = view(choices[0], Choice, "choices[0]")
    message = view(choice.get("message"), ReplyMessage, "choices[0].message")
    parts, refusal = _message_parts(message, request)
    reason, raw_reason = map_finish_reason(choice.get("finish_reason"), "choices[0].finish_reason")
    usage = completion.get("usage")
    response = ChatResponse(
        id=optional_string(completion.get("id"), "id"),
        model=optional_string(completion.get("model"), "model"),
        protocol=NAME,
        parts=parts,
        finish_reason=reason,
        stop_reason_raw=raw_reason,
        usage=None if usage is None else parse_usage(mapping(usage, "usage")),
        refusal=refusal or None,
        raw=body,
    )
    return finalize_response(response, request)


def _message_parts(message: ReplyMessage, request: ChatRequest | None) -> tuple[list[Part], str]:
    """Parts in the order a stream delivers them: reasoning, text, media, tool calls."""
    where = "choices[0].message"
    parts: list[Part] = []
    thinking = reasoning_of(message, where)
    if thinking is not None:
        parts.append(thinking)
    text, images, refusal = content_items(message.get("content"), where + ".content")
    if text:
        parts.append(TextPart(text=text))
    parts.extend(images)
    parts.extend(image_parts(message.get("images"), where + ".images"))
    audio = message.get("audio")
    if audio is not None:
        parts.append(audio_part(mapping(audio, where + ".audio"), request, where + ".audio"))
    parts.extend(_tool_calls(message, where))
    message_refusal = optional_string(message.get("refusal"), where + ".refusal")
    if message_refusal is not None:
        refusal = message_refusal + refusal
    return parts, refusal


def tool_call_list(message: Mapping[str, Any], where: str) -> list[Any]:
    """``tool_calls``, or the deprecated single ``function_call`` as a one-call list."""
    calls = message.get("tool_calls")
    if calls is not None:
        return items(calls, where + ".tool_calls")
    legacy = message.get("function_call")
    if legacy is None:
        return []
    return [{"index": 0, "function": mapping(legacy, where + ".function_call")}]


def _tool_calls(message: ReplyMessage, where: str) -> list[ToolCallPart]:
    parts: list[ToolCallPart] = []
    for position, raw_call in enumerate(tool_call_list(message, where)):
        path = f"{where}.tool_calls[{position}]"
        call = view(raw_call, ReplyToolCall, path)
        function = view(call.get("function"), ReplyFunction, path + ".function")
        parts.append(
            ToolCallPart(
                # a missing id gets the same stand-in the stream accumulator uses
                id=optional_string(call.get("id"), path + ".id") or f"call_{position}",
                name=string(function.get("name"), path + ".function.name"),
                arguments=arguments_text(function.get("arguments"), path + ".function.arguments")
                or "{}",
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
