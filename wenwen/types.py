"""The neutral model shared by every protocol and every framework adapter.

Adapters translate framework objects to these types; protocol modules translate these types
to and from the wire. Nothing here knows about a particular vendor format: what a protocol
needs beyond this model rides in ``provider_data``.
"""

import json
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

from .cost import Cost

CacheControl: TypeAlias = dict[str, Any]
"""A prompt-cache marker, e.g. ``{"type": "ephemeral"}``; honoured by protocols that cache."""


class _Part(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Citation(BaseModel):
    """A source the model cites for a span of its text (``start_index``..``end_index``, in
    characters of the text part), e.g. a web-search result."""

    model_config = ConfigDict(extra="forbid")

    url: str
    title: str | None = None
    start_index: int | None = None
    end_index: int | None = None


class TextPart(_Part):
    type: Literal["text"] = "text"
    text: str
    cache_control: CacheControl | None = None
    citations: list[Citation] = Field(default_factory=list)


class ImagePart(_Part):
    """An image, by URL or inline base64 data (``data`` without the ``data:`` prefix)."""

    type: Literal["image"] = "image"
    url: str | None = None
    data: str | None = None
    media_type: str | None = None
    detail: str | None = None
    cache_control: CacheControl | None = None

    def data_url(self) -> str:
        """The image as a URL: the given URL, or a ``data:`` URL built from inline data."""
        if self.url:
            return self.url
        return f"data:{self.media_type or 'image/png'};base64,{self.data or ''}"


class AudioPart(_Part):
    """Audio, inline base64 (``format`` such as ``wav`` or ``mp3``) or by URL."""

    type: Literal["audio"] = "audio"
    data: str | None = None
    format: str | None = None
    url: str | None = None
    transcript: str | None = None
    provider_data: dict[str, Any] = Field(default_factory=dict)


class VideoPart(_Part):
    """A video, by URL (video models answer with a download link)."""

    type: Literal["video"] = "video"
    url: str
    media_type: str | None = None


class FilePart(_Part):
    """A document (PDF and the like), inline base64, by URL or by provider file id."""

    type: Literal["file"] = "file"
    data: str | None = None
    url: str | None = None
    file_id: str | None = None
    media_type: str | None = None
    filename: str | None = None
    cache_control: CacheControl | None = None


class ThinkingPart(_Part):
    """Reasoning text. ``signature`` authenticates it where the protocol signs thinking;
    ``redacted`` holds the opaque payload of a redacted block (then ``text`` is empty)."""

    type: Literal["thinking"] = "thinking"
    text: str = ""
    signature: str | None = None
    redacted: str | None = None
    provider_data: dict[str, Any] = Field(default_factory=dict)
    """What a protocol needs to replay the reasoning, e.g. a Responses reasoning item id
    (whose ``encrypted_content`` rides in ``signature``)."""


class ToolCallPart(_Part):
    """A call the model asked for. ``arguments`` is the JSON text exactly as received."""

    type: Literal["tool_call"] = "tool_call"
    id: str
    name: str
    arguments: str = "{}"
    provider_data: dict[str, Any] = Field(default_factory=dict)

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; raises ``ValueError`` naming the tool when they are not
        a JSON object."""
        text = self.arguments.strip() or "{}"
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"tool call {self.name!r} ({self.id}) has malformed JSON arguments: {exc}"
            ) from exc
        if not isinstance(value, dict):
            raise ValueError(
                f"tool call {self.name!r} ({self.id}) arguments are {type(value).__name__}, "
                "not a JSON object"
            )
        return value


class ServerToolCallPart(_Part):
    """A tool the provider ran itself (e.g. web search): shown to the caller, never run by
    it. ``provider_data["item"]`` keeps the wire item, so that it can be sent back."""

    type: Literal["server_tool_call"] = "server_tool_call"
    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    status: str | None = None
    provider_data: dict[str, Any] = Field(default_factory=dict)


class ToolResultPart(_Part):
    """The result of a tool call, sent back to the model."""

    type: Literal["tool_result"] = "tool_result"
    tool_call_id: str
    content: list[TextPart | ImagePart] = Field(default_factory=list)
    is_error: bool = False
    name: str | None = None
    cache_control: CacheControl | None = None

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.content if isinstance(p, TextPart))


Part = Annotated[
    TextPart
    | ImagePart
    | AudioPart
    | VideoPart
    | FilePart
    | ThinkingPart
    | ToolCallPart
    | ServerToolCallPart
    | ToolResultPart,
    Field(discriminator="type"),
]


def foreign_parts(parts: list[Part]) -> list[Part]:
    """An assistant turn's parts as another protocol may receive them. A Claude signature,
    a Gemini thought signature or a Responses item id and encrypted payload is rejected by
    any other vendor (400 "Invalid signature"), so reasoning keeps its text only (a
    signature-only or redacted fragment has nothing left and is dropped). A provider-run
    tool call (web search) is the issuer's own record, which no other protocol can hold;
    what it found stays in the text and its citations."""
    kept: list[Part] = []
    for part in parts:
        if isinstance(part, ThinkingPart):
            if part.text:
                kept.append(ThinkingPart(text=part.text))
        elif not isinstance(part, ServerToolCallPart):
            kept.append(part)
    return kept


Role = Literal["system", "user", "assistant", "tool"]


class Message(BaseModel):
    """One turn. A ``tool`` message carries one or more ``ToolResultPart``s."""

    role: Role
    parts: list[Part] = Field(default_factory=list)
    name: str | None = None
    provider_data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, role: Role, text: str) -> "Message":
        return cls(role=role, parts=[TextPart(text=text)])

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))


class Tool(BaseModel):
    """A function the model may call; ``parameters`` is a JSON schema object."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    strict: bool | None = None
    cache_control: CacheControl | None = None


class NamedToolChoice(BaseModel):
    name: str


class AllowedTools(BaseModel):
    """Only the tools in ``names`` may be called, while every bound tool stays in the request
    (the tool list, and so the cached prompt prefix, does not change). ``mode`` ``auto``: call
    one of them or answer; ``required``: call one of them."""

    mode: Literal["auto", "required"] = "auto"
    names: list[str] = Field(min_length=1)

    @classmethod
    def from_openai(cls, choice: dict[str, Any]) -> "AllowedTools":
        """An ``allowed_tools`` tool-choice dict as the Responses API spells it
        (``{"type": "allowed_tools", "mode", "tools": [{"type": "function", "name"}]}``) or as
        chat completions spell it (``{"type": "allowed_tools", "allowed_tools": {"mode",
        "tools": [{"type": "function", "function": {"name"}}]}}``); a built-in tool entry
        (``{"type": "web_search_preview"}``) is named by its type."""
        from .errors import ConfigurationError

        inner = choice.get("allowed_tools", choice)
        entries = inner.get("tools") if isinstance(inner, dict) else None
        mode = inner.get("mode", "auto") if isinstance(inner, dict) else None
        if mode not in ("auto", "required") or not isinstance(entries, list) or not entries:
            raise ConfigurationError(
                f"allowed_tools tool_choice needs mode 'auto' or 'required' and a non-empty "
                f"tools list, got {choice!r}"
            )
        return cls(mode=mode, names=[_allowed_name(entry, choice) for entry in entries])


def _allowed_name(entry: Any, choice: dict[str, Any]) -> str:
    from .errors import ConfigurationError

    if isinstance(entry, dict):
        function = entry.get("function")
        name = function.get("name") if isinstance(function, dict) else entry.get("name")
        if entry.get("type") not in (None, "function") and name is None:
            name = entry.get("type")  # a built-in tool, named by its type
        if isinstance(name, str) and name:
            return name
    raise ConfigurationError(f"allowed_tools entry {entry!r} of {choice!r} names no tool")


ToolChoice: TypeAlias = Literal["auto", "none", "required"] | NamedToolChoice | AllowedTools


class JsonSchemaFormat(BaseModel):
    type: Literal["json_schema"] = "json_schema"
    name: str
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool | None = None
    description: str | None = None
    native: bool = False
    """Anthropic protocol: send it as ``output_config.format`` (structured outputs) rather
    than as a forced tool; a relay that refuses the field gets the tool form (remembered per
    model). Other protocols always send their native form."""

    model_config = ConfigDict(populate_by_name=True)


class JsonObjectFormat(BaseModel):
    type: Literal["json_object"] = "json_object"


ResponseFormat: TypeAlias = JsonSchemaFormat | JsonObjectFormat


class ThinkingConfig(BaseModel):
    """Extended thinking (Anthropic): enabled with a token budget."""

    budget_tokens: int = 1024


class ChatRequest(BaseModel):
    """A protocol-neutral chat request."""

    model: str
    messages: list[Message]
    tools: list[Tool] = Field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormat | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = Field(default_factory=list)
    seed: int | None = None
    reasoning_effort: str | None = None
    thinking: ThinkingConfig | None = None
    reasoning_summary: str | None = None
    """Reasoning summaries (``auto``, ``concise``, ``detailed``); OpenAI Responses only."""
    metadata: dict[str, Any] | None = None
    server_tools: list[dict[str, Any]] = Field(default_factory=list)
    """Provider built-in tools sent as given (``{"type": "web_search_preview"}``)."""
    store: bool | None = None
    include: list[str] = Field(default_factory=list)
    previous_response_id: str | None = None
    """Continue a stored conversation (OpenAI Responses): send only the new messages."""
    stream_usage: bool = True
    extra_body: dict[str, Any] = Field(default_factory=dict)
    extra_headers: dict[str, str] = Field(default_factory=dict)


FinishReason: TypeAlias = Literal[
    "stop", "length", "tool_calls", "content_filter", "refusal", "pause", "other"
]


class Usage(BaseModel):
    """Token counts. ``input_tokens`` counts every prompt token, cached ones included;
    the cache and reasoning figures are details of the totals, not additions to them."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    reasoning_tokens: int = 0
    audio_input_tokens: int = 0
    audio_output_tokens: int = 0
    raw: dict[str, Any] = Field(default_factory=dict)


class ChatResponse(BaseModel):
    """A finished (or, inside ``StreamError.partial``, an interrupted) assistant turn."""

    id: str | None = None
    model: str | None = None
    protocol: str = "openai"
    parts: list[Part] = Field(default_factory=list)
    finish_reason: FinishReason | None = None
    stop_reason_raw: str | None = None
    usage: Usage | None = None
    refusal: str | None = None
    raw: dict[str, Any] = Field(default_factory=dict)
    cost: Cost | None = None
    """What the call cost in the relay's prices, when costs are tracked (``wenwen.billing``)."""
    client_stop: str | None = None
    """The stop sequence this client cut the text at, when the server did not stop there
    (the wire has no stop sequences, or the relay dropped them; see ``wenwen.stop``)."""

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts if isinstance(p, TextPart))

    @property
    def tool_calls(self) -> list[ToolCallPart]:
        return [p for p in self.parts if isinstance(p, ToolCallPart)]

    @property
    def thinking(self) -> list[ThinkingPart]:
        return [p for p in self.parts if isinstance(p, ThinkingPart)]

    def message(self) -> "Message":
        """This reply as an assistant message, ready to be sent back in a history."""
        return Message(role="assistant", parts=list(self.parts))


