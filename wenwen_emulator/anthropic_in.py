"""Anthropic Messages request → neutral prompt, cache segments and validation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from .context import Ctx
from .mock_model import Prompt, ToolSpec, Turn, schema_fill
from .models import ModelInfo
from .tokens import IMAGE_TOKENS, count_tokens

SIGNATURE_PREFIX = b"wwemu1:"


def sign(secret: bytes, thinking: str) -> str:
    """The signature the emulator attaches to a thinking block."""
    digest = hmac.new(secret, thinking.encode(), hashlib.sha256).digest()
    return base64.b64encode(SIGNATURE_PREFIX + digest).decode("ascii")


def signature_ok(secret: bytes, thinking: str, signature: Any) -> bool:
    return isinstance(signature, str) and hmac.compare_digest(signature, sign(secret, thinking))


@dataclass
class Segment:
    """One cacheable unit (tool, system block, or message content block)."""

    tokens: int
    canonical: str
    breakpoint: bool


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _result_text(content: Any) -> tuple[str, int]:
    if isinstance(content, str):
        return content, 0
    texts, images = [], 0
    for block in _blocks(content):
        if block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        else:
            images += 1
    return "\n".join(texts), images


def _block_tokens(block: dict[str, Any]) -> int:
    kind = block.get("type")
    if kind == "text":
        return count_tokens(str(block.get("text", "")))
    if kind == "tool_use":
        return count_tokens(str(block.get("name", ""))) + count_tokens(
            json.dumps(block.get("input", {}), ensure_ascii=False)
        )
    if kind == "tool_result":
        text, images = _result_text(block.get("content", ""))
        return count_tokens(text) + IMAGE_TOKENS * images + 3
    if kind == "thinking":
        return count_tokens(str(block.get("thinking", "")))
    return IMAGE_TOKENS


def _segment(value: dict[str, Any], tokens: int) -> Segment:
    plain = {k: v for k, v in value.items() if k != "cache_control"}
    return Segment(
        tokens, json.dumps(plain, sort_keys=True, ensure_ascii=False), "cache_control" in value
    )


def system_blocks(ctx: Ctx, system: Any) -> list[dict[str, Any]]:
    if system is None:
        return []
    if isinstance(system, str):
        return [{"type": "text", "text": system}] if system else []
    if isinstance(system, list) and all(
        isinstance(b, dict) and b.get("type") == "text" for b in system
    ):
        return list(system)
    raise ctx.bad("system: Input should be a valid string or a list of text blocks")


def segments(body: dict[str, Any], system: list[dict[str, Any]]) -> list[Segment]:
    out = []
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            tokens = count_tokens(f"{tool.get('name', '')} {tool.get('description', '')}")
            tokens += count_tokens(json.dumps(tool.get("input_schema", {}), sort_keys=True))
            out.append(_segment(tool, tokens))
    out.extend(_segment(b, count_tokens(str(b.get("text", "")))) for b in system)
    for msg in body.get("messages") or []:
        for i, block in enumerate(_blocks(msg.get("content"))):
            out.append(_segment(block, _block_tokens(block) + (3 if i == 0 else 0)))
    return out


def _check_thinking(ctx: Ctx, i: int, j: int, block: dict[str, Any]) -> None:
    if not signature_ok(ctx.state.secret, str(block.get("thinking", "")), block.get("signature")):
        raise ctx.bad(
            f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block "
            "(Invalid signature in thinking block)"
        )


def turns(ctx: Ctx, messages: Any, system: list[dict[str, Any]]) -> list[Turn]:
    if not isinstance(messages, list) or not messages:
        raise ctx.bad("messages: at least one message is required")
    out = [Turn("system", "\n".join(str(b.get("text", "")) for b in system))] if system else []
    names: dict[str, str] = {}
    for i, msg in enumerate(messages):
        role = msg.get("role") if isinstance(msg, dict) else None
        if role not in ("user", "assistant"):
            raise ctx.bad(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        content = msg.get("content")
        if not isinstance(content, str | list):
            raise ctx.bad(f"messages.{i}.content: Input should be a valid string or list")
        texts, images, attachments = [], 0, 0
        for j, block in enumerate(_blocks(content)):
            kind = block.get("type")
            if kind == "text":
                texts.append(str(block.get("text", "")))
            elif kind == "image":
                images += 1
            elif kind in ("document", "search_result"):
                attachments += 1
            elif kind == "tool_use" and role == "assistant":
                names[str(block.get("id"))] = str(block.get("name", ""))
            elif kind == "tool_result" and role == "user":
                text, result_images = _result_text(block.get("content", ""))
                name = names.get(str(block.get("tool_use_id")), "")
                out.append(Turn("tool", text, result_images, tool_name=name))
            elif kind == "thinking" and role == "assistant":
                _check_thinking(ctx, i, j, block)
            elif kind == "redacted_thinking" and role == "assistant":
                continue
            else:
                raise ctx.bad(f"messages.{i}.content.{j}: unexpected block type {kind!r}")
        if texts or images or attachments or role == "assistant":
            out.append(Turn(role, "\n".join(texts), images, attachments))
    return out


def _tools(ctx: Ctx, raw: Any) -> list[ToolSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ctx.bad("tools: Input should be a valid list")
    out = []
    for i, tool in enumerate(raw):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise ctx.bad(f"tools.{i}.name: Field required")
        if "input_schema" not in tool:
            if tool.get("type") in (None, "custom"):
                raise ctx.bad(f"tools.{i}.input_schema: Field required")
            continue  # server tools (web search, ...) are never called by the mock
        problem = schema_fill.schema_problem(tool["input_schema"], "input_schema")
        if problem:
            raise ctx.bad(f"tools.{i}.custom.{problem}")
        schema = tool["input_schema"] if isinstance(tool["input_schema"], dict) else {}
        out.append(ToolSpec(tool["name"], str(tool.get("description") or ""), schema))
    return out


def _tool_choice(ctx: Ctx, raw: Any) -> tuple[str, bool]:
    if raw is None:
        return "auto", True
    kind = raw.get("type") if isinstance(raw, dict) else None
    parallel = not (isinstance(raw, dict) and raw.get("disable_parallel_tool_use"))
    if kind in ("auto", "none"):
        return str(kind), parallel
    if kind == "any":
        return "required", parallel
    if kind == "tool" and isinstance(raw.get("name"), str):
        return f"name:{raw['name']}", parallel
    raise ctx.bad("tool_choice: Input tag does not match 'auto', 'any', 'tool' or 'none'")


def thinking_enabled(ctx: Ctx, body: dict[str, Any], info: ModelInfo, limit: int) -> bool:
    raw = body.get("thinking")
    if isinstance(raw, dict) and raw.get("type") == "enabled":
        budget = raw.get("budget_tokens")
        if not isinstance(budget, int) or budget < 1024:
            raise ctx.bad("thinking.enabled.budget_tokens: Input should be >= 1024")
        if budget >= limit:
            raise ctx.bad("`max_tokens` must be greater than `thinking.budget_tokens`")
        return True
    return info.id.endswith("-thinking") and not (
        isinstance(raw, dict) and raw.get("type") == "disabled"
    )


def _check_thinking_replay(ctx: Ctx, messages: Any) -> None:
    """With thinking on, the final assistant turn that used tools must start with thinking."""
    if not isinstance(messages, list):
        return
    for i in range(len(messages) - 1, -1, -1):
        msg = messages[i]
        if not isinstance(msg, dict) or msg.get("role") != "assistant":
            continue
        blocks = _blocks(msg.get("content"))
        if any(b.get("type") == "tool_use" for b in blocks):
            first = blocks[0].get("type") if blocks else None
            if first not in ("thinking", "redacted_thinking"):
                raise ctx.bad(
                    f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, "
                    f"but found `{first}`. When `thinking` is enabled, a final `assistant` "
                    "message must start with a thinking block."
                )
        return


def output_schema(ctx: Ctx, body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema of structured outputs: ``output_config.format`` or the beta's
    ``output_format`` (``{"type": "json_schema", "schema": {...}}``; see
    https://platform.claude.com/docs/en/build-with-claude/structured-outputs)."""
    config = body.get("output_config")
    if config is not None and not isinstance(config, dict):
        raise ctx.bad("output_config: Input should be a valid dictionary")
    fmt = (config or {}).get("format")
    legacy = body.get("output_format")
    if fmt is not None and legacy is not None:
        raise ctx.bad("output_format and output_config.format cannot both be set")
    where = "output_config.format" if fmt is not None else "output_format"
    fmt = fmt if fmt is not None else legacy
    if fmt is None:
        return None
    if "no_structured_outputs" in ctx.quirks:  # an upstream without structured outputs
        raise ctx.bad(f"{where.split('.')[0]}: Extra inputs are not permitted")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        raise ctx.bad(f"{where}.type: Input should be 'json_schema'")
    schema = fmt.get("schema")
    if not isinstance(schema, dict):
        raise ctx.bad(f"{where}.schema: Field required (a JSON schema object)")
    problem = schema_fill.schema_problem(schema, f"{where}.schema")
    if problem:
        raise ctx.bad(problem)
    return schema


def build_prompt(ctx: Ctx, body: dict[str, Any], info: ModelInfo) -> Prompt:
    limit = body.get("max_tokens")
    if limit is None:
        raise ctx.bad("max_tokens: Field required")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ctx.bad("max_tokens: Input should be greater than or equal to 1")
    system = system_blocks(ctx, body.get("system"))
    tools = _tools(ctx, body.get("tools"))
    choice, parallel = _tool_choice(ctx, body.get("tool_choice"))
    stops = body.get("stop_sequences") or []
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops):
        raise ctx.bad("stop_sequences: Input should be a valid list of strings")
    reasoning = thinking_enabled(ctx, body, info, limit)
    if reasoning:
        _check_thinking_replay(ctx, body.get("messages"))
    return Prompt(
        turns=turns(ctx, body.get("messages"), system),
        tools=tools,
        tool_choice=choice,
        parallel_tool_calls=parallel,
        stop=list(stops),
        max_tokens=limit,
        reasoning=reasoning,
        json_schema=output_schema(ctx, body),
    )
