"""Neutral ``ChatRequest`` → OpenAI chat-completions request body. Exact in what we send:
a field appears only when the caller set it, and a part this wire cannot carry raises
``UnsupportedFeatureError`` naming it instead of being dropped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from ...errors import ConfigurationError, UnsupportedFeatureError
from ...types import (
    AllowedTools,
    AudioPart,
    ChatRequest,
    FilePart,
    ImagePart,
    JsonObjectFormat,
    Message,
    NamedToolChoice,
    Part,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
    VideoPart,
)
from .._responses_only import reject_responses_only
from ..base import HttpRequest
from ._wire import (
    AssistantMessage,
    AudioRef,
    ChatCompletionBody,
    FileContent,
    FileRef,
    FunctionDefinition,
    ImageUrl,
    ImageUrlContent,
    JsonSchemaSpec,
    ResponseFormat,
    SamplingFields,
    SystemMessage,
    ToolCall,
    ToolDefinition,
    ToolFields,
    ToolMessage,
    UserContentPart,
    UserMessage,
    WireMessage,
)

PATH = "/v1/chat/completions"
_PROTOCOL = "OpenAI chat completions"

# o1/o3/o4 and gpt-5 reject ``max_tokens`` and want ``max_completion_tokens``; every other
# family served by the relay takes ``max_tokens`` (langchain-openai renames it for every
# backend, which relayed models reject: https://github.com/langchain-ai/langchain/issues/29954). An optional vendor prefix such as ``openai/`` is allowed.
_COMPLETION_TOKENS_MODEL = re.compile(r"^(?:[\w.-]+/)*(?:o[134](?:$|[-_.:])|gpt-5)", re.I)

_TOOL_IMAGES_PLACEHOLDER = "[image result follows]"
_TOOL_ERROR_PREFIX = "[tool error] "


def uses_max_completion_tokens(model: str) -> bool:
    """Whether ``model`` belongs to an OpenAI reasoning family that wants
    ``max_completion_tokens`` instead of ``max_tokens``."""
    return bool(_COMPLETION_TOKENS_MODEL.match(model.strip()))


def build_request(request: ChatRequest, *, stream: bool) -> HttpRequest:
    reject_responses_only(request, _PROTOCOL, store=True)
    body: ChatCompletionBody = {
        "model": request.model,
        "messages": wire_messages(request.messages),
    }
    body = {**body, **_tool_fields(request), **_sampling_fields(request)}
    if stream:
        body["stream"] = True
        if request.stream_usage:
            body["stream_options"] = {"include_usage": True}
    json: dict[str, Any] = {**body, **request.extra_body}
    return HttpRequest(method="POST", path=PATH, json=json, headers=dict(request.extra_headers))


def auth_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


# --- top-level fields ---------------------------------------------------------------------


def _tool_fields(request: ChatRequest) -> ToolFields:
    fields: ToolFields = {}
    choice = request.tool_choice
    if not request.tools:
        if choice == "required" or isinstance(choice, NamedToolChoice | AllowedTools):
            raise ConfigurationError(
                f"tool_choice {_describe_choice(choice)} needs tools, but the request has none"
            )
        # "auto" / "none" without tools mean the same as leaving tool_choice out
        return fields
    fields["tools"] = [_wire_tool(tool) for tool in request.tools]
    names = {tool.name for tool in request.tools}
    if isinstance(choice, NamedToolChoice):
        if choice.name not in names:
            raise ConfigurationError(
                f"tool_choice names tool {choice.name!r}, which is not among the request's "
                f"tools ({', '.join(sorted(names))})"
            )
        fields["tool_choice"] = {"type": "function", "function": {"name": choice.name}}
    elif isinstance(choice, AllowedTools):
        unknown = [name for name in choice.names if name not in names]
        if unknown:
            raise ConfigurationError(
                f"allowed_tools names {', '.join(map(repr, unknown))}, not among the "
                f"request's tools ({', '.join(sorted(names))})"
            )
        allowed: list[dict[str, Any]] = [
            {"type": "function", "function": {"name": name}} for name in choice.names
        ]
        fields["tool_choice"] = {
            "type": "allowed_tools",
            "allowed_tools": {"mode": choice.mode, "tools": allowed},
        }
    elif choice is not None:
        fields["tool_choice"] = choice
    if request.parallel_tool_calls is not None:
        fields["parallel_tool_calls"] = request.parallel_tool_calls
    return fields


def _describe_choice(choice: str | NamedToolChoice | AllowedTools) -> str:
    if isinstance(choice, AllowedTools):
        return f"allowing {', '.join(map(repr, choice.names))}"
    return f"naming {choice.name!r}" if isinstance(choice, NamedToolChoice) else repr(choice)


def _wire_tool(tool: Tool) -> ToolDefinition:
    function: FunctionDefinition = {"name": tool.name}
    if tool.description:
        function["description"] = tool.description
    function["parameters"] = tool.parameters
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def _sampling_fields(request: ChatRequest) -> SamplingFields:
    fields: SamplingFields = {}
    if request.response_format is not None:
        fields["response_format"] = _wire_response_format(request)
    if request.max_tokens is not None:
        if uses_max_completion_tokens(request.model):
            fields["max_completion_tokens"] = request.max_tokens
        else:
            fields["max_tokens"] = request.max_tokens
    if request.temperature is not None:
        fields["temperature"] = request.temperature
    if request.top_p is not None:
        fields["top_p"] = request.top_p
    if request.top_k is not None:
        fields["top_k"] = request.top_k
    if request.seed is not None:
        fields["seed"] = request.seed
    if request.reasoning_effort is not None:
        fields["reasoning_effort"] = request.reasoning_effort
    if request.metadata is not None:
        fields["metadata"] = request.metadata
    if request.store is not None:
        fields["store"] = request.store
    if request.stop:
        fields["stop"] = list(request.stop)
    if request.thinking is not None:
        # Anthropic-style extended thinking on the OpenAI wire: new-api forwards this field
        # to Claude channels (other upstreams ignore it).
        fields["thinking"] = {"type": "enabled", "budget_tokens": request.thinking.budget_tokens}
    return fields


def _wire_response_format(request: ChatRequest) -> ResponseFormat:
    fmt = request.response_format
    if isinstance(fmt, JsonObjectFormat) or fmt is None:
        return {"type": "json_object"}
    schema: JsonSchemaSpec = {"name": fmt.name, "schema": fmt.schema_}
    if fmt.strict is not None:
        schema["strict"] = fmt.strict
    if fmt.description is not None:
        schema["description"] = fmt.description
    return {"type": "json_schema", "json_schema": schema}


# --- messages -----------------------------------------------------------------------------


def wire_messages(messages: list[Message]) -> list[WireMessage]:
    """Map the history. Images returned by tools travel in a ``user`` message after the run
    of ``tool`` messages (the wire allows only text in tool messages, and tool messages must
    directly follow the assistant turn that called them); a user turn that comes next takes
    them at its front."""
    out: list[WireMessage] = []
    pending_images: list[ImageUrlContent] = []
    for position, message in enumerate(messages):
        if message.role in ("system", "assistant") and pending_images:
            out.append(_images_message(pending_images))
            pending_images.clear()
        if message.role == "system":
            out.append(_system_message(message, position))
        elif message.role == "user":
            out.extend(_user_messages(message, position, pending_images))
        elif message.role == "assistant":
            out.append(_assistant_message(message, position))
        else:
            out.extend(_tool_messages(message, position, pending_images))
    if pending_images:
        out.append(_images_message(pending_images))
    return out


def _images_message(images: list[ImageUrlContent]) -> UserMessage:
    return {"role": "user", "content": [*images]}


def _unsupported(part: Part, role: str, position: int, why: str = "") -> UnsupportedFeatureError:
    detail = f": {why}" if why else ""
    return UnsupportedFeatureError(
        f"{type(part).__name__} in the {role} message at position {position} cannot be sent "
        f"over {_PROTOCOL}{detail}"
    )


_Wire = TypeVar("_Wire", SystemMessage, UserMessage, AssistantMessage, ToolMessage, ToolCall)


def _with_extras(wire: _Wire, extras: Mapping[str, Any]) -> _Wire:
    """``wire`` with the provider data the caller supplied beyond the declared shape,
    merged in as given."""
    cast(dict[str, Any], wire).update(extras)
    return wire


def _with_common(wire: _Wire, message: Message) -> _Wire:
    if message.name is not None:
        cast(dict[str, Any], wire)["name"] = message.name
    return _with_extras(wire, message.provider_data)


def _system_message(message: Message, position: int) -> SystemMessage:
    for part in message.parts:
        if not isinstance(part, TextPart):
            raise _unsupported(part, "system", position, "system messages carry text only")
    wire: SystemMessage = {"role": "system", "content": message.text}
    return _with_common(wire, message)


def _user_messages(
    message: Message, position: int, pending_images: list[ImageUrlContent]
) -> list[WireMessage]:
    # Tool results placed in a user message (Anthropic's layout) become tool messages first,
    # and their images join this user message.
    out: list[WireMessage] = []
    others: list[Part] = []
    for part in message.parts:
        if isinstance(part, ToolResultPart):
            out.append(_tool_message(part, message, pending_images))
        else:
            others.append(part)
    images = list(pending_images)
    pending_images.clear()
    if out and not others and not images:
        return out  # the message held tool results only
    content: str | list[UserContentPart]
    if not images and len(others) <= 1 and all(isinstance(p, TextPart) for p in others):
        content = "".join(p.text for p in others if isinstance(p, TextPart))
    else:
        content = [*images, *(_user_content_part(part, position) for part in others)]
    user: UserMessage = {"role": "user", "content": content}
    out.append(_with_common(user, message))
    return out


def _user_content_part(part: Part, position: int) -> UserContentPart:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ImagePart):
        return _image_url_part(part)
    if isinstance(part, AudioPart):
        if not part.data:
            raise _unsupported(part, "user", position, "input audio must be inline base64 data")
        if not part.format:
            raise _unsupported(part, "user", position, "input audio needs a format (wav or mp3)")
        return {"type": "input_audio", "input_audio": {"data": part.data, "format": part.format}}
    if isinstance(part, FilePart):
        return _file_part(part, position)
    reason = "video input is not part of this wire" if isinstance(part, VideoPart) else ""
    raise _unsupported(part, "user", position, reason)


def _image_url_part(part: ImagePart) -> ImageUrlContent:
    image_url: ImageUrl = {"url": part.data_url()}
    if part.detail is not None:
        image_url["detail"] = part.detail
    return {"type": "image_url", "image_url": image_url}


def _file_part(part: FilePart, position: int) -> FileContent:
    file: FileRef = {}
    if part.file_id:
        file["file_id"] = part.file_id
    elif part.data:
        # chat completions take documents as PDF; assume it when no media type is given
        file["file_data"] = f"data:{part.media_type or 'application/pdf'};base64,{part.data}"
    else:
        raise _unsupported(part, "user", position, "files go inline (base64) or by file_id")
    if part.filename is not None:
        file["filename"] = part.filename
    return {"type": "file", "file": file}


def _assistant_message(message: Message, position: int) -> AssistantMessage:
    texts: list[str] = []
    reasoning: list[str] = []
    tool_calls: list[ToolCall] = []
    wire: AssistantMessage = {"role": "assistant"}
    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ThinkingPart):
            # Only the text travels (as ``reasoning_content``, which DeepSeek/Qwen-style
            # upstreams require back next to tool calls). Signatures and redacted blocks are
            # Anthropic's and have no place on this wire.
            if part.text:
                reasoning.append(part.text)
        elif isinstance(part, ToolCallPart):
            tool_calls.append(_wire_tool_call(part))
        elif isinstance(part, AudioPart):
            wire["audio"] = _assistant_audio(part, position)
        elif isinstance(part, ImagePart | VideoPart):
            _add_assistant_media(wire, part, message.text, position)
        else:
            raise _unsupported(part, "assistant", position)
    has_text = any(isinstance(p, TextPart) for p in message.parts)
    text = "".join(texts)
    wire["content"] = text if has_text or not (tool_calls or "audio" in wire) else None
    if reasoning:
        wire["reasoning_content"] = "".join(reasoning)
    if tool_calls:
        wire["tool_calls"] = tool_calls
    return _with_common(wire, message)


def _wire_tool_call(part: ToolCallPart) -> ToolCall:
    call: ToolCall = {
        "id": part.id,
        "type": "function",
        "function": {"name": part.name, "arguments": part.arguments},
    }
    # e.g. Gemini's extra_content.google.thought_signature, which must come back verbatim
    return _with_extras(call, part.provider_data)


def _assistant_audio(part: AudioPart, position: int) -> AudioRef:
    audio_id = part.provider_data.get("id")
    if not audio_id:
        raise _unsupported(
            part, "assistant", position, "earlier audio replies are referenced by their audio id"
        )
    return {"id": audio_id}


def _add_assistant_media(
    wire: AssistantMessage, part: ImagePart | VideoPart, text: str, position: int
) -> None:
    """Media found as markdown links in the reply text already travel inside that text;
    other images go back the way relays return them, in ``images``."""
    if part.url and part.url in text:
        return
    if isinstance(part, ImagePart):
        wire.setdefault("images", []).append(_image_url_part(part))
        return
    raise _unsupported(part, "assistant", position, "a video not linked in the reply text")


def _tool_messages(
    message: Message, position: int, pending_images: list[ImageUrlContent]
) -> list[WireMessage]:
    out: list[WireMessage] = []
    for part in message.parts:
        if not isinstance(part, ToolResultPart):
            raise _unsupported(part, "tool", position, "tool messages carry ToolResultParts")
        out.append(_tool_message(part, message, pending_images))
    return out


def _tool_message(
    result: ToolResultPart, message: Message, pending_images: list[ImageUrlContent]
) -> ToolMessage:
    """One ``tool`` message per result. An error result is marked with a ``[tool error]``
    prefix, so the model sees that the call failed. Images are queued for a user message."""
    images = [_image_url_part(p) for p in result.content if isinstance(p, ImagePart)]
    pending_images.extend(images)
    text = result.text
    if not text and images:
        text = _TOOL_IMAGES_PLACEHOLDER
    if result.is_error:
        text = _TOOL_ERROR_PREFIX + text
    wire: ToolMessage = {"role": "tool", "tool_call_id": result.tool_call_id, "content": text}
    return _with_extras(wire, message.provider_data)
