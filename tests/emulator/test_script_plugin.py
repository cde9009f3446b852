"""Scripted replies through the pytest plugin's fixture: one user test, written once, run
unchanged on all four protocols, whole and streamed (the client reads ``WENWEN_*``, which the
fixture points at the emulator)."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest

from wenwen import WenwenClient
from wenwen.errors import WenwenError
from wenwen.types import ChatRequest, ChatResponse, Message, TextPart, Tool, ToolResultPart
from wenwen_emulator.pytest_plugin import EmulatorHandle
from wenwen_emulator.script import ScriptError, call, fail, refuse, think, usage

MODELS = {
    "openai": "gpt-4o",
    "responses": "gpt-4o",
    "anthropic": "claude-sonnet-4-5-20250929",
    "gemini": "gemini-2.5-flash",
}
SEARCH = Tool(
    name="search",
    description="Search the web",
    parameters={"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
)


@pytest.fixture(params=sorted(MODELS))
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["whole", "stream"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def send(client: WenwenClient, request: ChatRequest, protocol: str, mode: str) -> ChatResponse:
    if mode == "whole":
        return client.chat(request, protocol=protocol)
    with client.stream(request, protocol=protocol) as stream:
        for _ in stream:
            pass
        return stream.response()


def test_the_model_calls_search_then_answers_done(
    wenwen_emulator: EmulatorHandle, protocol: str, mode: str
) -> None:
    wenwen_emulator.script(call("search", q="x"), "done")
    request = ChatRequest(
        model=MODELS[protocol], messages=[Message.of("user", "Find x.")], tools=[SEARCH]
    )
    with WenwenClient() as client:  # WENWEN_BASE_URL / WENWEN_API_KEY come from the fixture
        first = send(client, request, protocol, mode)
        [tool_call] = first.tool_calls
        assert (tool_call.name, tool_call.parsed_arguments()) == ("search", {"q": "x"})
        result = ToolResultPart(
            tool_call_id=tool_call.id, name="search", content=[TextPart(text="x is 42")]
        )
        request.messages += [first.message(), Message(role="tool", parts=[result])]
        second = send(client, request, protocol, mode)
    assert second.text == "done" and not second.tool_calls
    sent = wenwen_emulator.requests.last
    assert sent.model == MODELS[protocol] and sent.tools == ["search"]
    assert [m["role"] for m in sent.messages] == ["user", "assistant", "tool"]
    assert sent.messages[-1]["content"].find("x is 42") >= 0
    assert sent.messages[1]["tool_calls"] == [{"name": "search", "arguments": {"q": "x"}}]


def test_after_the_script_the_mock_model_answers(
    wenwen_emulator: EmulatorHandle, protocol: str
) -> None:
    wenwen_emulator.script("scripted")
    request = ChatRequest(model=MODELS[protocol], messages=[Message.of("user", "Hello")])
    with WenwenClient() as client:
        assert client.chat(request, protocol=protocol).text == "scripted"
        assert client.chat(request, protocol=protocol).text != "scripted"


def test_refusal_reasoning_and_usage(
    wenwen_emulator: EmulatorHandle, protocol: str, mode: str
) -> None:
    wenwen_emulator.script(refuse("No.") + usage(11, 7), think("Let me see.") + "Yes.")
    request = ChatRequest(model=MODELS[protocol], messages=[Message.of("user", "Hello")])
    with WenwenClient() as client:
        refused = send(client, request, protocol, mode)
        answered = send(client, request, protocol, mode)
    if protocol == "gemini":  # Gemini has no refusal text: finishReason SAFETY, no parts
        assert refused.finish_reason == "content_filter" and not refused.text
    else:
        assert (refused.refusal or refused.text) == "No."
    assert refused.usage is not None
    assert (refused.usage.input_tokens, refused.usage.output_tokens) == (11, 7)
    assert answered.text == "Yes."


def test_error_status_in_each_protocols_shape(
    wenwen_emulator: EmulatorHandle, protocol: str
) -> None:
    wenwen_emulator.script(fail(429, "slow down"))
    request = ChatRequest(model=MODELS[protocol], messages=[Message.of("user", "Hello")])
    with WenwenClient(max_retries=0) as client, pytest.raises(WenwenError) as caught:
        client.chat(request, protocol=protocol)
    assert caught.value.status_code == 429


def test_fault_then_recovery(wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script({"fault": "status:503"}, "after the retry")
    request = ChatRequest(model="gpt-4o", messages=[Message.of("user", "Hello")])
    with WenwenClient(max_retries=1) as client:
        assert client.chat(request).text == "after the retry"
    assert len(wenwen_emulator.requests.chat) == 2


def test_steps_per_model_and_route(wenwen_emulator: EmulatorHandle) -> None:
    wenwen_emulator.script("for claude", model=MODELS["anthropic"])
    wenwen_emulator.script("for gemini", route="gemini")
    with WenwenClient() as client:

        def ask(protocol: str) -> str:
            request = ChatRequest(model=MODELS[protocol], messages=[Message.of("user", "Hi")])
            return client.chat(request, protocol=protocol).text

        assert ask("openai") != "for claude"
        assert ask("gemini") == "for gemini"
        assert ask("anthropic") == "for claude"


def test_control_endpoint_queues_steps(wenwen_emulator: EmulatorHandle) -> None:
    steps = [{"tool_calls": [{"name": "search", "arguments": {"q": "y"}}]}, {"text": "ok"}]
    reply = httpx.post(wenwen_emulator.base_url + "/_emulator/script", json={"steps": steps})
    assert reply.json() == {"ok": True, "pending": 2}
    bad = httpx.post(
        wenwen_emulator.base_url + "/_emulator/script", json={"steps": [{"txt": "typo"}]}
    )
    assert bad.status_code == 400 and "txt" in bad.json()["error"]


@pytest.mark.parametrize(
    ("step", "field"),
    [({"status": 200}, "status"), ({"usage": {"input": 1}}, "usage"), ({"fault": "nope"}, "fault")],
)
def test_bad_steps_are_named(wenwen_emulator: EmulatorHandle, step: Any, field: str) -> None:
    with pytest.raises(ScriptError, match=rf"steps\[0\]\.{field}"):
        wenwen_emulator.script(step)


def test_fixture_points_the_environment_at_the_emulator(
    wenwen_emulator: EmulatorHandle,
) -> None:
    assert os.environ["WENWEN_BASE_URL"] == wenwen_emulator.base_url
    assert os.environ["WENWEN_API_KEY"] == wenwen_emulator.api_key
    assert not wenwen_emulator.live and len(wenwen_emulator.requests) == 0
