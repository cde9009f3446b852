"""OpenAI Responses request → neutral :class:`~.mock_model.Prompt`, with the checks the
real API makes: item shapes, a known ``previous_response_id`` (stored turns are prepended),
and reasoning items whose ``encrypted_content`` must carry the emulator's HMAC signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from . import models
from .context import Ctx
from .errors import ErrorResponse, openai_error
from .mock_model import Prompt, ToolSpec, Turn
from .openai_chat_in import _content as message_content
from .openai_chat_in import carries_tool_images
from .tokens import count_tokens

WEB_SEARCH_TYPES = frozenset({"web_search_preview", "web_search", "web_search_preview_2025_03_11"})
_MESSAGE_ROLES = frozenset({"user", "assistant", "system", "developer"})


@dataclass
class ResponsesPrompt:
    prompt: Prompt
    items: list[dict[str, Any]]
    """The whole conversation as input items (stored turns first), for storage."""
    stored_tokens: int = 0
    """Prompt tokens that came from the stored conversation (reported as cached)."""
    web_search: dict[str, Any] | None = None
    force_search: bool = False
    tool_types: list[str] = field(default_factory=list)


# --- encrypted reasoning ------------------------------------------------------------------


def seal_reasoning(secret: bytes, text: str) -> str:
    """The opaque ``encrypted_content`` of a reasoning item: payload and HMAC signature."""
    payload = base64.urlsafe_b64encode(json.dumps({"reasoning": text}).encode()).decode()
    signature = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def reasoning_sealed_ok(secret: bytes, value: Any) -> bool:
    if not isinstance(value, str) or "." not in value:
        return False
    payload, _, signature = value.rpartition(".")
    expected = hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, expected)


# --- input items --------------------------------------------------------------------------


def _as_items(ctx: Ctx, value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    if not isinstance(value, list) or not value:
        raise ctx.bad("Invalid 'input': expected a string or a non-empty array", param="input")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ctx.bad(f"Invalid type for 'input[{i}]': expected an object", param="input")
    return list(value)


def _turns(ctx: Ctx, items: list[dict[str, Any]]) -> list[Turn]:
    turns: list[Turn] = []
    call_names: dict[str, str] = {}
    for i, item in enumerate(items):
        kind = item.get("type", "message")
        where = f"input[{i}]"
        if kind == "message":
            role = item.get("role")
            if role not in _MESSAGE_ROLES:
                raise ctx.bad(f"Invalid value for '{where}.role'", param=f"{where}.role")
            text, images, attachments = message_content(ctx, item.get("content"), where)
            role = "system" if role == "developer" else str(role)
            if role == "user" and carries_tool_images(turns, text, images, attachments):
                # the chat-completions layout, also accepted here: images a function
                # returned in a user message right after its output
                turns[-1].images += images
            else:
                turns.append(Turn(role, text, images, attachments))
        elif kind == "function_call":
            for key in ("call_id", "name", "arguments"):
                if not isinstance(item.get(key), str):
                    raise ctx.bad(f"Missing required parameter: '{where}.{key}'", param=where)
            call_names[item["call_id"]] = item["name"]
            turns.append(Turn("assistant", ""))
        elif kind == "function_call_output":
            call_id = item.get("call_id")
            if not isinstance(call_id, str):
                raise ctx.bad(f"Missing required parameter: '{where}.call_id'", param=where)
            if call_id not in call_names:
                raise ctx.bad(
                    f"No tool call found for function call output with call_id {call_id}.",
                    param=where,
                )
            turns.append(_output_turn(ctx, item.get("output"), call_names[call_id], where))
        elif kind == "reasoning":
            _check_reasoning(ctx, item, where)
        elif kind in ("web_search_call", "item_reference"):
            continue
        else:
            raise ctx.bad(f"Invalid value for '{where}.type': {kind!r}", param=f"{where}.type")
    return turns


def _output_turn(ctx: Ctx, output: Any, name: str, where: str) -> Turn:
    """A ``function_call_output``: a string, or content parts (text, images, files) that
    are all the function's result."""
    if isinstance(output, str):
        return Turn("tool", output, tool_name=name)
    if not isinstance(output, list):
        raise ctx.bad(f"Invalid type for '{where}.output': expected a string or an array")
    text, images, attachments = message_content(ctx, output, f"{where}.output")
    return Turn("tool", text, images, attachments, tool_name=name)


def _check_reasoning(ctx: Ctx, item: dict[str, Any], where: str) -> None:
    if not isinstance(item.get("id"), str) or not isinstance(item.get("summary"), list):
        raise ctx.bad(f"Missing required parameter: '{where}.id' / '{where}.summary'", param=where)
    sealed = item.get("encrypted_content")
    if sealed is not None and not reasoning_sealed_ok(ctx.state.secret, sealed):
        raise ctx.bad(
            f"The encrypted content for item {item['id']} could not be verified.",
            code="invalid_encrypted_content",
            param=f"{where}.encrypted_content",
        )


def _stored_items(ctx: Ctx, previous: Any) -> list[dict[str, Any]]:
    if previous is None:
        return []
    stored = ctx.state.responses.get(previous) if isinstance(previous, str) else None
    if stored is None:
        message = f"Previous response with id '{previous}' not found."
        response = openai_error(
            404,
            message,
            ctx.request_id,
            type="invalid_request_error",
            code="previous_response_not_found",
            param="previous_response_id",
        )
        raise ErrorResponse(response)
    return list(stored["items"])