# --- stream events -----------------------------------------------------------------------
# Every delta names the vendor's part it belongs to (``key``), so the accumulator can keep
# parts in order whatever the protocol interleaves.


class _Deferred(BaseModel):
    """Models a plain chat call never builds (stream events, embeddings, the model list):
    pydantic builds their validators on first use instead of at import."""

    model_config = ConfigDict(defer_build=True)


class ResponseStarted(_Deferred):
    kind: Literal["start"] = "start"
    id: str | None = None
    model: str | None = None


class TextDelta(_Deferred):
    kind: Literal["text"] = "text"
    key: str = "text"
    text: str


class ThinkingDelta(_Deferred):
    kind: Literal["thinking"] = "thinking"
    key: str = "thinking"
    text: str = ""
    signature: str | None = None
    redacted: str | None = None
    provider_data: dict[str, Any] = Field(default_factory=dict)


class CitationDelta(_Deferred):
    """A citation for the text part ``key`` (arrives after the text it cites)."""

    kind: Literal["citation"] = "citation"
    key: str
    citation: Citation


class ToolCallDelta(_Deferred):
    """A fragment of a tool call. ``index`` is the call's position among the tool calls of
    the reply; ``id`` and ``name`` may repeat on later fragments and are then ignored."""

    kind: Literal["tool_call"] = "tool_call"
    key: str
    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""
    provider_data: dict[str, Any] = Field(default_factory=dict)


