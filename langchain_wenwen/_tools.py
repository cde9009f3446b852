"""Tools, tool choice and response formats: LangChain's many spellings → ``wenwen.types``.

Bound values stay JSON-friendly (OpenAI-style tool dicts, ``"required"`` or
``{"type": "function", "function": {"name": ...}}``) so that they read well in traces;
``to_wenwen_*`` turns them into the neutral types when a request is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ValidationError

from wenwen.errors import ConfigurationError, InvalidArgumentError, UnsupportedFeatureError
from wenwen.types import (
    AllowedTools,
    JsonObjectFormat,
    JsonSchemaFormat,
    NamedToolChoice,
    ResponseFormat,
    Tool,
    ToolChoice,
)
from wenwen.validation import invalid_input

_PLAIN_CHOICES = ("auto", "none", "required")


# --- tools -------------------------------------------------------------------------------


_SCHEMA_KEYS = ("input_schema", "parameters", "properties", "function")


def is_builtin_tool(tool: Any) -> bool:
    """A provider's server-side tool (``{"type": "web_search_20250305", ...}``), as opposed
    to a function tool or a JSON schema (whose ``type`` is ``object``)."""
    return (
        isinstance(tool, dict)
        and tool.get("type") not in (None, "function", "object")
        and not any(key in tool for key in _SCHEMA_KEYS)
    )


def format_tool(tool: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """An OpenAI-style tool dict for any tool LangChain accepts (``BaseTool``, function,
    pydantic model, TypedDict, JSON schema, OpenAI or Anthropic tool dict). An Anthropic
    ``cache_control`` marker is kept beside the function."""
    if is_builtin_tool(tool):
        raise UnsupportedFeatureError(
            f"tool of type {tool['type']!r} is a provider built-in tool; it can be sent over "
            "the OpenAI Responses protocol only (protocol='responses')"
        )
    if isinstance(tool, dict) and tool.get("type") == "function" and "function" in tool:
        formatted: dict[str, Any] = {"type": "function", "function": _function_dict(tool)}
        if strict is not None:
            formatted["function"]["strict"] = strict
    else:
        try:
            formatted = convert_to_openai_tool(tool, strict=strict)
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(f"cannot use {tool!r} as a tool: {exc}") from exc
    if isinstance(tool, dict) and tool.get("cache_control"):
        formatted["cache_control"] = tool["cache_control"]
    return formatted


def _function_dict(tool: dict[str, Any]) -> dict[str, Any]:
    """The ``function`` of an OpenAI-style tool dict, checked: a dict with a non-empty string
    ``name`` (and, when present, a string ``description`` and a dict ``parameters``)."""
    function = tool["function"]
    if not isinstance(function, dict):
        raise InvalidArgumentError(
            f"a tool's 'function' must be a dict, got {type(function).__name__}", argument="tools"
        )
    name = function.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError(
            f"a tool's function needs a non-empty string 'name', got {name!r}", argument="tools"
        )
    if not isinstance(function.get("description", ""), str | None):
        raise InvalidArgumentError(
            f"tool {name!r}: 'description' must be a string", argument="tools"
        )
    if not isinstance(function.get("parameters", {}), dict | None):
        raise InvalidArgumentError(f"tool {name!r}: 'parameters' must be a dict", argument="tools")
    return dict(function)


def to_wenwen_tool(tool: Any) -> Tool:
    formatted = format_tool(tool)
    function = formatted["function"]
    try:
        return Tool(
            name=function["name"],
            description=function.get("description") or "",
            parameters=function.get("parameters") or {"type": "object", "properties": {}},
            strict=function.get("strict"),
            cache_control=formatted.get("cache_control"),
        )
    except ValidationError as exc:
        raise invalid_input(f"tool {function.get('name')!r}", exc) from None


def normalize_tool_choice(choice: Any, tool_names: Sequence[str]) -> str | dict[str, Any] | None:
    """LangChain's tool_choice spellings → ``"auto" | "none" | "required"`` or a named
    function. ``"any"`` and ``True`` mean *required*; ``None``/``False`` mean *not set*; any
    other string names a tool; OpenAI (``{"type": "function", ...}``, ``{"type":
    "allowed_tools", ...}`` in its Responses and chat-completions spellings) and Anthropic
    (``{"type": "tool" | "any" | "auto" | "none", ...}``) dicts are understood."""
    if choice is None or choice is False:
        return None
    if choice is True or choice == "any":
        return "required"
    name: Any
    if isinstance(choice, str):
        if choice in _PLAIN_CHOICES:
            return choice
        name = choice
    elif isinstance(choice, dict):
        kind = choice.get("type")
        if kind == "allowed_tools":
            return _allowed_tools(choice, tool_names)
        if kind == "any":
            return "required"
        if kind in _PLAIN_CHOICES:
            return str(kind)
        if kind == "function":
            name = (choice.get("function") or {}).get("name")
        elif kind == "tool":
            name = choice.get("name")
        elif kind in tool_names:  # a built-in tool by its type, e.g. web_search_preview
            name = kind
        else:
            raise ConfigurationError(f"unrecognised tool_choice {choice!r}")
    else:
        raise ConfigurationError(f"tool_choice must be a string, bool or dict, got {choice!r}")
    if not isinstance(name, str) or not name:
        raise ConfigurationError(f"tool_choice {choice!r} does not name a tool")
    if tool_names and name not in tool_names:
        raise ConfigurationError(
            f"tool_choice names {name!r}, which is not among the bound tools "
            f"({', '.join(tool_names)})"
        )
    return {"type": "function", "function": {"name": name}}


def _allowed_tools(choice: dict[str, Any], tool_names: Sequence[str]) -> dict[str, Any]:
    """Either OpenAI spelling of ``allowed_tools`` → the Responses spelling, checked against
    the bound tools."""
    allowed = AllowedTools.from_openai(choice)
    unknown = [name for name in allowed.names if tool_names and name not in tool_names]
    if unknown:
        raise ConfigurationError(
            f"allowed_tools names {', '.join(map(repr, unknown))}, not among the bound tools "
            f"({', '.join(tool_names)})"
        )
    tools = [{"type": "function", "name": name} for name in allowed.names]
    return {"type": "allowed_tools", "mode": allowed.mode, "tools": tools}


def to_wenwen_tool_choice(choice: Any, tool_names: Sequence[str]) -> ToolChoice | None:
    normalized = normalize_tool_choice(choice, tool_names)
    if isinstance(normalized, dict) and normalized["type"] == "allowed_tools":
        return AllowedTools.from_openai(normalized)
    if isinstance(normalized, dict):
        return NamedToolChoice(name=normalized["function"]["name"])
    return normalized  # type: ignore[return-value]


def disables_parallel_calls(choice: Any) -> bool | None:
    """Anthropic's ``disable_parallel_tool_use`` flag, read from a tool_choice dict."""
    if isinstance(choice, dict) and "disable_parallel_tool_use" in choice:
        return bool(choice["disable_parallel_tool_use"])
    return None


