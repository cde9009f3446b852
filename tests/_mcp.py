"""What the MCP agent examples must have sent, read back from the emulator's recorded
requests, on every chat protocol the package has.

The tests take their protocols from ``wenwen.protocols.PROTOCOL_NAMES``, so a new protocol is
tested as soon as it is registered; it needs one entry in ``WIRES`` (how to read its request
bodies) and, if the emulator serves it only for its own model family, one in ``MODELS``.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from wenwen_emulator import Emulator
from wenwen_emulator.gemini_in import json_schema_from_gemini
from wenwen_emulator.state import RecordedRequest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DEFAULT_MODEL = "gpt-4o-mini"
MODELS = {"anthropic": "claude-sonnet-4-20250514", "gemini": "gemini-2.5-flash"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def model_for(protocol: str) -> str:
    return MODELS.get(protocol, DEFAULT_MODEL)


def load_example(name: str) -> ModuleType:
    """An example script as a module (``examples/`` is not a package)."""
    module_name = f"wenwen_examples.{Path(name).stem}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class SentCall:
    """A tool call as the conversation history sent it back to the model."""

    id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class SentResult:
    """A tool result as the model received it."""

    call_id: str
    text: str
    images: tuple[bytes, ...]
    marked_error: bool


@dataclass(frozen=True)
class Wire:
    """How to read one protocol's chat request bodies."""

    path: str
    tools: Callable[[dict[str, Any]], dict[str, dict[str, Any]]]
    """tool name -> its JSON schema parameters"""
    calls: Callable[[dict[str, Any]], list[SentCall]]
    results: Callable[[dict[str, Any]], list[SentResult]]
    streamed: Callable[[RecordedRequest], bool] = lambda r: r.json.get("stream") is True
    """whether the request asked for a stream (a body flag here; a path on some wires)"""


def _data_url_bytes(url: str) -> bytes:
    header, _, data = url.partition(",")
    assert header.endswith(";base64"), header
    return base64.b64decode(data)


# --- OpenAI chat completions ---------------------------------------------------------------
_OPENAI_ERROR_MARK = "[tool error] "


def _openai_tools(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["function"]["name"]: t["function"]["parameters"] for t in body.get("tools", [])}