class RefusalDelta(_Deferred):
    """A piece of the model's refusal message (kept apart from the answer's text)."""

    kind: Literal["refusal"] = "refusal"
    text: str


class MediaDelta(_Deferred):
    """A complete non-text output part (image, audio or video) received in a stream."""

    kind: Literal["media"] = "media"
    key: str
    part: ImagePart | AudioPart | VideoPart


class ServerToolCallDelta(_Deferred):
    """A provider-run tool call, complete; a later delta with the same key replaces it."""

    kind: Literal["server_tool_call"] = "server_tool_call"
    key: str
    part: ServerToolCallPart


class UsageReport(_Deferred):
    """Usage so far. Reports are cumulative: a later report replaces an earlier one."""

    kind: Literal["usage"] = "usage"
    usage: Usage


class Finished(_Deferred):
    kind: Literal["finish"] = "finish"
    reason: FinishReason | None
    raw_reason: str | None = None
    raw: dict[str, Any] | None = None
    """The protocol's final object when its stream ends with one (OpenAI Responses), kept
    as the reply's ``raw``."""
    client_stop: str | None = None
    """The stop sequence the client cut the stream's text at (see ``wenwen.stop``)."""


StreamEvent: TypeAlias = (
    ResponseStarted
    | TextDelta
    | ThinkingDelta
    | CitationDelta
    | ToolCallDelta
    | RefusalDelta
    | MediaDelta
    | ServerToolCallDelta
    | UsageReport
    | Finished
)


