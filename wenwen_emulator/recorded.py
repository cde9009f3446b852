"""What a test asserts on: the recorded chat requests, read the same way on every protocol.

:class:`RequestLog` wraps the emulator's recorded requests. ``last`` is the last chat request
(chat completions, Responses, Anthropic Messages, Gemini ``generateContent``); its
``messages`` are ``{"role", "content"}`` dicts with roles ``system``, ``user``, ``assistant``
and ``tool`` and the text of each message (tool calls as ``{"role": "assistant",
"tool_calls": [{"name", "arguments"}]}``), its ``tools`` the offered tool names, its
``model`` the model asked for. The raw request stays available as ``.raw``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .script import route_of
from .state import RecordedRequest


def _text(content: Any) -> str:
    """The text of a message content in any protocol's shape."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        for key in ("text", "refusal"):
            if isinstance(content.get(key), str):
                return str(content[key])
        return _text(content.get("content") or content.get("parts"))
    if isinstance(content, list):
        return "\n".join(t for t in (_text(item) for item in content) if t)
    return ""


def _calls(items: Any, kind: str) -> list[dict[str, Any]]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        if kind == "anthropic" and item.get("type") == "tool_use":
            out.append({"name": item.get("name"), "arguments": item.get("input") or {}})
        elif kind == "gemini" and isinstance(item.get("functionCall"), dict):
            call = item["functionCall"]
            out.append({"name": call.get("name"), "arguments": call.get("args") or {}})
        elif kind == "openai" and isinstance(item.get("function"), dict):
            function = item["function"]
            try:
                arguments = json.loads(function.get("arguments") or "{}")
            except ValueError:
                arguments = function.get("arguments")
            out.append({"name": function.get("name"), "arguments": arguments})
    return out


def _message(role: str, text: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": role, "content": text}
    if calls:
        message["tool_calls"] = calls
    return message


def _openai_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for msg in body.get("messages") or []:
        role = str(msg.get("role"))
        role = "system" if role == "developer" else role
        out.append(
            _message(role, _text(msg.get("content")), _calls(msg.get("tool_calls"), "openai"))
        )
    return out


def _responses_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    if isinstance(body.get("instructions"), str):
        out.append(_message("system", body["instructions"], []))
    items = body.get("input")
    for item in [{"role": "user", "content": items}] if isinstance(items, str) else items or []:
        kind = item.get("type", "message")
        if kind == "function_call":
            try:
                arguments = json.loads(item.get("arguments") or "{}")
            except ValueError:
                arguments = item.get("arguments")
            call = {"name": item.get("name"), "arguments": arguments}
            out.append(_message("assistant", "", [call]))
        elif kind == "function_call_output":
            out.append(_message("tool", _text(item.get("output")), []))
        elif kind == "message":
            role = "system" if item.get("role") == "developer" else str(item.get("role"))
            out.append(_message(role, _text(item.get("content")), []))
    return out


def _anthropic_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = [_message("system", _text(body["system"]), [])] if body.get("system") else []
    for msg in body.get("messages") or []:
        content = msg.get("content")
        blocks = content if isinstance(content, list) else []
        results = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_result"]
        out.extend(_message("tool", _text(r.get("content")), []) for r in results)
        rest = [b for b in blocks if b not in results and b.get("type") != "tool_use"]
        text = _text(content) if isinstance(content, str) else _text(rest)
        calls = _calls(blocks, "anthropic")
        if text or calls or not results:
            out.append(_message(str(msg.get("role")), text, calls))
    return out


def _result_text(value: Any) -> str:
    """A Gemini function response as text: a lone string field (``{"result": "..."}``, as
    clients wrap plain results) is the text itself, anything else its JSON."""
    if isinstance(value, dict) and len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, str):
            return inner
    return json.dumps(value, ensure_ascii=False)


def _gemini_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    system = body.get("systemInstruction") or body.get("system_instruction")
    out = [_message("system", _text(system), [])] if system else []
    for content in body.get("contents") or []:
        parts = [p for p in content.get("parts") or [] if isinstance(p, dict)]
        for part in parts:
            response = part.get("functionResponse")
            if isinstance(response, dict):
                out.append(_message("tool", _result_text(response.get("response")), []))
        texts = [
            p["text"] for p in parts if isinstance(p.get("text"), str) and not p.get("thought")
        ]
        calls = _calls(parts, "gemini")
        if texts or calls:
            role = "assistant" if content.get("role") == "model" else "user"
            out.append(_message(role, "\n".join(texts), calls))
    return out


_READERS = {
    "openai": _openai_messages,
    "responses": _responses_messages,
    "anthropic": _anthropic_messages,
    "gemini": _gemini_messages,
}


@dataclass
class ChatRequest:
    """One recorded chat request, read protocol-neutrally."""

    raw: RecordedRequest
    protocol: str
    """``openai``, ``responses``, ``anthropic`` or ``gemini``."""

    @property
    def body(self) -> dict[str, Any]:
        return self.raw.json if isinstance(self.raw.json, dict) else {}

    @property
    def model(self) -> str:
        if self.protocol == "gemini":
            name = self.raw.path.rsplit("/", 1)[-1]
            return name.split(":", 1)[0]
        return str(self.body.get("model", ""))

    @property
    def messages(self) -> list[dict[str, Any]]:
        return _READERS[self.protocol](self.body)

    @property
    def tools(self) -> list[str]:
        """The names of the function tools offered."""
        names: list[str] = []
        for tool in self.body.get("tools") or []:
            if not isinstance(tool, dict):
                continue
            if isinstance(tool.get("function"), dict):
                names.append(str(tool["function"].get("name")))
            elif isinstance(tool.get("name"), str):
                names.append(tool["name"])
            for decl in tool.get("functionDeclarations") or tool.get("function_declarations") or []:
                names.append(str(decl.get("name")))
        return names

    @property
    def stream(self) -> bool:
        return self.body.get("stream") is True or self.raw.path.endswith(":streamGenerateContent")

    @property
    def last_user_text(self) -> str:
        users = [m for m in self.messages if m["role"] == "user"]
        return str(users[-1]["content"]) if users else ""


class RequestLog(Sequence[RecordedRequest]):
    """The emulator's recorded requests (live), with protocol-neutral helpers."""

    def __init__(self, requests: list[RecordedRequest]) -> None:
        self._requests = requests

    def __getitem__(self, index: Any) -> Any:
        return list(self._requests)[index]

    def __len__(self) -> int:
        return len(self._requests)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(list(self._requests))

    @property
    def chat(self) -> list[ChatRequest]:
        """The chat requests, oldest first."""
        out = []
        for request in list(self._requests):
            protocol = route_of(request.method, request.path)
            if protocol is not None:
                out.append(ChatRequest(request, protocol))
        return out

    @property
    def last(self) -> ChatRequest:
        """The last chat request (``AssertionError`` when there was none)."""
        chats = self.chat
        assert chats, "no chat request reached the emulator"
        return chats[-1]

    def last_messages(self) -> list[dict[str, Any]]:
        return self.last.messages

    def last_tools(self) -> list[str]:
        return self.last.tools

    def last_model(self) -> str:
        return self.last.model
