"""Structured output through the protocol's native JSON-schema mode.

``Wenwen`` sends ``ChatRequest.response_format = JsonSchemaFormat(..., native=True)``; the
OpenAI protocol sends it as ``response_format``, the Anthropic protocol as
``output_config.format`` (structured outputs; a relay that refuses the field gets a forced
tool instead, whose JSON comes back as text too), so this module only needs the reply's text.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from llama_index.core.base.llms.types import ChatResponse
from llama_index.core.program.streaming_utils import process_streaming_content_incremental
from pydantic import BaseModel, ValidationError

from wenwen.errors import ConfigurationError, ProtocolError
from wenwen.types import JsonObjectFormat, JsonSchemaFormat, ResponseFormat

M = TypeVar("M", bound=BaseModel)

_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)


def schema_format(output_cls: type[BaseModel], strict: bool | None = None) -> JsonSchemaFormat:
    """The JSON-schema format for a pydantic class (names such as ``Model[int]`` are made
    safe: providers accept only ``[a-zA-Z0-9_-]``, at most 64 characters)."""
    name = _NAME_UNSAFE.sub("_", output_cls.__name__)[:64] or "output"
    description = (output_cls.__doc__ or "").strip() or None
    return JsonSchemaFormat(
        name=name,
        schema=output_cls.model_json_schema(),
        strict=strict,
        description=description,
        native=True,
    )


def to_response_format(value: Any) -> ResponseFormat | None:
    """Accept our formats, a pydantic class, or an OpenAI-shaped ``response_format`` dict."""
    if value is None or isinstance(value, JsonSchemaFormat | JsonObjectFormat):
        return value
    if isinstance(value, type) and issubclass(value, BaseModel):
        return schema_format(value)
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "json_object":
            return JsonObjectFormat()
        inner = value.get("json_schema")
        if kind == "json_schema" and isinstance(inner, dict) and "schema" in inner:
            return JsonSchemaFormat(
                name=str(inner.get("name") or "output"),
                schema=inner["schema"],
                strict=inner.get("strict"),
                description=inner.get("description"),
                native=True,
            )
        if kind == "json_schema" and "schema" in value:
            return JsonSchemaFormat.model_validate(value)
    raise ConfigurationError(
        "response_format must be a pydantic class, JsonSchemaFormat, JsonObjectFormat or an "
        f"OpenAI-style dict, not {value!r}"
    )


def reply_json_text(response: ChatResponse) -> str:
    text = (response.message.content or "").strip()
    fenced = _FENCE.match(text)
    return fenced.group(1).strip() if fenced else text


def parse_structured(output_cls: type[M], response: ChatResponse) -> M:
    text = reply_json_text(response)
    try:
        return output_cls.model_validate_json(text)
    except ValidationError as exc:
        refusal = response.message.additional_kwargs.get("refusal")
        reason = f"the model refused: {refusal}" if refusal else f"{exc}"
        raise ProtocolError(
            f"the reply is not a valid {output_cls.__name__} ({reason}); reply text: {text[:300]!r}"
        ) from exc


def partial_object(chunk: ChatResponse, output_cls: type[BaseModel], current: Any) -> Any:
    """The best object so far while JSON streams in. LlamaIndex's parser answers an empty
    object when a fragment ends mid-token; keep the previous, fuller one instead."""
    parsed = process_streaming_content_incremental(chunk, output_cls, current)
    if current is not None and not parsed.model_fields_set and current.model_fields_set:
        return current
    return parsed