class EmbeddingResult(_Deferred):
    vectors: list[list[float]]
    model: str
    usage: Usage = Field(default_factory=Usage)
    cost: Cost | None = None


class ModelInfo(_Deferred):
    id: str
    owned_by: str | None = None
    created: int | None = None
    raw: dict[str, Any] = Field(default_factory=dict)


__all__ = [
    "AllowedTools",
    "AudioPart",
    "CacheControl",
    "ChatRequest",
    "ChatResponse",
    "Citation",
    "CitationDelta",
    "EmbeddingResult",
    "FilePart",
    "FinishReason",
    "Finished",
    "ImagePart",
    "JsonObjectFormat",
    "JsonSchemaFormat",
    "MediaDelta",
    "Message",
    "ModelInfo",
    "NamedToolChoice",
    "Part",
    "RefusalDelta",
    "ResponseFormat",
    "ResponseStarted",
    "Role",
    "ServerToolCallDelta",
    "ServerToolCallPart",
    "StreamEvent",
    "TextDelta",
    "TextPart",
    "ThinkingConfig",
    "ThinkingDelta",
    "ThinkingPart",
    "Tool",
    "ToolCallDelta",
    "ToolCallPart",
    "ToolChoice",
    "ToolResultPart",
    "Usage",
    "UsageReport",
    "VideoPart",
]
