"""examples/llama_index_mcp_agent.py on every chat protocol: llama-index-tools-mcp's tools
from a stdio MCP server, called by a FunctionAgent on Wenwen, plain and streamed."""

from __future__ import annotations

import asyncio
import base64
import sys
from collections.abc import Callable

import pytest
from llama_index.core.base.llms.types import ImageBlock, TextBlock
from llama_index.tools.mcp import McpToolSpec
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    TextContent,
    TextResourceContents,
)

from llama_index_wenwen import Wenwen
from llama_index_wenwen.mcp import McpToolError, mcp_content_blocks, mcp_tools
from tests._mcp import (
    EXAMPLES,
    EXPECTED_ANSWERS,
    PNG_SIGNATURE,
    check_requests,
    load_example,
    model_for,
    run_offline,
)
from wenwen.errors import ConfigurationError, UnsupportedFeatureError
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


def test_content_blocks_from_every_kind_of_mcp_content() -> None:
    png = base64.b64encode(PNG_SIGNATURE + b"rest").decode()
    result = CallToolResult(
        content=[
            TextContent(type="text", text="hello"),
            ImageContent(type="image", data=png, mimeType="image/png"),
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(uri="file:///notes.txt", text="notes"),
            ),
        ]
    )
    text, image, notes = mcp_content_blocks(result, "t")
    assert isinstance(text, TextBlock) and text.text == "hello"
    assert isinstance(image, ImageBlock) and image.image_mimetype == "image/png"
    assert image.resolve_image().read() == PNG_SIGNATURE + b"rest"
    assert isinstance(notes, TextBlock) and notes.text == "notes"

    failed = CallToolResult(content=[TextContent(type="text", text="no such order")], isError=True)
    with pytest.raises(McpToolError) as raised:
        mcp_content_blocks(failed, "lookup_order")
    assert (raised.value.tool, raised.value.message) == ("lookup_order", "no such order")


def test_content_blocks_refuse_what_tool_output_cannot_hold() -> None:
    blob = EmbeddedResource(
        type="resource",
        resource=BlobResourceContents(
            uri="file:///a.bin", blob="AAAA", mimeType="application/octet-stream"
        ),
    )
    audio = AudioContent(type="audio", data="AAAA", mimeType="audio/wav")
    for content in (blob, audio):
        with pytest.raises(TypeError):
            mcp_content_blocks(CallToolResult(content=[content]))
    bad_image = ImageContent(type="image", data="not base64!", mimeType="image/png")
    with pytest.raises(ValueError, match="not valid base64"):
        mcp_content_blocks(CallToolResult(content=[bad_image]))


def test_mcp_tools_takes_a_session_or_a_spec() -> None:
    async def both() -> tuple[list[str], list[str]]:
        server = StdioServerParameters(
            command=sys.executable, args=[str(EXAMPLES / "mcp_server.py")]
        )
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            from_session = await mcp_tools(session, allowed_tools=["add"])
            from_spec = await mcp_tools(McpToolSpec(client=session))
            (add,) = from_session
            output = await add.acall(a=2, b=3)
            assert [b.text for b in output.blocks if isinstance(b, TextBlock)] == ["5"]
            return [t.metadata.name for t in from_session], [t.metadata.name for t in from_spec]

    session_tools, spec_tools = asyncio.run(both())
    assert session_tools == ["add"]
    assert set(spec_tools) == {"add", "render_badge", "lookup_order"}
    with pytest.raises(ConfigurationError, match="McpToolSpec, an mcp ClientSession"):
        asyncio.run(mcp_tools(object()))


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