def _openai_calls(body: dict[str, Any]) -> list[SentCall]:
    return [
        SentCall(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
        for m in body["messages"]
        if m["role"] == "assistant"
        for c in m.get("tool_calls") or []
    ]


def _openai_results(body: dict[str, Any]) -> list[SentResult]:
    """Tool messages carry text only; images a tool returned follow the run of tool messages
    in one user message, which is read back onto the last result of that run."""
    results: list[SentResult] = []
    previous = ""
    for message in body["messages"]:
        if message["role"] == "tool":
            text = message["content"]
            marked = text.startswith(_OPENAI_ERROR_MARK)
            text = text.removeprefix(_OPENAI_ERROR_MARK)
            results.append(SentResult(message["tool_call_id"], text, (), marked))
        elif message["role"] == "user" and previous == "tool":
            images = tuple(
                _data_url_bytes(part["image_url"]["url"])
                for part in message["content"]
                if part["type"] == "image_url"
            )
            last = results[-1]
            results[-1] = SentResult(last.call_id, last.text, images, last.marked_error)
        previous = message["role"]
    return results


# --- Anthropic Messages --------------------------------------------------------------------
def _anthropic_blocks(body: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [
        block
        for m in body["messages"]
        if m["role"] == role and isinstance(m["content"], list)
        for block in m["content"]
    ]


def _anthropic_tools(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t["input_schema"] for t in body.get("tools", [])}


def _anthropic_calls(body: dict[str, Any]) -> list[SentCall]:
    return [
        SentCall(b["id"], b["name"], b["input"])
        for b in _anthropic_blocks(body, "assistant")
        if b["type"] == "tool_use"
    ]


def _anthropic_results(body: dict[str, Any]) -> list[SentResult]:
    results = []
    for block in _anthropic_blocks(body, "user"):
        if block["type"] != "tool_result":
            continue
        content = block.get("content", [])
        text = "".join(c["text"] for c in content if c["type"] == "text")
        images = tuple(
            base64.b64decode(c["source"]["data"]) for c in content if c["type"] == "image"
        )
        results.append(
            SentResult(block["tool_use_id"], text, images, bool(block.get("is_error", False)))
        )
    return results


# --- Gemini generateContent ----------------------------------------------------------------
def _gemini_parts(body: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [
        part
        for content in body["contents"]
        if content.get("role", "user") == role
        for part in content.get("parts", [])
    ]


def _gemini_tools(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Declarations carry a Gemini Schema (upper-case types), read back as JSON schema."""
    return {
        d["name"]: d.get("parametersJsonSchema") or json_schema_from_gemini(d.get("parameters"))
        for tool in body.get("tools", [])
        for d in tool.get("functionDeclarations", [])
    }


def _gemini_calls(body: dict[str, Any]) -> list[SentCall]:
    """Gemini matches a response to its call by function name (an id only when given)."""
    return [
        SentCall(c.get("id") or c["name"], c["name"], c.get("args") or {})
        for p in _gemini_parts(body, "model")
        if (c := p.get("functionCall"))
    ]


def _gemini_results(body: dict[str, Any]) -> list[SentResult]:
    """A ``functionResponse`` holds JSON (``{"result": ...}`` or ``{"error": ...}``); images
    a function returned follow it as ``inlineData`` parts (or sit in its own ``parts``)."""
    results: list[SentResult] = []
    answering = False
    for part in _gemini_parts(body, "user"):
        if response := part.get("functionResponse"):
            payload = response.get("response", {})
            text = payload.get("error", payload.get("result", json.dumps(payload)))
            nested = tuple(
                base64.b64decode(p["inlineData"]["data"]) for p in response.get("parts", [])
            )
            results.append(
                SentResult(response.get("id") or response["name"], text, nested, "error" in payload)
            )
            answering = True
        elif answering and "inlineData" in part:
            last = results[-1]
            image = base64.b64decode(part["inlineData"]["data"])
            results[-1] = SentResult(
                last.call_id, last.text, (*last.images, image), last.marked_error
            )
        else:
            answering = False
    return results


# --- OpenAI Responses ----------------------------------------------------------------------
def _responses_items(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [item for item in body["input"] if item.get("type", "message") == kind]


def _responses_tools(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t["parameters"] for t in body.get("tools", []) if t["type"] == "function"}


def _responses_calls(body: dict[str, Any]) -> list[SentCall]:
    return [
        SentCall(item["call_id"], item["name"], json.loads(item["arguments"]))
        for item in _responses_items(body, "function_call")
    ]


def _responses_results(body: dict[str, Any]) -> list[SentResult]:
    """``output`` is a string, or content parts when the function returned images (then an
    error is marked by a leading text part)."""
    results = []
    for item in _responses_items(body, "function_call_output"):
        output = item["output"]
        if isinstance(output, str):
            marked = output.startswith(_OPENAI_ERROR_MARK)
            text, images = output.removeprefix(_OPENAI_ERROR_MARK), ()
        else:
            texts = [p["text"] for p in output if p["type"] == "input_text"]
            marked = texts[:1] == [_OPENAI_ERROR_MARK.strip()]
            text = "".join(texts[1:] if marked else texts)
            images = tuple(
                _data_url_bytes(p["image_url"]) for p in output if p["type"] == "input_image"
            )
        results.append(SentResult(item["call_id"], text, images, marked))
    return results


WIRES = {
    "openai": Wire("/v1/chat/completions", _openai_tools, _openai_calls, _openai_results),
    "anthropic": Wire("/v1/messages", _anthropic_tools, _anthropic_calls, _anthropic_results),
    "gemini": Wire(
        "/v1beta/models/",
        _gemini_tools,
        _gemini_calls,
        _gemini_results,
        streamed=lambda r: ":streamGenerateContent" in r.path,
    ),
    "responses": Wire("/v1/responses", _responses_tools, _responses_calls, _responses_results),
}


def wire(protocol: str) -> Wire:
    if protocol not in WIRES:
        pytest.fail(f"no request reader for protocol {protocol!r}: add one entry to WIRES")
    return WIRES[protocol]


# --- the checks both frameworks' tests share ----------------------------------------------
def chat_requests(emu: Emulator, protocol: str) -> list[RecordedRequest]:
    path = wire(protocol).path
    return [r for r in emu.requests if r.path.startswith(path)]


def check_tools_offered(body: dict[str, Any], protocol: str) -> None:
    """The MCP server's tools reached the model with their typed parameters."""
    tools = wire(protocol).tools(body)
    assert set(tools) == {"add", "render_badge", "lookup_order"}
    assert {k: v["type"] for k, v in tools["add"]["properties"].items()} == {
        "a": "integer",
        "b": "integer",
    }
    assert sorted(tools["add"]["required"]) == ["a", "b"]
    assert tools["render_badge"]["properties"]["label"]["type"] == "string"


def sent_exchange(body: dict[str, Any], protocol: str) -> tuple[SentCall, SentResult]:
    """The one tool call and its result in the request that follows a tool run."""
    reader = wire(protocol)
    (call,) = reader.calls(body)
    (result,) = reader.results(body)
    assert result.call_id == call.id
    return call, result


def check_requests(
    emu: Emulator, protocol: str, *, stream: bool, error_marked: bool
) -> list[dict[str, Any]]:
    """Three agent runs, two model calls each (the tool call, then the answer): the tools
    were offered, each call came back with its arguments and its result reached the model
    (text, a PNG image, an error). Returns the request bodies."""
    requests = chat_requests(emu, protocol)
    assert len(requests) == 6, [r.path for r in emu.requests]
    bodies = [r.json for r in requests]
    assert [wire(protocol).streamed(r) for r in requests] == [stream] * 6
    check_tools_offered(bodies[0], protocol)

    call, result = sent_exchange(bodies[1], protocol)
    assert (call.name, call.args) == ("add", {"a": 17, "b": 25})
    assert (result.text, result.images, result.marked_error) == ("42", (), False)

    call, result = sent_exchange(bodies[3], protocol)
    assert (call.name, call.args) == ("render_badge", {"label": "wenwen"})
    assert len(result.images) == 1 and result.images[0].startswith(PNG_SIGNATURE)
    assert not result.marked_error

    call, result = sent_exchange(bodies[5], protocol)
    assert (call.name, call.args) == ("lookup_order", {"order_id": "A-1001"})
    assert "order 'A-1001' does not exist" in result.text
    assert result.images == ()
    assert result.marked_error is error_marked
    return bodies


EXPECTED_ANSWERS = (
    "The result of add is 42.",
    "I see 1 image. The result of render_badge is",
    "The result of lookup_order is",
)


def run_offline(name: str, protocol: str) -> str:
    """Run an example as a script on ``protocol`` with no other Wenwen settings (so on its
    own emulator); its standard output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENWEN_")}
    env.update(WENWEN_PROTOCOL=protocol, WENWEN_MODEL=model_for(protocol))
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "No WENWEN_API_KEY set: using the local Wenwen emulator" in done.stderr
    return done.stdout
