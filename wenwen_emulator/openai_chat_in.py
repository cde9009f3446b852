"""OpenAI chat request → neutral :class:`~.mock_model.Prompt` (with relay-style validation)."""

from __future__ import annotations

from typing import Any

from . import models
from .context import Ctx
from .mock_model import Prompt, ToolSpec, Turn, schema_fill

ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})


def _content(ctx: Ctx, content: Any, where: str) -> tuple[str, int, int]:
    """``(text, images, attachments)`` of a message content (string or list of parts)."""
    if content is None:
        return "", 0, 0
    if isinstance(content, str):
        return content, 0, 0
    if not isinstance(content, list):
        raise ctx.bad(f"Invalid type for '{where}.content': expected a string or an array")
    texts, images, attachments = [], 0, 0
    for i, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind in ("text", "input_text", "refusal", "output_text"):
            texts.append(str(part.get("text", part.get("refusal", ""))))
        elif kind in ("image_url", "input_image", "image"):
            images += 1
        elif kind in ("input_audio", "file", "input_file", "audio"):
            attachments += 1
        elif kind == "tool_use":
            continue
        else:
            raise ctx.bad(f"Invalid content part type {kind!r} at '{where}.content[{i}]'")
    return "\n".join(texts), images, attachments


def _check_reasoning_replay(ctx: Ctx, model: str, messages: list[dict[str, Any]]) -> None:
    if not models.requires_reasoning_replay(model):
        return
    for i, msg in enumerate(messages):
        replayed = msg.get("reasoning_content") or msg.get("reasoning")
        if msg.get("role") == "assistant" and msg.get("tool_calls") and not replayed:
            raise ctx.bad(
                f"Missing `reasoning_content` field in the assistant message at message "
                f"index {i}. For more information, please refer to "
                f"https://api-docs.deepseek.com/guides/thinking_mode#tool-calls",
                code="invalid_request_error",
            )


def turns_from_messages(ctx: Ctx, messages: Any) -> list[Turn]:
    if not isinstance(messages, list) or not messages:
        raise ctx.bad("'messages' must be a non-empty array", code="invalid_value")
    turns: list[Turn] = []
    call_names: dict[str, str] = {}
    for i, msg in enumerate(messages):
        if not isinstance(msg, dict) or msg.get("role") not in ROLES:
            raise ctx.bad(f"Invalid value for 'messages[{i}].role'", code="invalid_value")
        role = msg["role"]
        text, images, attachments = _content(ctx, msg.get("content"), f"messages[{i}]")
        if role in ("system", "developer"):
            turns.append(Turn("system", text))
        elif role == "user" and carries_tool_images(turns, text, images, attachments):
            # chat completions allow only text in tool messages, so images a tool returned
            # follow the tool messages in a user message of their own: they are results
            turns[-1].images += images
        elif role == "user":
            turns.append(Turn("user", text, images, attachments))
        elif role == "assistant":
            for call in msg.get("tool_calls") or []:
                if isinstance(call, dict):
                    fn = call.get("function") or {}
                    call_names[str(call.get("id"))] = str(fn.get("name", ""))
            turns.append(Turn("assistant", text))
        else:
            name = msg.get("name") or call_names.get(str(msg.get("tool_call_id")), "")
            if role == "tool" and "tool_call_id" not in msg:
                raise ctx.bad(f"Missing required parameter: 'messages[{i}].tool_call_id'")
            turns.append(Turn("tool", text, images, attachments, tool_name=str(name)))
    return turns


def carries_tool_images(turns: list[Turn], text: str, images: int, attachments: int) -> bool:
    """A user message holding only images, right after tool results."""
    return (
        bool(images) and not text and not attachments and bool(turns) and turns[-1].role == "tool"
    )


def _tools(ctx: Ctx, body: dict[str, Any]) -> list[ToolSpec]:
    raw = body.get("tools") or []
    if not isinstance(raw, list):
        raise ctx.bad("Invalid type for 'tools': expected an array")
    tools = []
    for i, tool in enumerate(raw):
        fn = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise ctx.bad(f"Missing required parameter: 'tools[{i}].function.name'")
        params = fn.get("parameters")
        problem = None if params is None else schema_fill.schema_problem(params, "parameters")
        if problem:
            raise ctx.bad(f"Invalid schema for function '{fn['name']}': {problem}")
        tools.append(
            ToolSpec(
                fn["name"],
                str(fn.get("description") or ""),
                params if isinstance(params, dict) else {},
            )
        )
    return tools


def _tool_choice(ctx: Ctx, value: Any, tools: list[ToolSpec]) -> tuple[str, list[str] | None]:
    """The choice and, for ``allowed_tools``, the only tools that may be called."""
    if value is None:
        return "auto", None
    if value in ("auto", "none", "required"):
        return str(value), None
    if isinstance(value, dict) and isinstance(value.get("function"), dict):
        name = value["function"].get("name")
        if not any(t.name == name for t in tools):
            raise ctx.bad(f"Invalid value for 'tool_choice': no function named {name!r}")
        return f"name:{name}", None
    if isinstance(value, dict) and value.get("type") == "allowed_tools":
        return _allowed_tools(ctx, value.get("allowed_tools"), tools)
    if isinstance(value, dict):
        return "auto", None
    raise ctx.bad("Invalid value for 'tool_choice'")


def _allowed_tools(ctx: Ctx, spec: Any, tools: list[ToolSpec]) -> tuple[str, list[str]]:
    entries = spec.get("tools") if isinstance(spec, dict) else None
    mode = spec.get("mode") if isinstance(spec, dict) else None
    if mode not in ("auto", "required") or not isinstance(entries, list):
        raise ctx.bad(
            "Invalid value for 'tool_choice.allowed_tools': expected 'mode' ('auto' or "
            "'required') and a 'tools' array"
        )
    names = []
    for entry in entries:
        function = entry.get("function") if isinstance(entry, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if not any(t.name == name for t in tools):
            raise ctx.bad(
                f"Invalid value for 'tool_choice.allowed_tools.tools': no function named {name!r}"
            )
        names.append(str(name))
    return str(mode), names


def stop_sequences(ctx: Ctx, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ctx.bad("Invalid type for 'stop'")


def build_prompt(ctx: Ctx, body: dict[str, Any], info: models.ModelInfo) -> Prompt:
    messages = body.get("messages")
    turns = turns_from_messages(ctx, messages)
    assert isinstance(messages, list)
    _check_reasoning_replay(ctx, info.id, messages)
    tools = _tools(ctx, body)
    choice, allowed = _tool_choice(ctx, body.get("tool_choice"), tools)
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ctx.bad("Invalid 'max_tokens': integer below minimum value 1")
    fmt = body.get("response_format") or {}
    schema: dict[str, Any] | None = None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        if not isinstance(spec, dict) or not spec.get("name"):
            raise ctx.bad("Missing required parameter: 'response_format.json_schema.name'")
        schema = spec.get("schema") if isinstance(spec.get("schema"), dict) else {}
        problem = schema_fill.schema_problem(schema, "schema")
        if problem:
            raise ctx.bad(f"Invalid schema for response_format '{spec['name']}': {problem}")
    return Prompt(
        turns=turns,
        tools=tools,
        tool_choice=choice,
        allowed_tools=allowed,
        parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        stop=stop_sequences(ctx, body.get("stop")),
        max_tokens=limit,
        reasoning=models.is_reasoning(info.id),
        json_schema=schema,
        json_object=isinstance(fmt, dict) and fmt.get("type") == "json_object",
        media=info.kind if info.kind in ("image", "video") else "",
    )
