"""Wrong types from upstream are protocol errors: a reply or stream event with any field
replaced by a value of another JSON type either parses (the value was harmless) or raises
``ProtocolError`` / ``StreamError`` — never ``ValidationError``, ``TypeError``, ``KeyError``.

Fuzzed with hypothesis (derandomized: the same examples every run) over the recorded wire
scenarios of each protocol. A new protocol joins with one line in ``FUZZ_TARGETS``: its name
and the scenario folders (``request.json``, ``response.json``, ``stream.sse``) to mutate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenwen._http.sse import ServerSentEvent, SSEDecoder
from wenwen.errors import ProtocolError, StreamError
from wenwen.protocols import get_protocol
from wenwen.stream import StreamAccumulator
from wenwen.types import ChatRequest

WIRE = Path(__file__).parent.parent / "wire"


@dataclass(frozen=True)
class FuzzTarget:
    protocol: str
    scenarios: tuple[Path, ...]

    def __str__(self) -> str:
        return self.protocol


def _scenarios(protocol_dir: str, *names: str) -> tuple[Path, ...]:
    return tuple(WIRE / protocol_dir / name for name in names)


FUZZ_TARGETS = [
    FuzzTarget("openai", _scenarios("openai", "tools_single", "audio_reply", "reasoning_deepseek", "refusal", "relay_reasoning_images", "image_via_chat")),
    FuzzTarget("anthropic", _scenarios("anthropic", "tools", "thinking", "images", "redacted_thinking")),
    FuzzTarget("gemini", _scenarios("gemini", "function_call", "thinking", "image_output", "text", "max_tokens")),
    FuzzTarget("responses", _scenarios("responses", "function_call", "reasoning_encrypted", "web_search_citations", "incomplete", "text")),
]  # fmt: skip

WRONG_VALUES: list[Any] = [123, -1, 1.5, "text", "", None, True, [], [1, "a"], {}, {"k": 2}]


@dataclass(frozen=True)
class Scenario:
    request: ChatRequest
    reply: Any | None
    events: tuple[ServerSentEvent, ...]


@cache
def _load(folder: Path) -> Scenario:
    request = ChatRequest.model_validate_json((folder / "request.json").read_text())
    reply_file, stream_file = folder / "response.json", folder / "stream.sse"
    reply = json.loads(reply_file.read_text()) if reply_file.exists() else None
    events: tuple[ServerSentEvent, ...] = ()
    if stream_file.exists():
        decoder = SSEDecoder()
        events = tuple(decoder.feed(stream_file.read_bytes())) + tuple(decoder.flush())
    return Scenario(request, reply, events)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document (the root excluded)."""
    out: list[tuple[Any, ...]] = []
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in children:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def _json_kind(value: Any) -> str:
    return (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else type(value).__name__
    )


@st.composite
def _mutation(draw: st.DrawFn, document: Any) -> Any:
    paths = _paths(document)
    path = draw(st.sampled_from(paths))
    original: Any = document
    for key in path:
        original = original[key]
    value = draw(
        st.sampled_from([v for v in WRONG_VALUES if _json_kind(v) != _json_kind(original)])
    )
    return _replaced(document, path, value)


TYPED = ("parsed", "typed error")


def reply_outcome(protocol: str, scenario: Scenario, reply: Any) -> str:
    """Parse one reply: ``parsed``, ``typed error`` (a ``ProtocolError``), or what escaped."""
    wire = get_protocol(protocol)
    try:
        wire.parse_response(reply, scenario.request)
    except ProtocolError:
        return "typed error"
    except Exception as exc:
        return f"untyped {type(exc).__name__}: {exc}"
    return "parsed"


def stream_outcome(protocol: str, scenario: Scenario, events: list[ServerSentEvent]) -> str:
    """Decode and accumulate one stream: ``parsed``, ``typed error`` (``ProtocolError`` or
    ``StreamError``), or what escaped."""
    wire = get_protocol(protocol)
    decoder = wire.new_stream_decoder(scenario.request)
    accumulator = StreamAccumulator(
        wire.NAME, finalize=lambda r: wire.finalize_response(r, scenario.request)
    )
    try:
        for event in events:
            for item in decoder.feed(event):
                accumulator.add(item)
        for item in decoder.close():
            accumulator.add(item)
        accumulator.response()
    except (ProtocolError, StreamError):
        return "typed error"
    except Exception as exc:
        return f"untyped {type(exc).__name__}: {exc}"
    return "parsed"


FUZZ = settings(
    max_examples=120,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize("target", FUZZ_TARGETS, ids=str)
@FUZZ
@given(data=st.data())
def test_wrong_typed_reply_fields(target: FuzzTarget, data: st.DataObject) -> None:
    folder = data.draw(st.sampled_from([f for f in target.scenarios if _load(f).reply is not None]))
    scenario = _load(folder)
    assert reply_outcome(target.protocol, scenario, data.draw(_mutation(scenario.reply))) in TYPED


@pytest.mark.parametrize("target", FUZZ_TARGETS, ids=str)
@FUZZ
@given(data=st.data())
def test_wrong_typed_stream_fields(target: FuzzTarget, data: st.DataObject) -> None:
    folder = data.draw(st.sampled_from([f for f in target.scenarios if _load(f).events]))
    scenario = _load(folder)
    events = list(scenario.events)
    parsed = [(i, json.loads(e.data)) for i, e in enumerate(events) if e.data.startswith("{")]
    index, document = data.draw(st.sampled_from(parsed))
    mutated = data.draw(_mutation(document))
    events[index] = ServerSentEvent(data=json.dumps(mutated), event=events[index].event)
    assert stream_outcome(target.protocol, scenario, events) in TYPED


@pytest.mark.parametrize("target", FUZZ_TARGETS, ids=str)
def test_named_wrong_types_are_protocol_errors(target: FuzzTarget) -> None:
    """The cases users met: a numeric id and a non-string tool-call id/name."""
    scenario = _load(target.scenarios[0])
    assert scenario.reply is not None
    paths = [path for path in _paths(scenario.reply) if path[-1] in ("id", "name")]
    assert paths
    for path in paths:
        for wrong in (123, {"x": 1}):
            mutated = _replaced(scenario.reply, path, wrong)
            assert reply_outcome(target.protocol, scenario, mutated) in TYPED, path