# --- tools and options --------------------------------------------------------------------


def _tools(ctx: Ctx, raw: Any) -> tuple[list[ToolSpec], dict[str, Any] | None, list[str]]:
    if raw is None:
        return [], None, []
    if not isinstance(raw, list):
        raise ctx.bad("Invalid type for 'tools': expected an array", param="tools")
    tools: list[ToolSpec] = []
    search: dict[str, Any] | None = None
    kinds: list[str] = []
    for i, tool in enumerate(raw):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if not isinstance(kind, str):
            raise ctx.bad(f"Missing required parameter: 'tools[{i}].type'", param="tools")
        kinds.append(kind)
        if kind in WEB_SEARCH_TYPES:
            search = dict(tool)
        elif kind == "function":
            if not isinstance(tool.get("name"), str):
                raise ctx.bad(f"Missing required parameter: 'tools[{i}].name'", param="tools")
            params = tool.get("parameters")
            description = str(tool.get("description") or "")
            tools.append(
                ToolSpec(tool["name"], description, params if isinstance(params, dict) else {})
            )
    return tools, search, kinds


def _tool_choice(ctx: Ctx, value: Any, tools: list[ToolSpec], kinds: list[str]) -> str:
    if value is None or value in ("auto", "none", "required"):
        return str(value or "auto")
    if isinstance(value, dict) and value.get("type") == "function":
        name = value.get("name")
        if not any(t.name == name for t in tools):
            raise ctx.bad(
                f"Tool choice '{name}' not found in 'tools' parameter.", param="tool_choice"
            )
        return f"name:{name}"
    if isinstance(value, dict) and value.get("type") in kinds:
        return f"builtin:{value['type']}"
    if isinstance(value, dict) and value.get("type") == "allowed_tools":
        return _allowed_mode(ctx, value)
    raise ctx.bad("Invalid value for 'tool_choice'", param="tool_choice")


def _allowed_mode(ctx: Ctx, value: dict[str, Any]) -> str:
    if value.get("mode") not in ("auto", "required") or not isinstance(value.get("tools"), list):
        raise ctx.bad(
            "Invalid value for 'tool_choice': allowed_tools needs 'mode' ('auto' or "
            "'required') and a 'tools' array",
            param="tool_choice",
        )
    return str(value["mode"])


def _allowed_tools(
    ctx: Ctx, value: Any, tools: list[ToolSpec], kinds: list[str]
) -> tuple[list[str] | None, bool]:
    """For ``allowed_tools``: the functions that may be called, and whether a built-in web
    search is among the allowed tools."""
    if not isinstance(value, dict) or value.get("type") != "allowed_tools":
        return None, False
    names: list[str] = []
    search = False
    for entry in value["tools"]:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind == "function" and any(t.name == entry.get("name") for t in tools):
            names.append(str(entry["name"]))
        elif kind in kinds and kind != "function":
            search = search or kind in WEB_SEARCH_TYPES
        else:
            raise ctx.bad(
                f"Tool choice '{entry}' not found in 'tools' parameter.", param="tool_choice"
            )
    return names, search


def _text_format(ctx: Ctx, text: Any) -> tuple[dict[str, Any] | None, bool]:
    fmt = text.get("format") if isinstance(text, dict) else None
    if not isinstance(fmt, dict) or fmt.get("type") in (None, "text"):
        return None, False
    if fmt.get("type") == "json_object":
        return None, True
    if fmt.get("type") != "json_schema" or not fmt.get("name"):
        raise ctx.bad("Missing required parameter: 'text.format.name'", param="text.format")
    schema = fmt.get("schema")
    return (schema if isinstance(schema, dict) else {}), False


def build_prompt(ctx: Ctx, body: dict[str, Any], info: models.ModelInfo) -> ResponsesPrompt:
    stored = _stored_items(ctx, body.get("previous_response_id"))
    new_items = _as_items(ctx, body.get("input"))
    items = stored + new_items
    instructions = body.get("instructions")
    turns = [Turn("system", instructions)] if isinstance(instructions, str) and instructions else []
    turns += _turns(ctx, items)
    tools, search, kinds = _tools(ctx, body.get("tools"))
    limit = body.get("max_output_tokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 16):
        raise ctx.bad(
            "Invalid 'max_output_tokens': integer below minimum value 16",
            param="max_output_tokens",
        )
    schema, json_object = _text_format(ctx, body.get("text"))
    choice = _tool_choice(ctx, body.get("tool_choice"), tools, kinds)
    allowed, search_allowed = _allowed_tools(ctx, body.get("tool_choice"), tools, kinds)
    if choice == "required" and allowed == [] and search_allowed:
        choice = "builtin:web_search"  # only the search may be called, and a call is due
    prompt = Prompt(
        turns=turns,
        tools=tools,
        tool_choice="auto" if choice.startswith("builtin:") else choice,
        allowed_tools=allowed,
        parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        max_tokens=limit,
        reasoning=models.is_reasoning(info.id),
        json_schema=schema,
        json_object=json_object,
    )
    stored_tokens = sum(3 + count_tokens(t.text) for t in _turns(ctx, stored)) if stored else 0
    return ResponsesPrompt(
        prompt=prompt,
        items=items,
        stored_tokens=stored_tokens,
        web_search=search,
        force_search=choice.startswith("builtin:web_search"),
        tool_types=kinds,
    )
