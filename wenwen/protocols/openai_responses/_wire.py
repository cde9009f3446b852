"""Wire shapes of the Responses API, declared once.

What we send is typed with ``TypedDict``s (checked by mypy, free at run time); what we
receive is read with the small readers below, which tolerate missing or ``null`` fields
(relays omit them) and reject values of another type, without validating whole objects on
the stream's hot path.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

from ...errors import ProtocolError
from ...types import Citation


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


# --- readers --------------------------------------------------------------------------------
# Missing or ``null`` reads as empty (relays omit fields); a value of another JSON type is a
# malformed reply and raises ``ProtocolError`` naming the field — never a silent "".


def _wrong(value: Any, expected: str, where: str) -> ProtocolError:
    return ProtocolError(
        f"Responses {where} is {type(value).__name__} {value!r:.80}, not {expected}"
    )


def as_dict(value: Any, where: str = "field") -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _wrong(value, "an object", where)
    return value


def as_list(value: Any, where: str = "field") -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _wrong(value, "a list", where)
    return value


def as_str(value: Any, where: str = "field") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _wrong(value, "text", where)
    return value


def as_int(value: Any, where: str = "field") -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(value, "an integer", where)
    return value


def optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def summary_text(item: dict[str, Any]) -> str:
    """A reasoning item's summary parts, joined by blank lines (the stream decoder inserts
    the same separator when a new summary part starts)."""
    summary = as_list(item.get("summary"), "reasoning.summary")
    texts = [as_str(as_dict(s, "summary part").get("text"), "summary_text.text") for s in summary]
    return SUMMARY_SEPARATOR.join(texts)


SUMMARY_SEPARATOR = "\n\n"


def citation(annotation: Any) -> Citation | None:
    """A ``url_citation`` annotation as a neutral citation; other kinds give ``None``."""
    annotation = as_dict(annotation, "annotation")
    if as_str(annotation.get("type"), "annotation.type") != "url_citation":
        return None
    url = as_str(annotation.get("url"), "url_citation.url")
    if not url:
        return None
    title = annotation.get("title")
    return Citation(
        url=url,
        title=title if isinstance(title, str) else None,
        start_index=optional_int(annotation.get("start_index")),
        end_index=optional_int(annotation.get("end_index")),
    )
