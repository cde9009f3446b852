"""The chat-completions wire shapes, declared once.

What we send is typed exactly (``TypedDict``s built by ``_request``): a key is present only
when the caller set it. What we receive is declared as the documented shape (every key
optional, since relays omit fields) and read through ``wenwen.protocols._read``, which checks
each value where it is used (relays send ``null`` or another type wherever they like).
"""

from __future__ import annotations

from typing import Any, Literal, Required, TypeAlias, TypedDict

# --- what we send -------------------------------------------------------------------------


class TextContent(TypedDict):
    type: Literal["text"]
    text: str


class ImageUrl(TypedDict, total=False):
    url: Required[str]
    detail: str


class ImageUrlContent(TypedDict):
    type: Literal["image_url"]
    image_url: ImageUrl


class InputAudio(TypedDict):
    data: str
    format: str


class InputAudioContent(TypedDict):
    type: Literal["input_audio"]
    input_audio: InputAudio


class FileRef(TypedDict, total=False):
    file_id: str
    file_data: str
    """a ``data:`` URL"""
    filename: str


class FileContent(TypedDict):
    type: Literal["file"]
    file: FileRef


UserContentPart: TypeAlias = TextContent | ImageUrlContent | InputAudioContent | FileContent


class FunctionCall(TypedDict):
    name: str
    arguments: str


class ToolCall(TypedDict):
    id: str
    type: Literal["function"]
    function: FunctionCall


class AudioRef(TypedDict):
    """An earlier audio reply, sent back by its id."""

    id: str


class SystemMessage(TypedDict, total=False):
    role: Required[Literal["system"]]
    content: Required[str]
    name: str


class UserMessage(TypedDict, total=False):
    role: Required[Literal["user"]]
    content: Required[str | list[UserContentPart]]
    name: str


class AssistantMessage(TypedDict, total=False):
    role: Required[Literal["assistant"]]
    content: str | None
    reasoning_content: str
    """reasoning text, which DeepSeek/Qwen-style upstreams want back next to tool calls"""
    tool_calls: list[ToolCall]
    audio: AudioRef
    images: list[ImageUrlContent]
    """images the relay returned (not linked in the text), sent back the same way"""
    name: str


class ToolMessage(TypedDict):
    role: Literal["tool"]
    tool_call_id: str
    content: str


WireMessage: TypeAlias = SystemMessage | UserMessage | AssistantMessage | ToolMessage


class FunctionDefinition(TypedDict, total=False):
    name: Required[str]
    description: str
    parameters: dict[str, Any]
    """always sent (a tool without arguments has an empty object schema)"""
    strict: bool


class ToolDefinition(TypedDict):
    type: Literal["function"]
    function: FunctionDefinition


class NamedFunction(TypedDict):
    name: str


class NamedToolChoice(TypedDict):
    type: Literal["function"]
    function: NamedFunction


class AllowedToolsSpec(TypedDict):
    mode: Literal["auto", "required"]
    tools: list[dict[str, Any]]


class AllowedToolsChoice(TypedDict):
    type: Literal["allowed_tools"]
    allowed_tools: AllowedToolsSpec


ToolChoice: TypeAlias = Literal["auto", "none", "required"] | NamedToolChoice | AllowedToolsChoice


class JsonSchemaSpec(TypedDict, total=False):
    name: Required[str]
    schema: Required[dict[str, Any]]
    strict: bool
    description: str


class ResponseFormat(TypedDict, total=False):
    type: Required[Literal["json_object", "json_schema"]]
    json_schema: JsonSchemaSpec


class ThinkingConfig(TypedDict):
    """Anthropic-style extended thinking, which new-api forwards to Claude channels."""

    type: Literal["enabled"]
    budget_tokens: int


class StreamOptions(TypedDict):
    include_usage: bool


class ToolFields(TypedDict, total=False):
    tools: list[ToolDefinition]
    tool_choice: ToolChoice
    parallel_tool_calls: bool


class SamplingFields(TypedDict, total=False):
    response_format: ResponseFormat
    max_tokens: int
    max_completion_tokens: int
    """``max_tokens`` under the name OpenAI's reasoning families want"""
    temperature: float
    top_p: float
    top_k: int
    """not in OpenAI's schema; relays forward it to the upstreams that accept it"""
    seed: int
    reasoning_effort: str
    metadata: dict[str, Any]
    store: bool
    stop: list[str]
    thinking: ThinkingConfig


class ChatCompletionBody(ToolFields, SamplingFields, total=False):
    """The request body, before the caller's ``extra_body`` is merged in as given."""

    model: Required[str]
    messages: Required[list[WireMessage]]
    stream: bool
    stream_options: StreamOptions


# --- what we receive ----------------------------------------------------------------------


class ReplyFunction(TypedDict, total=False):
    name: str
    arguments: str | dict[str, Any]
    """JSON text; some relays send the object itself"""


class ReplyToolCall(TypedDict, total=False):
    id: str
    type: str
    function: ReplyFunction
    index: int
    """stream deltas only"""


class ReplyImageUrl(TypedDict, total=False):
    url: str
    detail: str


class ReplyContentPart(TypedDict, total=False):
    """A content part of a reply that comes as a list (some relays, multimodal models)."""

    type: str
    text: str
    refusal: str
    image_url: ReplyImageUrl


class ReplyAudio(TypedDict, total=False):
    id: str
    data: str
    """base64"""
    format: str
    transcript: str
    expires_at: int


class ReasoningDetail(TypedDict, total=False):
    """OpenRouter's structured reasoning (``reasoning.text``, ``.summary``, ``.encrypted``)."""

    type: str
    text: str
    summary: str
    signature: str
    data: str


class ReplyMessage(TypedDict, total=False):
    """``choices[0].message`` (or, in a stream, ``choices[0].delta``)."""

    role: str
    content: str | list[ReplyContentPart] | None
    refusal: str | None
    reasoning_content: str
    """DeepSeek, Qwen"""
    reasoning: str
    """OpenRouter, vLLM"""
    reasoning_details: list[ReasoningDetail]
    tool_calls: list[ReplyToolCall]
    function_call: ReplyFunction
    """the deprecated single-function form"""
    images: list[ReplyContentPart]
    """images a relay returns beside the text"""
    audio: ReplyAudio


class Choice(TypedDict, total=False):
    index: int
    message: ReplyMessage
    finish_reason: str | None


class PromptTokensDetails(TypedDict, total=False):
    cached_tokens: int
    audio_tokens: int
    cache_write_tokens: int
    """OpenRouter"""
    cached_creation_tokens: int
    """new-api, Claude channels"""


class CompletionTokensDetails(TypedDict, total=False):
    reasoning_tokens: int
    audio_tokens: int


class ReplyUsage(TypedDict, total=False):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: PromptTokensDetails
    completion_tokens_details: CompletionTokensDetails
    prompt_cache_hit_tokens: int
    """DeepSeek"""
    cache_creation_input_tokens: int
    cache_write_tokens: int


class ChatCompletion(TypedDict, total=False):
    id: str
    model: str
    choices: list[Choice]
    usage: ReplyUsage | None
    error: Any
    """a relay may wrap an upstream failure in a 200 reply"""
