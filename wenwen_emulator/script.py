"""Scripted replies: what the model answers next, written by a test.

>>> from wenwen_emulator.script import call
>>> emu.script(call("search", q="x"), "done")  # doctest: +SKIP

queues two replies: the next chat request (any protocol: chat completions, Responses,
Anthropic Messages, Gemini; stream or not) gets a call of ``search`` with ``{"q": "x"}``, the
one after it the text ``done``. Then the mock model answers again. A step is

* a string: the reply text;
* :func:`say` / :func:`call` / :func:`think` / :func:`refuse` / :func:`fail`, or a
  :class:`Step` with any mix of ``text``, ``tool_calls``, ``reasoning``, ``refusal``,
  ``usage`` (``{"input_tokens": N, "output_tokens": M}``), ``status`` (an error reply with
  that HTTP status, in the protocol's error shape) and ``fault`` (a fault spec of
  :mod:`.faults`, such as ``disconnect`` or ``midstream_close:2``);
* a dict with those keys (what ``POST /_emulator/script`` takes:
  ``{"steps": [...], "model": ..., "route": ...}``).

``model=`` limits the steps to requests for that model, ``route=`` to one protocol
(``openai`` for chat completions, ``responses``, ``anthropic``, ``gemini``) or one exact path.
Steps are consumed in order, each by one request; a request no queued script matches gets the
mock model.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .faults import FaultSpecError, parse_faults
from .mock_model import Prompt, Reply, ToolCall, prompt_tokens, stable_hex
from .tokens import count_tokens

ROUTES = ("openai", "responses", "anthropic", "gemini")
_STEP_KEYS = frozenset(
    {"text", "tool_calls", "reasoning", "refusal", "usage", "status", "message", "fault"}
)
_USAGE_KEYS = frozenset({"input_tokens", "output_tokens"})


class ScriptError(ValueError):
    """A script step that cannot be played (names the step and the field)."""


@dataclass(frozen=True)
class ScriptedCall:
    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One scripted reply. Empty fields fall back to nothing (not to the mock model)."""

    text: str = ""
    tool_calls: tuple[ScriptedCall, ...] = ()
    reasoning: str = ""
    refusal: str = ""
    usage: Mapping[str, int] | None = None
    status: int | None = None
    message: str = ""
    """The error message with ``status`` (a default one per status otherwise)."""
    fault: str = ""

    def __add__(self, other: Step | str) -> Step:
        """``think("...") + call("f")`` (or ``+ "text"``): one reply with both parts."""
        if isinstance(other, str):
            other = Step(text=other)
        return Step(
            text=self.text + other.text,
            tool_calls=self.tool_calls + other.tool_calls,
            reasoning=self.reasoning + other.reasoning,
            refusal=self.refusal + other.refusal,
            usage=other.usage or self.usage,
            status=other.status or self.status,
            message=other.message or self.message,
            fault=",".join(f for f in (self.fault, other.fault) if f),
        )


def say(text: str) -> Step:
    """A text reply."""
    return Step(text=text)


def call(name: str, arguments: Mapping[str, Any] | None = None, /, **kwargs: Any) -> Step:
    """A reply that calls tool ``name`` with ``arguments`` (a dict, or keyword arguments)."""
    return Step(tool_calls=(ScriptedCall(name, {**(arguments or {}), **kwargs}),))


def think(reasoning: str) -> Step:
    """Reasoning (thinking) in front of the reply; add it to another step with ``+``."""
    return Step(reasoning=reasoning)


def refuse(refusal: str = "I can't help with that.") -> Step:
    """A refusal: OpenAI's ``refusal`` field, Anthropic's ``stop_reason: "refusal"``,
    Gemini's ``finishReason: "SAFETY"``."""
    return Step(refusal=refusal)


def fail(status: int, message: str = "") -> Step:
    """An error reply with HTTP ``status`` in the protocol's error shape."""
    return Step(status=status, message=message)


def fault(spec: str) -> Step:
    """A transport fault (``disconnect``, ``midstream_close:N``, ``malformed_json``, ...)."""
    return Step(fault=spec)


def usage(input_tokens: int, output_tokens: int) -> Step:
    """The usage figures of the reply (add it to another step with ``+``)."""
    return Step(usage={"input_tokens": input_tokens, "output_tokens": output_tokens})


def to_step(value: Any, where: str = "step") -> Step:
    """A :class:`Step` from a step, a string or a dict (the control endpoint's JSON)."""
    if isinstance(value, Step):
        step = value
    elif isinstance(value, str):
        step = Step(text=value)
    elif isinstance(value, Mapping):
        step = _from_mapping(value, where)
    else:
        raise ScriptError(f"{where}: expected a string, a dict or a Step, not {type(value)}")
    _check(step, where)
    return step