# --- response formats --------------------------------------------------------------------


def schema_function(schema: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """``{name, description?, parameters, strict?}`` for a pydantic model, TypedDict or JSON
    schema; a JSON schema without a title is named ``response``."""
    untitled = isinstance(schema, dict) and "title" not in schema and "name" not in schema
    # a JSON schema whose root is not an object (an array, say) is used as it is
    non_object = isinstance(schema, dict) and schema.get("type") not in (None, "object")
    if untitled or non_object:
        name = schema.get("title") if non_object else None
        function: dict[str, Any] = {"name": name or "response", "parameters": schema}
        if schema.get("description"):
            function["description"] = schema["description"]
        if strict is not None:
            function["strict"] = strict
        return function
    try:
        return convert_to_openai_function(schema, strict=strict)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"cannot use {schema!r} as an output schema: {exc}") from exc


def json_schema_response_format(schema: Any, strict: bool | None) -> dict[str, Any]:
    function = schema_function(schema, strict=strict)
    spec: dict[str, Any] = {"name": function["name"], "schema": function["parameters"]}
    if function.get("description"):
        spec["description"] = function["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def to_wenwen_response_format(value: Any) -> ResponseFormat | None:
    """An OpenAI ``response_format`` dict (or a schema) → the neutral format."""
    if value is None or isinstance(value, JsonSchemaFormat | JsonObjectFormat):
        return value
    if isinstance(value, dict) and value.get("type") == "json_object":
        return JsonObjectFormat()
    if not (isinstance(value, dict) and value.get("type") == "json_schema"):
        value = json_schema_response_format(value, None)
    spec = value.get("json_schema")
    if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
        raise ConfigurationError(f"response_format {value!r} has no json_schema.schema object")
    return JsonSchemaFormat(
        name=spec.get("name") or "response",
        schema=spec["schema"],
        strict=spec.get("strict"),
        description=spec.get("description"),
        native=True,  # Claude: output_config.format, the tool form only as the fallback
    )


# --- structured output -------------------------------------------------------------------


def is_pydantic_class(schema: Any) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def content_parser(schema: Any) -> Runnable:
    """Parse JSON reply text into the schema (a pydantic instance or a dict); streams only
    complete, valid objects."""
    # the parsers load with structured output, not with every chat model
    from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser

    if is_pydantic_class(schema):
        return PydanticOutputParser(pydantic_object=schema)
    return JsonOutputParser()


def tool_call_parser(schema: Any, tool_name: str) -> Runnable:
    from langchain_core.output_parsers import JsonOutputKeyToolsParser, PydanticToolsParser

    if is_pydantic_class(schema):
        return PydanticToolsParser(tools=[schema], first_tool_only=True)
    return JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)


def with_raw(llm: Runnable, parser: Runnable) -> Runnable:
    """``{"raw", "parsed", "parsing_error"}`` outputs (``include_raw=True``)."""
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse.with_fallbacks([no_parse], exception_key="parsing_error")
