"""Gemini ``GenerateContentRequest`` → the mock model's neutral :class:`Prompt`.

Reads what Google's API reads: ``contents`` with roles ``user`` / ``model`` (and
``function``), parts in camelCase or Google's snake_case spelling, ``systemInstruction``,
``tools[].functionDeclarations`` (``parameters`` as a Gemini Schema or
``parametersJsonSchema``), ``toolConfig``, ``generationConfig``. Every ``thoughtSignature``
in the history is checked against the HMAC the emulator signed it with.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from .anthropic_in import sign
from .context import Ctx
from .errors import GOOGLE_STATUS, ErrorResponse, json_response
from .mock_model import Prompt, ToolSpec, Turn
from .models import ModelInfo

STATUS_NAMES = GOOGLE_STATUS


class GeminiError(ErrorResponse):
    """An error in Google's shape: ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, status: int, message: str) -> None:
        body = {
            "error": {
                "code": status,
                "message": message,
                "status": STATUS_NAMES.get(status, "UNKNOWN"),
            }
        }
        super().__init__(json_response(body, status))


def field(part: dict[str, Any], camel: str, snake: str) -> Any:
    return part.get(camel, part.get(snake))


def part_canonical(part: dict[str, Any]) -> str:
    """What a ``thoughtSignature`` signs: the part without its signature, canonical JSON
    (function-call args and text exactly as the model produced them)."""
    call = field(part, "functionCall", "function_call")
    if isinstance(call, dict):
        return json.dumps(
            {"functionCall": {"name": call.get("name"), "args": call.get("args") or {}}},
            sort_keys=True,
            ensure_ascii=False,
        )
    return json.dumps({"text": part.get("text", "")}, ensure_ascii=False)


def sign_part(ctx: Ctx, part: dict[str, Any]) -> str:
    return sign(ctx.state.secret, part_canonical(part))


DUMMY_SIGNATURE = b"skip_thought_signature_validator"
"""The signature Google documents for parts a client did not receive from the model
(https://ai.google.dev/gemini-api/docs/thought-signatures): accepted on any part."""


def _check_signature(ctx: Ctx, part: dict[str, Any], where: str) -> None:
    signature = field(part, "thoughtSignature", "thought_signature")
    if signature is None:
        return
    # thoughtSignature is proto ``bytes``: compare bytes (SDKs re-encode it URL-safe)
    expected = decode_bytes(sign_part(ctx, part))
    try:
        given = decode_bytes(signature)
    except (binascii.Error, ValueError):
        given = b""
    if given in (DUMMY_SIGNATURE, decode_bytes(DUMMY_SIGNATURE.decode())):
        return  # the sentinel, base64-encoded or sent as the JSON string itself
    if not hmac.compare_digest(given, expected):
        raise GeminiError(
            400,
            f"{where}: Thought signature is not valid (it must be replayed unchanged on the "
            "part that carried it).",
        )


def _media_kind(part: dict[str, Any], where: str) -> str | None:
    blob = field(part, "inlineData", "inline_data")
    ref = field(part, "fileData", "file_data")
    if blob is None and ref is None:
        return None
    source = blob if blob is not None else ref
    if not isinstance(source, dict):
        raise GeminiError(400, f"{where}: must be an object")
    mime = str(field(source, "mimeType", "mime_type") or "")
    if blob is not None:
        try:
            decode_bytes(source.get("data", ""))
        except (binascii.Error, ValueError):
            raise GeminiError(400, f"{where}.inlineData.data: invalid base64") from None
    return "image" if mime.startswith("image/") else "attachment"


def decode_bytes(value: Any) -> bytes:
    """Proto ``bytes`` from JSON: standard or URL-safe base64, padding optional (the
    google-genai SDK sends URL-safe)."""
    text = str(value).replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def image_digest(body: dict[str, Any]) -> str:
    """A digest of the inline images of the last user turn (what an edit starts from)."""
    digest = hashlib.sha256()
    contents = body.get("contents") or []
    users = [c for c in contents if isinstance(c, dict) and c.get("role", "user") == "user"]
    for part in (users[-1].get("parts") or []) if users else []:
        blob = field(part, "inlineData", "inline_data") if isinstance(part, dict) else None
        if isinstance(blob, dict):
            digest.update(decode_bytes(blob.get("data", "")))
    return digest.hexdigest()[:16]


