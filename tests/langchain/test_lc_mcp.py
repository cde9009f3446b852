"""examples/langchain_mcp_agent.py on every chat protocol: langchain-mcp-adapters' tools from
a stdio MCP server, called by a LangChain agent on ChatWenwen, plain and streamed."""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from langchain_wenwen import ChatWenwen
from tests._mcp import EXPECTED_ANSWERS, check_requests, load_example, model_for, run_offline
from wenwen.errors import UnsupportedFeatureError
from wenwen.protocols import PROTOCOL_NAMES
from wenwen_emulator import Emulator

example = load_example("langchain_mcp_agent.py")


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_mcp_agent_example(emu: Emulator, protocol: str, stream: bool) -> None:
    llm = ChatWenwen(
        model=model_for(protocol), protocol=protocol, api_key=emu.api_key, base_url=emu.base_url
    )
    runs = asyncio.run(example.run_agent(llm, stream=stream))

    assert len(runs) == 3
    for messages, expected in zip(runs, EXPECTED_ANSWERS, strict=True):
        call, result, answer = messages[-3:]
        assert isinstance(call, AIMessage) and len(call.tool_calls) == 1
        assert isinstance(result, ToolMessage) and result.tool_call_id == call.tool_calls[0]["id"]
        assert isinstance(answer, AIMessage) and answer.text.startswith(expected)
    add, badge, order = (messages[-2] for messages in runs)
    assert add.status == "success" and add.text == "42"
    assert badge.status == "success" and [b["type"] for b in badge.content] == ["image"]
    assert order.status == "error"
    assert "order 'A-1001' does not exist" in runs[2][-1].text

    check_requests(emu, protocol, stream=stream, error_marked=True)


def test_remote_mcp_servers_are_refused_before_any_request(emu: Emulator) -> None:
    servers = [{"type": "url", "url": "https://mcp.example.com/sse", "name": "tickets"}]
    with pytest.warns(UserWarning, match="mcp_servers"):
        # written as for ChatAnthropic; an unknown argument goes to model_kwargs
        llm = ChatWenwen(
            model="claude-sonnet-4-20250514",
            api_key=emu.api_key,
            base_url=emu.base_url,
            mcp_servers=servers,
        )
    with pytest.raises(UnsupportedFeatureError, match=r"not relayed by Wenwen.*over stdio"):
        llm.invoke("Find a train to Shanghai.")
    with pytest.raises(UnsupportedFeatureError, match="'mcp_servers'"):
        list(llm.stream("Find a train to Shanghai."))
    assert emu.requests == []


@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_example_runs_offline(protocol: str) -> None:
    out = run_offline("langchain_mcp_agent.py", protocol)
    assert "ai: calls [('add', {'a': 17, 'b': 25})]" in out
    assert "tool render_badge [success]: ['<image " in out
    assert "tool lookup_order [error]" in out
    assert "ai: I see 1 image. The result of render_badge is" in out
