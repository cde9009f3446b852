"""Neutral messages → Gemini ``systemInstruction`` and ``contents``.

Roles become ``user`` / ``model`` (tool results travel as ``functionResponse`` parts of a
user turn, matched to their call by name) and consecutive turns of one role are merged, so
parallel calls and their responses line up one to one. Thought signatures go back exactly
where they came from: on the function call part (``ToolCallPart.provider_data``), on a
thought part (``ThinkingPart``), or on the text part a signature-only ``ThinkingPart``
follows (see ``_response.parts_from_wire``).
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes

from ...errors import ProtocolError, UnsupportedFeatureError
from ...media.content import (
    DataURLParts,
    is_data_url,
    parse_data_url,
    sniff_base64,
    split_data_url,
)
from ...types import (
    AudioPart,
    FilePart,
    ImagePart,
    Message,
    Part,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
    VideoPart,
)
from ._wire import ContentDict, PartDict, Role

logger = logging.getLogger("wenwen")

SIGNATURE_KEY = "thought_signature"
"""``ToolCallPart.provider_data`` key of a function call's ``thoughtSignature``."""

_PROTOCOL = "the Gemini protocol"


def wire_contents(messages: list[Message]) -> tuple[ContentDict | None, list[ContentDict]]:
    """``(systemInstruction, contents)`` for ``messages``."""
    system: list[PartDict] = []
    turns: list[ContentDict] = []
    names = _call_names(messages)
    for position, message in enumerate(messages):
        where = f"message {position}"
        if message.role == "system":
            system.extend(_system_part(part, where) for part in message.parts)
            continue
        role: Role = "model" if message.role == "assistant" else "user"
        if message.role == "assistant":
            parts = _model_parts(message.parts, where)
        else:
            parts = [p for part in message.parts for p in _user_parts(part, names, where)]
        if not parts:
            continue
        if turns and turns[-1].get("role") == role:
            turns[-1].setdefault("parts", []).extend(parts)
        else:
            turns.append({"role": role, "parts": parts})
    instruction: ContentDict | None = {"parts": system} if system else None
    return instruction, turns


def _call_names(messages: list[Message]) -> dict[str, str]:
    """Tool-call id → function name, from the assistant turns of the history."""
    return {
        part.id: part.name
        for message in messages
        if message.role == "assistant"
        for part in message.parts
        if isinstance(part, ToolCallPart)
    }


def _system_part(part: Part, where: str) -> PartDict:
    if isinstance(part, TextPart):
        return {"text": part.text}
    raise UnsupportedFeatureError(
        f"{where}: a system message can only hold text in {_PROTOCOL}, not {part.type}"
    )


def _model_parts(parts: list[Part], where: str) -> list[PartDict]:
    out: list[PartDict] = []
    for part in parts:
        if isinstance(part, ThinkingPart):
            _add_thinking(out, part, where)
        elif isinstance(part, TextPart):
            out.append({"text": part.text})
        elif isinstance(part, ToolCallPart):
            out.append(_function_call(part))
        elif isinstance(part, ImagePart | AudioPart | VideoPart | FilePart):
            out.append(media_part(part, where))
        else:
            raise UnsupportedFeatureError(
                f"{where}: an assistant message cannot hold a {part.type} part"
            )
    return out


def _add_thinking(out: list[PartDict], part: ThinkingPart, where: str) -> None:
    if part.redacted:
        # redacted thinking is Anthropic's encrypted payload: meaningless to Gemini
        logger.debug("%s: redacted thinking is not sent over %s", where, _PROTOCOL)
        return
    if part.text:
        thought: PartDict = {"text": part.text, "thought": True}
        if part.signature:
            thought["thoughtSignature"] = part.signature
        out.append(thought)
        return
    if not part.signature:
        return
    previous = out[-1] if out else None
    if (
        previous is not None
        and "text" in previous
        and not previous.get("thought")
        and "thoughtSignature" not in previous
    ):
        previous["thoughtSignature"] = part.signature
        return
    out.append({"text": "", "thoughtSignature": part.signature})


def _function_call(part: ToolCallPart) -> PartDict:
    try:
        args = part.parsed_arguments()
    except ValueError as exc:
        raise ProtocolError(str(exc)) from None
    wire: PartDict = {"functionCall": {"name": part.name, "args": args}}
    signature = part.provider_data.get(SIGNATURE_KEY)
    if isinstance(signature, str) and signature:
        wire["thoughtSignature"] = signature
    return wire


def _user_parts(part: Part, names: dict[str, str], where: str) -> list[PartDict]:
    if isinstance(part, TextPart):
        return [{"text": part.text}]
    if isinstance(part, ToolResultPart):
        return _function_response(part, names, where)
    if isinstance(part, ImagePart | AudioPart | VideoPart | FilePart):
        return [media_part(part, where)]
    raise UnsupportedFeatureError(f"{where}: a user message cannot hold a {part.type} part")


def _function_response(part: ToolResultPart, names: dict[str, str], where: str) -> list[PartDict]:
    name = names.get(part.tool_call_id) or part.name
    if not name:
        raise ProtocolError(
            f"{where}: the tool result for call {part.tool_call_id!r} matches no function "
            "call in the history; Gemini needs the function's name (set ToolResultPart.name)"
        )
    text = part.text
    key = "error" if part.is_error else "result"
    try:
        parsed = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = None
    response = parsed if isinstance(parsed, dict) and not part.is_error else {key: text}
    wire: list[PartDict] = [{"functionResponse": {"name": name, "response": response}}]
    wire.extend(media_part(p, where) for p in part.content if isinstance(p, ImagePart))
    return wire


def media_part(part: ImagePart | AudioPart | VideoPart | FilePart, where: str) -> PartDict:
    """``inlineData`` for base64 data (``data:`` URLs included), ``fileData`` for URLs."""
    data = getattr(part, "data", None)
    url = part.url
    mime = _mime(part)
    inline = split_data_url(url) if not data and url else None
    if inline is not None:
        data, mime = _base64_payload(inline, url or ""), inline.mime or mime
    if data:
        if not mime:
            raise UnsupportedFeatureError(f"{where}: inline {part.type} data needs a mime type")
        return {"inlineData": {"mimeType": mime, "data": data}}
    uri = url or (part.file_id if isinstance(part, FilePart) else None)
    if not uri:
        raise UnsupportedFeatureError(f"{where}: a {part.type} part has neither data nor a URL")
    file_data: PartDict = {"fileData": {"fileUri": uri}}
    if mime:
        file_data["fileData"]["mimeType"] = mime
    return file_data


def _mime(part: ImagePart | AudioPart | VideoPart | FilePart) -> str | None:
    if isinstance(part, AudioPart):
        return f"audio/{part.format}" if part.format else _guess(part.url)
    given = part.media_type
    if given:
        return given
    guessed = _guess(part.url)
    if guessed is None and isinstance(part, ImagePart) and part.data:
        return sniff_base64(part.data) or "image/jpeg"
    return guessed


def _guess(url: str | None) -> str | None:
    if not url or is_data_url(url):
        return None
    return mimetypes.guess_type(url.split("?", 1)[0])[0]


def _base64_payload(inline: DataURLParts, url: str) -> str:
    """``inlineData.data`` is base64: a data URL written percent-encoded is re-encoded."""
    if inline.base64:
        return inline.payload
    return base64.b64encode(parse_data_url(url).data).decode("ascii")