def turns(ctx: Ctx, body: dict[str, Any]) -> list[Turn]:
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise GeminiError(400, "* GenerateContentRequest.contents: contents is not specified")
    out: list[Turn] = []
    system = field(body, "systemInstruction", "system_instruction")
    if isinstance(system, dict):
        texts = [str(p.get("text", "")) for p in system.get("parts") or [] if isinstance(p, dict)]
        out.append(Turn("system", "\n".join(texts)))
    for i, content in enumerate(contents):
        out.extend(_content_turns(ctx, content, f"contents[{i}]"))
    return out


def _content_turns(ctx: Ctx, content: Any, where: str) -> list[Turn]:
    if not isinstance(content, dict):
        raise GeminiError(400, f"{where}: must be an object")
    role = content.get("role", "user")
    if role not in ("user", "model", "function"):
        raise GeminiError(400, f"{where}.role: Please use a valid role: user, model.")
    parts = content.get("parts")
    if not isinstance(parts, list) or not parts:
        raise GeminiError(400, f"{where}.parts: must contain at least one part")
    out: list[Turn] = []
    texts: list[str] = []
    images = attachments = 0
    answering: Turn | None = None  # the function response media parts right after it join
    for j, part in enumerate(parts):
        at = f"{where}.parts[{j}]"
        if not isinstance(part, dict):
            raise GeminiError(400, f"{at}: must be an object")
        _check_signature(ctx, part, at)
        response = field(part, "functionResponse", "function_response")
        kind = _media_kind(part, at)
        if isinstance(response, dict):
            answering = _response_turn(response, at)
            out.append(answering)
        elif kind is not None and answering is not None:
            # a function response holds JSON only, so media a function returned travel as
            # parts right after its functionResponse: they are part of the result
            answering.images += int(kind == "image")
            answering.attachments += int(kind == "attachment")
        elif kind == "image":
            images += 1
        elif kind == "attachment":
            attachments += 1
        elif isinstance(part.get("text"), str) and not part.get("thought"):
            answering = None
            texts.append(part["text"])
    speaker = "assistant" if role == "model" else "user"
    if texts or images or attachments or speaker == "assistant":
        out.append(Turn(speaker, "\n".join(texts), images, attachments))
    return out


def _response_turn(response: dict[str, Any], where: str) -> Turn:
    """A function response as a tool turn, with the media of its own ``parts`` (Gemini's
    multimodal function responses: ``inlineData`` / ``fileData`` inside the response)."""
    turn = Turn(
        "tool", _response_text(response.get("response")), tool_name=str(response.get("name", ""))
    )
    nested = response.get("parts") or []
    if not isinstance(nested, list):
        raise GeminiError(400, f"{where}.functionResponse.parts: must be an array")
    for k, part in enumerate(nested):
        at = f"{where}.functionResponse.parts[{k}]"
        kind = _media_kind(part, at) if isinstance(part, dict) else None
        if kind is None:
            raise GeminiError(400, f"{at}: must hold inlineData or fileData")
        turn.images += int(kind == "image")
        turn.attachments += int(kind == "attachment")
    return turn


def _response_text(value: Any) -> str:
    """A function response as the model reads it: the value of a lone text field (Google's
    convention wraps a plain result as ``output`` / ``result``; clients pick other names,
    such as ``return_value``), else the JSON object."""
    if isinstance(value, dict) and len(value) == 1:
        ((_, inner),) = value.items()
        if isinstance(inner, str):
            return inner
    return json.dumps(value or {}, ensure_ascii=False)


