"""Wire shapes of the Responses API, declared once.

What we send is typed with ``TypedDict``s (checked by mypy, free at run time); what we
receive is read with the readers of ``wenwen.protocols._read``, which tolerate missing or
``null`` fields (relays omit them) and reject values of another type, without validating
whole objects on the stream's hot path.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from ...types import Citation
from .._read import items, mapping, optional_count, optional_string, string


class InputText(TypedDict):
    type: Literal["input_text"]
    text: str


class InputImage(TypedDict):
    type: Literal["input_image"]
    image_url: str
    detail: str


class InputFile(TypedDict, total=False):
    type: Literal["input_file"]
    file_id: str
    file_data: str
    file_url: str
    filename: str


InputContent = InputText | InputImage | InputFile


class MessageItem(TypedDict):
    type: NotRequired[Literal["message"]]
    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[InputContent]


class SummaryText(TypedDict):
    type: Literal["summary_text"]
    text: str


class ReasoningItem(TypedDict):
    type: Literal["reasoning"]
    id: str
    summary: list[SummaryText]
    encrypted_content: NotRequired[str]


class FunctionCallItem(TypedDict):
    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: NotRequired[str]


class FunctionCallOutputItem(TypedDict):
    type: Literal["function_call_output"]
    call_id: str
    output: str | list[InputText | InputImage]


InputItem = MessageItem | ReasoningItem | FunctionCallItem | FunctionCallOutputItem | dict[str, Any]


class FunctionTool(TypedDict):
    type: Literal["function"]
    name: str
    parameters: dict[str, Any]
    strict: bool
    description: NotRequired[str]


class TextFormat(TypedDict, total=False):
    type: Literal["json_schema", "json_object", "text"]
    name: str
    schema: dict[str, Any]
    strict: bool
    description: str


class ReasoningConfig(TypedDict, total=False):
    effort: str
    summary: str


class CreateResponse(TypedDict, total=False):
    model: str
    input: list[InputItem]
    tools: list[FunctionTool | dict[str, Any]]
    tool_choice: str | dict[str, Any]
    parallel_tool_calls: bool
    text: dict[str, TextFormat]
    reasoning: ReasoningConfig
    include: list[str]
    store: bool
    previous_response_id: str
    max_output_tokens: int
    temperature: float
    top_p: float
    metadata: dict[str, Any]
    stream: bool


# --- readers: wenwen.protocols._read (missing or null reads as empty, another type raises
# ProtocolError naming the field) -------------------------------------------------------------


def summary_text(item: dict[str, Any]) -> str:
    """A reasoning item's summary parts, joined by blank lines (the stream decoder inserts
    the same separator when a new summary part starts)."""
    summary = items(item.get("summary"), "reasoning.summary")
    texts = [string(mapping(s, "summary part").get("text"), "summary_text.text") for s in summary]
    return SUMMARY_SEPARATOR.join(texts)


SUMMARY_SEPARATOR = "\n\n"


def citation(annotation: Any) -> Citation | None:
    """A ``url_citation`` annotation as a neutral citation; other kinds give ``None``."""
    annotation = mapping(annotation, "annotation")
    if string(annotation.get("type"), "annotation.type") != "url_citation":
        return None
    url = string(annotation.get("url"), "url_citation.url")
    if not url:
        return None
    return Citation(
        url=url,
        title=optional_string(annotation.get("title"), "url_citation.title"),
        start_index=optional_count(annotation.get("start_index"), "url_citation.start_index"),
        end_index=optional_count(annotation.get("end_index"), "url_citation.end_index"),
    )
