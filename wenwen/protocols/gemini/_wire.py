"""The Gemini wire shapes, declared once.

What we send is spelled as ``TypedDict``s (checked by mypy, free at run time); what we
receive is read through ``wenwen.protocols._read``, looking a field up and checking its type
where it is used, so the stream hot path never validates a whole chunk. Field names are the JSON
(camelCase) names of ``google.ai.generativelanguage.v1beta``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from .._read import count as read_count
from .._read import items, optional_string, required_mapping, string

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
# Shorthands over ``wenwen.protocols._read`` (missing or null reads as empty, another type
# raises ProtocolError naming the field) for a field of a parent object.


def obj(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` as a JSON object, or ``ProtocolError`` naming ``where``."""
    return required_mapping(value, where)


def opt_obj(parent: Mapping[str, Any], field: str, where: str) -> Mapping[str, Any] | None:
    value = parent.get(field)
    return None if value is None else required_mapping(value, f"{where}.{field}")


def opt_list(parent: Mapping[str, Any], field: str, where: str) -> list[Any]:
    value = parent.get(field)
    return [] if value is None else items(value, f"{where}.{field}")


def opt_str(parent: Mapping[str, Any], field: str, where: str) -> str | None:
    value = parent.get(field)
    return value if value is None or type(value) is str else string(value, f"{where}.{field}")


def count(parent: Mapping[str, Any], field: str) -> int:
    return read_count(parent.get(field), f"usageMetadata.{field}")


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
    # a wrong-typed type would turn an image into an anonymous file: refuse it
    return optional_string(blob.get("mimeType", blob.get("mime_type")), "part.inlineData.mimeType")