def json_schema_from_gemini(schema: Any) -> Any:
    """A Gemini Schema (upper-case types, ``nullable``) as plain JSON schema."""
    if isinstance(schema, list):
        return [json_schema_from_gemini(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "type" and isinstance(value, str):
            out["type"] = value.lower()
        elif key in ("properties",) and isinstance(value, dict):
            out[key] = {k: json_schema_from_gemini(v) for k, v in value.items()}
        elif key in ("items", "anyOf"):
            out[key] = json_schema_from_gemini(value)
        elif key not in ("nullable", "format", "propertyOrdering"):
            out[key] = value
    return out


def _tools(body: dict[str, Any]) -> list[ToolSpec]:
    out: list[ToolSpec] = []
    for i, tool in enumerate(body.get("tools") or []):
        if not isinstance(tool, dict):
            raise GeminiError(400, f"tools[{i}]: must be an object")
        declarations = field(tool, "functionDeclarations", "function_declarations") or []
        for j, decl in enumerate(declarations):
            if not isinstance(decl, dict) or not isinstance(decl.get("name"), str):
                raise GeminiError(400, f"tools[{i}].function_declarations[{j}].name: required")
            raw = field(decl, "parametersJsonSchema", "parameters_json_schema")
            schema = (
                raw
                if isinstance(raw, dict)
                else json_schema_from_gemini(
                    decl.get("parameters") or {"type": "object", "properties": {}}
                )
            )
            out.append(ToolSpec(decl["name"], str(decl.get("description") or ""), schema))
    return out


def _tool_choice(body: dict[str, Any], tools: list[ToolSpec]) -> tuple[str, list[str] | None]:
    """The choice and, with ``allowedFunctionNames``, the only functions that may be called
    (every declaration stays in the prompt)."""
    config = field(body, "toolConfig", "tool_config") or {}
    calling = field(config, "functionCallingConfig", "function_calling_config") or {}
    mode = str(calling.get("mode", "AUTO")).upper()
    allowed = field(calling, "allowedFunctionNames", "allowed_function_names") or []
    if mode == "NONE":
        return "none", None
    if mode in ("ANY", "VALIDATED") and allowed:
        kept = [t.name for t in tools if t.name in allowed]
        if len(kept) == 1 and mode == "ANY":
            return f"name:{kept[0]}", None
        return ("required" if mode == "ANY" else "auto"), kept
    return ("required" if mode == "ANY" else "auto"), None


def generation_config(body: dict[str, Any]) -> dict[str, Any]:
    config = field(body, "generationConfig", "generation_config") or {}
    if not isinstance(config, dict):
        raise GeminiError(400, "generation_config: must be an object")
    return config


def wants_image(config: dict[str, Any], info: ModelInfo) -> bool:
    modalities = field(config, "responseModalities", "response_modalities") or []
    asked = any(str(m).upper() == "IMAGE" for m in modalities)
    return info.kind == "image" or asked


def build_prompt(ctx: Ctx, body: dict[str, Any], info: ModelInfo) -> Prompt:
    config = generation_config(body)
    tools = _tools(body)
    choice, allowed = _tool_choice(body, tools)
    limit = field(config, "maxOutputTokens", "max_output_tokens")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise GeminiError(400, "generation_config.max_output_tokens: must be a positive integer")
    stops = field(config, "stopSequences", "stop_sequences") or []
    mime = field(config, "responseMimeType", "response_mime_type")
    schema = field(config, "responseJsonSchema", "response_json_schema")
    if schema is None and field(config, "responseSchema", "response_schema") is not None:
        schema = json_schema_from_gemini(field(config, "responseSchema", "response_schema"))
    if schema is not None and mime != "application/json":
        raise GeminiError(
            400, "generation_config.response_mime_type: must be application/json with a schema"
        )
    thinking = field(config, "thinkingConfig", "thinking_config") or {}
    include = bool(field(thinking, "includeThoughts", "include_thoughts"))
    budget = field(thinking, "thinkingBudget", "thinking_budget")
    return Prompt(
        turns=turns(ctx, body),
        tools=tools,
        tool_choice=choice,
        allowed_tools=allowed,
        stop=[str(s) for s in stops],
        max_tokens=limit,
        reasoning=include and budget != 0,
        json_schema=schema if isinstance(schema, dict) else None,
        json_object=mime == "application/json" and schema is None,
    )
