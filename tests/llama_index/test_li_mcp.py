"""examples/llama_index_mcp_agent.py on every chat protocol: llama-index-tools-mcp's tools
from a stdio MCP server, called by a FunctionAgent on Wenwen, plain and streamed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from llama_index.core.base.llms.types import ImageBlock, TextBlock
from mcp.types import CallToolResult, EmbeddedResource, TextResourceContents

from llama_index_wenwen import Wenwen
from tests._mcp import (
    EXPECTED_ANSWERS,
    PNG_SIGNATURE,
    check_requests,
    load_example,
    model_for,
    run_offline,
)
from wenwen.errors import UnsupportedFeatureError
from wenwen.protocols import PROTOCOL_NAMES
from wenwen_emulator import Emulator

example = load_example("llama_index_mcp_agent.py")


@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_mcp_agent_example(emu: Emulator, protocol: str, stream: bool) -> None:
    llm = Wenwen(
        model=model_for(protocol), protocol=protocol, api_key=emu.api_key, base_url=emu.base_url
    )
    runs = asyncio.run(example.run_agent(llm, stream=stream))

    assert [len(run.calls) for run in runs] == [1, 1, 1]
    for run, expected in zip(runs, EXPECTED_ANSWERS, strict=True):
        assert run.answer.startswith(expected)
    add, badge, order = (run.calls[0] for run in runs)
    assert (add.tool_name, add.tool_kwargs) == ("add", {"a": 17, "b": 25})
    assert [b.text for b in add.tool_output.blocks if isinstance(b, TextBlock)] == ["42"]
    (image,) = badge.tool_output.blocks
    assert isinstance(image, ImageBlock) and image.resolve_image().read().startswith(PNG_SIGNATURE)
    assert order.tool_output.is_error
    assert "order 'A-1001' does not exist" in runs[2].answer

    # FunctionAgent sends a failed call back as its message only (no error flag)
    check_requests(emu, protocol, stream=stream, error_marked=False)


def test_content_blocks_refuse_what_tool_output_cannot_hold() -> None:
    resource = EmbeddedResource(
        type="resource",
        resource=TextResourceContents(uri="file:///notes.txt", text="notes"),
    )
    with pytest.raises(TypeError, match="MCP resource content is not supported"):
        example.content_blocks(CallToolResult(content=[resource]))


def test_remote_mcp_servers_are_refused_before_any_request(
    emu: Emulator, make_llm: Callable[..., Wenwen]
) -> None:
    servers = [{"type": "url", "url": "https://mcp.example.com/sse", "name": "tickets"}]
    llm = make_llm(model="claude-sonnet-4-20250514", additional_kwargs={"mcp_servers": servers})
    with pytest.raises(UnsupportedFeatureError, match=r"not relayed by Wenwen.*over stdio"):
        llm.complete("Find a train to Shanghai.")
    assert emu.requests == []


@pytest.mark.parametrize("protocol", PROTOCOL_NAMES)
def test_example_runs_offline(protocol: str) -> None:
    out = run_offline("llama_index_mcp_agent.py", protocol)
    assert "tool add({'a': 17, 'b': 25}) -> ['42']" in out
    assert "tool render_badge({'label': 'wenwen'}) -> ['<image block>']" in out
    assert "tool lookup_order({'order_id': 'A-1001'}) [error]" in out
    assert "agent: I see 1 image. The result of render_badge is" in out
