"""The Gemini wire shapes, declared once.

What we send is spelled as ``TypedDict``s (checked by mypy, free at run time); what we
receive is read by small typed readers that look a field up and check its type where it is
used, so the stream hot path never validates a whole chunk. Field names are the JSON
(camelCase) names of ``google.ai.generativelanguage.v1beta``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from ...errors import ProtocolError

# --- what we send ------------------------------------------------------------------------


class Blob(TypedDict):
    mimeType: str
    data: str


class FileData(TypedDict, total=False):
    mimeType: str
    fileUri: str


class FunctionCall(TypedDict, total=False):
    name: str
    args: dict[str, Any]


class FunctionResponse(TypedDict):
    name: str
    response: dict[str, Any]


class PartDict(TypedDict, total=False):
    text: str
    thought: bool
    thoughtSignature: str
    inlineData: Blob
    fileData: FileData
    functionCall: FunctionCall
    functionResponse: FunctionResponse


Role = Literal["user", "model"]


class ContentDict(TypedDict, total=False):
    role: Role
    parts: list[PartDict]


class FunctionDeclaration(TypedDict, total=False):
    name: str
    description: str
    parameters: dict[str, Any]


class ToolDict(TypedDict):
    functionDeclarations: list[FunctionDeclaration]


class FunctionCallingConfig(TypedDict, total=False):
    mode: Literal["AUTO", "ANY", "NONE", "VALIDATED"]
    allowedFunctionNames: list[str]


class ToolConfig(TypedDict):
    functionCallingConfig: FunctionCallingConfig


class ThinkingConfigDict(TypedDict, total=False):
    thinkingBudget: int
    includeThoughts: bool


class GenerationConfig(TypedDict, total=False):
    temperature: float
    topP: float
    topK: int
    maxOutputTokens: int
    stopSequences: list[str]
    seed: int
    candidateCount: int
    responseMimeType: str
    responseJsonSchema: dict[str, Any]
    responseSchema: dict[str, Any]
    responseModalities: list[str]
    thinkingConfig: ThinkingConfigDict


class GenerateContentBody(TypedDict, total=False):
    contents: list[ContentDict]
    systemInstruction: ContentDict
    tools: list[ToolDict]
    toolConfig: ToolConfig
    generationConfig: GenerationConfig
    safetySettings: list[dict[str, Any]]


# --- what we receive ---------------------------------------------------------------------


def obj(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` as a JSON object, or ``ProtocolError`` naming ``where``."""
    if not isinstance(value, Mapping):
        raise ProtocolError(f"Gemini {where} is a JSON {type(value).__name__}, not an object")
    return value


def opt_obj(parent: Mapping[str, Any], field: str, where: str) -> Mapping[str, Any] | None:
    value = parent.get(field)
    return None if value is None else obj(value, f"{where}.{field}")


def opt_list(parent: Mapping[str, Any], field: str, where: str) -> list[Any]:
    value = parent.get(field)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"Gemini {where}.{field} is {type(value).__name__}, not a list")
    return value


def opt_str(parent: Mapping[str, Any], field: str, where: str) -> str | None:
    value = parent.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProtocolError(f"Gemini {where}.{field} is {type(value).__name__}, not text")
    return value


def count(parent: Mapping[str, Any], field: str) -> int:
    value = parent.get(field)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"Gemini usage field {field!r} is {value!r}, not a number")
    return int(value)


def first_candidate(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``candidates[0]`` of a reply or chunk (we always ask for one candidate)."""
    candidates = opt_list(body, "candidates", "reply")
    return obj(candidates[0], "candidates[0]") if candidates else None


def candidate_parts(candidate: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    content = opt_obj(candidate, "content", "candidates[0]")
    if content is None:
        return []
    raw = opt_list(content, "parts", "candidates[0].content")
    return [obj(p, f"candidates[0].content.parts[{i}]") for i, p in enumerate(raw)]


def inline_data(part: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """A part's ``inlineData`` (the relay may pass Google's snake_case spelling through)."""
    value = part.get("inlineData", part.get("inline_data"))
    return None if value is None else obj(value, "part.inlineData")


def mime_type(blob: Mapping[str, Any]) -> str | None:
    value = blob.get("mimeType", blob.get("mime_type"))
    if value is not None and not isinstance(value, str):
        # a wrong-typed type would turn an image into an anonymous file: refuse it
        raise ProtocolError(f"Gemini part mimeType is {type(value).__name__}, not text")
    return value
