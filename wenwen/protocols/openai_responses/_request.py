"""Neutral ``ChatRequest`` → ``POST /v1/responses`` body. Exact in what we send: a field
appears only when the caller set it; what this wire cannot carry (``seed``, ``top_k``,
Anthropic thinking budgets, audio and video input) raises ``UnsupportedFeatureError`` naming
it. ``stop`` is not sent: the client enforces it on the reply (``wenwen.stop``)."""

from __future__ import annotations

from typing import Any, Literal

from ...errors import ConfigurationError, UnsupportedFeatureError
from ...types import (
    AllowedTools,
    ChatRequest,
    FilePart,
    ImagePart,
    JsonObjectFormat,
    Message,
    NamedToolChoice,
    Part,
    ServerToolCallPart,
    TextPart,
    ThinkingPart,
    Tool,
    ToolCallPart,
    ToolResultPart,
)
from .. import HttpRequest
from ._wire import (
    CreateResponse,
    FunctionCallItem,
    FunctionCallOutputItem,
    FunctionTool,
    InputContent,
    InputImage,
    InputItem,
    InputText,
    MessageItem,
    ReasoningItem,
    TextFormat,
)

PATH = "/v1/responses"
_PROTOCOL = "OpenAI Responses"
ENCRYPTED_REASONING = "reasoning.encrypted_content"
_TOOL_ERROR_PREFIX = "[tool error] "


def build_request(request: ChatRequest, *, stream: bool) -> HttpRequest:
    _reject_unsupported(request)
    body: CreateResponse = {"model": request.model, "input": input_items(request.messages)}
    body.update(_tool_fields(request))
    body.update(_option_fields(request))
    if stream:
        body["stream"] = True
    json_body: dict[str, Any] = {**body, **request.extra_body}
    return HttpRequest(
        method="POST", path=PATH, json=json_body, headers=dict(request.extra_headers)
    )


def auth_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def _reject_unsupported(request: ChatRequest) -> None:
    unsupported = {
        "seed": request.seed,
        "top_k": request.top_k,
        "thinking": request.thinking,
    }
    named = [name for name, value in unsupported.items() if value is not None]
    if named:
        raise UnsupportedFeatureError(
            f"{', '.join(named)} cannot be sent over {_PROTOCOL}; use reasoning effort "
            "instead of a thinking budget, or another protocol"
        )


# --- top-level fields ---------------------------------------------------------------------


def _tool_fields(request: ChatRequest) -> CreateResponse:
    fields: CreateResponse = {}
    tools: list[FunctionTool | dict[str, Any]] = [_wire_tool(t) for t in request.tools]
    tools += [dict(t) for t in request.server_tools]
    choice = request.tool_choice
    if not tools:
        if choice == "required" or isinstance(choice, NamedToolChoice | AllowedTools):
            raise ConfigurationError(
                f"tool_choice {choice!r} needs tools, but the request has none"
            )
        return fields
    fields["tools"] = tools
    if isinstance(choice, NamedToolChoice):
        fields["tool_choice"] = _named_choice(choice.name, request)
    elif isinstance(choice, AllowedTools):
        fields["tool_choice"] = {
            "type": "allowed_tools",
            "mode": choice.mode,
            "tools": [_named_choice(name, request, "allowed_tools") for name in choice.names],
        }
    elif choice is not None:
        fields["tool_choice"] = choice
    if request.parallel_tool_calls is not None:
        fields["parallel_tool_calls"] = request.parallel_tool_calls
    return fields


def _named_choice(name: str, request: ChatRequest, what: str = "tool_choice") -> dict[str, Any]:
    """A function by name, or a built-in tool by its type (``web_search_preview``)."""
    if any(tool.name == name for tool in request.tools):
        return {"type": "function", "name": name}
    if any(tool.get("type") == name for tool in request.server_tools):
        return {"type": name}
    known = [t.name for t in request.tools] + [str(t.get("type")) for t in request.server_tools]
    raise ConfigurationError(
        f"{what} names tool {name!r}, which is not among the request's tools "
        f"({', '.join(sorted(known))})"
    )


