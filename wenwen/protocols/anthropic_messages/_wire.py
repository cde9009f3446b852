"""The Anthropic Messages wire shapes, declared once.

What we send is typed exactly (``TypedDict``s built by ``_request`` and ``_content``): a key
is present only when the caller set it, except ``max_tokens``, which Anthropic requires.
What we receive is declared as the documented ``Message`` shape (every key optional: the
relay omits fields, e.g. the cache counts) and read through ``wenwen.protocols._read``, which
checks each value where it is used.
"""

from __future__ import annotations

from typing import Any, Literal, Required, TypeAlias, TypedDict

# --- what we send -------------------------------------------------------------------------


class TextBlock(TypedDict, total=False):
    type: Required[Literal["text"]]
    text: Required[str]
    cache_control: dict[str, Any]


class Base64Source(TypedDict):
    type: Literal["base64"]
    media_type: str
    data: str


class UrlSource(TypedDict):
    type: Literal["url"]
    url: str


class PlainTextSource(TypedDict):
    """A text/plain document, decoded (Anthropic takes its text, not base64)."""

    type: Literal["text"]
    media_type: Literal["text/plain"]
    data: str


class ImageBlock(TypedDict, total=False):
    type: Required[Literal["image"]]
    source: Required[Base64Source | UrlSource]
    cache_control: dict[str, Any]


DocumentSource: TypeAlias = Base64Source | PlainTextSource | UrlSource


class DocumentBlock(TypedDict, total=False):
    type: Required[Literal["document"]]
    source: Required[DocumentSource]
    title: str
    cache_control: dict[str, Any]


class ThinkingBlock(TypedDict):
    type: Literal["thinking"]
    thinking: str
    signature: str


class RedactedThinkingBlock(TypedDict):
    type: Literal["redacted_thinking"]
    data: str


class ToolUseBlock(TypedDict):
    type: Literal["tool_use"]
    id: str
    name: str
    input: dict[str, Any]


class ToolResultBlock(TypedDict, total=False):
    type: Required[Literal["tool_result"]]
    tool_use_id: Required[str]
    content: list[TextBlock | ImageBlock]
    is_error: bool
    cache_control: dict[str, Any]


ContentBlock: TypeAlias = (
    TextBlock
    | ImageBlock
    | DocumentBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ToolUseBlock
    | ToolResultBlock
)


class Turn(TypedDict):
    role: Literal["user", "assistant"]
    content: list[ContentBlock]


class ToolDefinition(TypedDict, total=False):
    name: Required[str]
    description: str
    input_schema: dict[str, Any]
    """always sent; an object schema"""
    cache_control: dict[str, Any]


class ToolChoice(TypedDict, total=False):
    type: Required[Literal["auto", "any", "tool", "none"]]
    name: str
    """for ``type: tool``"""
    disable_parallel_tool_use: bool


class ThinkingConfig(TypedDict):
    type: Literal["enabled"]
    budget_tokens: int


class ToolFields(TypedDict, total=False):
    tools: list[ToolDefinition]
    tool_choice: ToolChoice


class SamplingFields(TypedDict, total=False):
    temperature: float
    top_p: float
    top_k: int
    stop_sequences: list[str]


class MessagesBody(ToolFields, SamplingFields, total=False):
    """The request body, before the caller's ``extra_body`` is merged in as given."""

    model: Required[str]
    messages: Required[list[Turn]]
    max_tokens: Required[int]
    system: list[TextBlock]
    thinking: ThinkingConfig
    metadata: dict[str, Any]
    stream: bool


# --- what we receive ----------------------------------------------------------------------


class ReplyBlock(TypedDict, total=False):
    """A content block of a reply; which keys it has depends on ``type``."""

    type: str
    text: str
    """``text``"""
    thinking: str
    """``thinking``"""
    signature: str
    """``thinking``"""
    data: str
    """``redacted_thinking``: the opaque payload"""
    id: str
    """``tool_use``"""
    name: str
    """``tool_use``"""
    input: dict[str, Any]
    """``tool_use``"""


class OutputTokensDetails(TypedDict, total=False):
    thinking_tokens: int


class ReplyUsage(TypedDict, total=False):
    input_tokens: int
    """the prompt tokens NOT read from or written to the cache"""
    output_tokens: int
    cache_read_input_tokens: int | None
    cache_creation_input_tokens: int | None
    output_tokens_details: OutputTokensDetails


class ReplyMessage(TypedDict, total=False):
    id: str
    """the relay may answer with a ``chatcmpl-`` id"""
    type: Literal["message", "error"]
    role: str
    model: str
    content: list[ReplyBlock]
    stop_reason: str | None
    stop_sequence: str | None
    usage: ReplyUsage
    request_id: str
    """on an error object"""