def _from_mapping(value: Mapping[str, Any], where: str) -> Step:
    unknown = sorted(set(value) - _STEP_KEYS)
    if unknown:
        raise ScriptError(f"{where}: unknown keys {unknown} (allowed: {sorted(_STEP_KEYS)})")
    calls = []
    for i, raw in enumerate(value.get("tool_calls") or []):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
            raise ScriptError(f"{where}.tool_calls[{i}]: expected {{'name': str, 'arguments'}}")
        arguments = raw.get("arguments") or {}
        if not isinstance(arguments, Mapping):
            raise ScriptError(f"{where}.tool_calls[{i}].arguments: expected an object")
        calls.append(ScriptedCall(raw["name"], dict(arguments)))
    status = value.get("status")
    return Step(
        text=_text(value, "text", where),
        tool_calls=tuple(calls),
        reasoning=_text(value, "reasoning", where),
        refusal=_text(value, "refusal", where),
        usage=value.get("usage"),
        status=status,
        message=_text(value, "message", where),
        fault=_text(value, "fault", where),
    )


def _text(value: Mapping[str, Any], key: str, where: str) -> str:
    text = value.get(key) or ""
    if not isinstance(text, str):
        raise ScriptError(f"{where}.{key}: expected a string")
    return text


def _check(step: Step, where: str) -> None:
    if step.status is not None and (
        not isinstance(step.status, int) or isinstance(step.status, bool) or step.status < 400
    ):
        raise ScriptError(f"{where}.status: expected an HTTP error status (400-599)")
    if step.status is not None and step.status > 599:
        raise ScriptError(f"{where}.status: expected an HTTP error status (400-599)")
    if step.usage is not None:
        bad = set(step.usage) - _USAGE_KEYS
        values_ok = all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in step.usage.values()
        )
        if bad or not values_ok:
            raise ScriptError(f"{where}.usage: expected non-negative input_tokens/output_tokens")
    if step.fault:
        try:
            parse_faults(step.fault)
        except FaultSpecError as exc:
            raise ScriptError(f"{where}.fault: {exc}") from None


@dataclass
class _Queued:
    step: Step
    model: str | None
    route: str | None


def route_of(method: str, path: str) -> str | None:
    """Which chat protocol a request speaks (``None`` for other routes)."""
    if method != "POST":
        return None
    if path == "/v1/chat/completions":
        return "openai"
    if path == "/v1/responses":
        return "responses"
    if path == "/v1/messages":
        return "anthropic"
    if path.endswith((":generateContent", ":streamGenerateContent")):
        return "gemini"
    return None


class ScriptQueue:
    """The queued steps, shared between the server thread and the test (thread-safe)."""

    def __init__(self) -> None:
        self._items: list[_Queued] = []
        self._lock = threading.Lock()

    def add(
        self, steps: Iterable[Any], *, model: str | None = None, route: str | None = None
    ) -> None:
        if route is not None and route not in ROUTES and not route.startswith("/"):
            raise ScriptError(f"route: expected one of {list(ROUTES)} or a path, not {route!r}")
        checked = [to_step(s, f"steps[{i}]") for i, s in enumerate(steps)]
        with self._lock:
            self._items.extend(_Queued(step, model, route) for step in checked)

    def pop(self, protocol: str, path: str, model: str | None) -> Step | None:
        """The first queued step this request matches (removed), or ``None``."""
        with self._lock:
            for item in self._items:
                if item.model is not None and item.model != model:
                    continue
                if item.route is not None and item.route not in (protocol, path):
                    continue
                self._items.remove(item)
                return item.step
        return None

    def pending(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def scripted_reply(step: Step, prompt: Prompt) -> Reply:
    """The mock model's :class:`Reply` for ``step`` (token counts as for any reply unless the
    step sets ``usage``)."""
    seed = [(t.role, t.text) for t in prompt.turns]
    calls = [
        ToolCall(id=stable_hex(seed, c.name, i, "script"), name=c.name, arguments=dict(c.arguments))
        for i, c in enumerate(step.tool_calls)
    ]
    finish = "tool_calls" if calls else ("refusal" if step.refusal else "stop")
    reply = Reply(
        text=step.text,
        reasoning=step.reasoning,
        tool_calls=calls,
        finish=finish,
        refusal=step.refusal,
        prompt_tokens=prompt_tokens(prompt),
    )
    reply.reasoning_tokens = count_tokens(reply.reasoning)
    reply.completion_tokens = (
        count_tokens(reply.text + reply.refusal)
        + reply.reasoning_tokens
        + sum(count_tokens(c.name) + count_tokens(c.arguments_json) for c in calls)
    )
    if step.usage is not None:
        reply.prompt_tokens = step.usage.get("input_tokens", reply.prompt_tokens)
        reply.completion_tokens = step.usage.get("output_tokens", reply.completion_tokens)
        reply.reasoning_tokens = min(reply.reasoning_tokens, reply.completion_tokens)
    return reply