def _wire_tool(tool: Tool) -> FunctionTool:
    # ``strict`` is required on this wire and defaults to true upstream; an unset value
    # means the chat-completions default (not strict), so schemas that are not strict-ready
    # keep working.
    wire: FunctionTool = {
        "type": "function",
        "name": tool.name,
        "parameters": tool.parameters,
        "strict": bool(tool.strict),
    }
    if tool.description:
        wire["description"] = tool.description
    return wire


def _option_fields(request: ChatRequest) -> CreateResponse:
    fields: CreateResponse = {}
    fmt = request.response_format
    if fmt is not None:
        fields["text"] = {"format": _text_format(fmt)}
    reasoning = {"effort": request.reasoning_effort, "summary": request.reasoning_summary}
    if any(reasoning.values()):
        fields["reasoning"] = {k: v for k, v in reasoning.items() if v}  # type: ignore[typeddict-item]
    include = list(request.include)
    if request.store is False and ENCRYPTED_REASONING not in include:
        include.append(ENCRYPTED_REASONING)  # the only way to carry reasoning to the next turn
    if include:
        fields["include"] = include
    if request.store is not None:
        fields["store"] = request.store
    if request.previous_response_id:
        fields["previous_response_id"] = request.previous_response_id
    if request.max_tokens is not None:
        fields["max_output_tokens"] = request.max_tokens
    if request.temperature is not None:
        fields["temperature"] = request.temperature
    if request.top_p is not None:
        fields["top_p"] = request.top_p
    if request.metadata is not None:
        fields["metadata"] = request.metadata
    return fields


def _text_format(fmt: Any) -> TextFormat:
    if isinstance(fmt, JsonObjectFormat):
        return {"type": "json_object"}
    wire: TextFormat = {"type": "json_schema", "name": fmt.name, "schema": fmt.schema_}
    if fmt.strict is not None:
        wire["strict"] = fmt.strict
    if fmt.description is not None:
        wire["description"] = fmt.description
    return wire


# --- input items --------------------------------------------------------------------------


def input_items(messages: list[Message]) -> list[InputItem]:
    items: list[InputItem] = []
    for position, message in enumerate(messages):
        if message.role == "assistant":
            items.extend(_assistant_items(message, position))
        elif message.role == "tool":
            items.extend(_tool_outputs(message, position))
        else:
            items.extend(_input_message(message, position))
    return items


def _unsupported(part: Part, role: str, position: int, why: str = "") -> UnsupportedFeatureError:
    detail = f": {why}" if why else ""
    return UnsupportedFeatureError(
        f"{type(part).__name__} in the {role} message at position {position} cannot be sent "
        f"over {_PROTOCOL}{detail}"
    )


def _input_message(message: Message, position: int) -> list[InputItem]:
    """A user or system message; tool results inside it (Anthropic's layout) become
    ``function_call_output`` items first."""
    items: list[InputItem] = []
    content: list[InputContent] = []
    for part in message.parts:
        if isinstance(part, ToolResultPart):
            items.append(_tool_output(part))
        elif message.role == "system" and not isinstance(part, TextPart):
            raise _unsupported(part, "system", position, "system messages carry text only")
        else:
            content.append(_input_content(part, message.role, position))
    if content or not items:
        role: Literal["system", "user"] = "system" if message.role == "system" else "user"
        texts = [c["text"] for c in content if c["type"] == "input_text"]
        plain = len(texts) == len(content)
        items.append(MessageItem(role=role, content="".join(texts) if plain else content))
    return items


def _input_content(part: Part, role: str, position: int) -> InputContent:
    if isinstance(part, TextPart):
        return InputText(type="input_text", text=part.text)
    if isinstance(part, ImagePart):
        return _input_image(part, f"the {role} message at position {position}")
    if isinstance(part, FilePart):
        return _input_file(part, role, position)
    raise _unsupported(part, role, position)


def _input_image(part: ImagePart, where: str) -> InputImage:
    if not part.url and not part.data:
        raise UnsupportedFeatureError(
            f"the ImagePart in {where} has neither data nor a URL, so {_PROTOCOL} cannot send it"
        )
    return InputImage(type="input_image", image_url=part.data_url(), detail=part.detail or "auto")


def _input_file(part: FilePart, role: str, position: int) -> InputContent:
    wire: dict[str, Any] = {"type": "input_file"}
    if part.file_id:
        wire["file_id"] = part.file_id
    elif part.data:
        wire["file_data"] = f"data:{part.media_type or 'application/pdf'};base64,{part.data}"
    elif part.url:
        wire["file_url"] = part.url
    else:
        raise _unsupported(part, role, position, "a file needs data, a URL or a file id")
    if part.filename is not None:
        wire["filename"] = part.filename
    elif "file_data" in wire:
        wire["filename"] = "document.pdf"  # required with inline data upstream
    return wire  # type: ignore[return-value]


def _assistant_items(message: Message, position: int) -> list[InputItem]:
    items: list[InputItem] = []
    texts: list[str] = []

    def flush_text() -> None:
        if texts:
            # Assistant text goes back as plain string content: the spec's input message
            # takes no ``output_text`` parts without the original message id.
            items.append(MessageItem(type="message", role="assistant", content="".join(texts)))
            texts.clear()

    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.text)
            continue
        flush_text()
        if isinstance(part, ThinkingPart):
            items.extend(_reasoning_item(part))
        elif isinstance(part, ToolCallPart):
            items.append(_function_call(part))
        elif isinstance(part, ServerToolCallPart):
            item = part.provider_data.get("item")
            if isinstance(item, dict):
                items.append(dict(item))
        else:
            raise _unsupported(part, "assistant", position)
    flush_text()
    return items


def _reasoning_item(part: ThinkingPart) -> list[InputItem]:
    """A reasoning item is replayed by its id (with the encrypted payload when the reply
    had one). Reasoning without an item id came from another protocol: it has no place on
    this wire, and the answer it led to travels as text."""
    item_id = part.provider_data.get("id")
    if not isinstance(item_id, str) or not item_id:
        return []
    summary = [{"type": "summary_text", "text": part.text}] if part.text else []
    item = ReasoningItem(type="reasoning", id=item_id, summary=summary)  # type: ignore[typeddict-item]
    if part.signature:
        item["encrypted_content"] = part.signature
    return [item]


def _function_call(part: ToolCallPart) -> FunctionCallItem:
    item = FunctionCallItem(
        type="function_call", call_id=part.id, name=part.name, arguments=part.arguments
    )
    item_id = part.provider_data.get("id")
    if isinstance(item_id, str) and item_id:
        item["id"] = item_id
    return item


def _tool_outputs(message: Message, position: int) -> list[InputItem]:
    items: list[InputItem] = []
    for part in message.parts:
        if not isinstance(part, ToolResultPart):
            raise _unsupported(part, "tool", position, "tool messages carry ToolResultParts")
        items.append(_tool_output(part))
    return items


def _tool_output(result: ToolResultPart) -> FunctionCallOutputItem:
    prefix = _TOOL_ERROR_PREFIX if result.is_error else ""
    images = [p for p in result.content if isinstance(p, ImagePart)]
    if not images:
        return FunctionCallOutputItem(
            type="function_call_output", call_id=result.tool_call_id, output=prefix + result.text
        )
    output: list[InputText | InputImage] = []
    for part in result.content:
        if isinstance(part, TextPart):
            output.append(InputText(type="input_text", text=part.text))
        else:
            output.append(_input_image(part, f"the result of tool call {result.tool_call_id!r}"))
    if prefix:
        output.insert(0, InputText(type="input_text", text=prefix.strip()))
    return FunctionCallOutputItem(
        type="function_call_output", call_id=result.tool_call_id, output=output
    )
