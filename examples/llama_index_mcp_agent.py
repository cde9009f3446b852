"""MCP tools in a LlamaIndex FunctionAgent on Wenwen (Wenwen's "MCP call (stdio)").

The official ``mcp`` client starts the MCP server in ``mcp_server.py`` over stdio, and
``llama-index-tools-mcp``'s ``McpToolSpec`` turns its tools into ``FunctionTool``s. Those
return MCP's raw ``CallToolResult``, which LlamaIndex would send to the model as its Python
repr; ``with_content_blocks`` wraps each tool so that text comes back as ``TextBlock``s,
images as ``ImageBlock``s (the model sees the picture) and an MCP error result as a raised
error (the agent reports it to the model as a failed call).

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the model,
default gpt-4o-mini; WENWEN_PROTOCOL the chat protocol: auto, the default, picks it from the
model; or openai, anthropic, gemini, responses); otherwise it starts the local emulator and
says so. Needs ``pip install "wenwen-ai[mcp]"``.

    python examples/llama_index_mcp_agent.py
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import ContentBlock, ImageBlock, TextBlock
from llama_index.core.tools import FunctionTool
from llama_index.tools.mcp import McpToolSpec
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult, ImageContent, TextContent

from llama_index_wenwen import Wenwen
from wenwen_emulator.offline import emulator_unless_key

SERVER = Path(__file__).with_name("mcp_server.py")
QUESTIONS = (
    "What is 17 plus 25? Use the add tool.",
    "Draw a badge for the label 'wenwen' with render_badge.",
    "What is the status of order 'A-1001'? Use lookup_order.",
)
SYSTEM_PROMPT = "Use the tools, then answer briefly from their results."


class McpToolError(RuntimeError):
    """An MCP tool reported an error result (``isError``)."""


def content_blocks(result: CallToolResult) -> list[ContentBlock]:
    """An MCP tool result as LlamaIndex content blocks; raises ``McpToolError`` for an
    error result and ``TypeError`` for content LlamaIndex tool output cannot hold."""
    blocks: list[ContentBlock] = []
    for item in result.content:
        if isinstance(item, TextContent):
            blocks.append(TextBlock(text=item.text))
        elif isinstance(item, ImageContent):
            image = base64.b64decode(item.data)
            blocks.append(ImageBlock(image=image, image_mimetype=item.mimeType))
        else:
            raise TypeError(f"MCP {item.type} content is not supported as a tool result")
    if result.isError:
        raise McpToolError(" ".join(b.text for b in blocks if isinstance(b, TextBlock)))
    return blocks


def with_content_blocks(tool: FunctionTool) -> FunctionTool:
    """``tool`` (from ``McpToolSpec``) returning content blocks instead of the raw result."""

    async def call(**kwargs: Any) -> list[ContentBlock]:
        return content_blocks((await tool.acall(**kwargs)).raw_output)

    return FunctionTool.from_defaults(async_fn=call, tool_metadata=tool.metadata)


@dataclass
class Run:
    """One agent run: the question, the tool calls with their results, the answer."""

    question: str
    calls: list[ToolCallResult] = field(default_factory=list)
    answer: str = ""


async def run_agent(llm: Wenwen, *, stream: bool = False) -> list[Run]:
    """Ask every question in ``QUESTIONS`` (one agent run each, sharing one MCP server
    process). ``stream`` streams the model's replies."""
    server = StdioServerParameters(command=sys.executable, args=[str(SERVER)])
    runs = []
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        spec_tools = await McpToolSpec(client=session).to_tool_list_async()
        agent = FunctionAgent(
            tools=[with_content_blocks(tool) for tool in spec_tools],
            llm=llm,
            system_prompt=SYSTEM_PROMPT,
            streaming=stream,
        )
        for question in QUESTIONS:
            run = Run(question)
            handler = agent.run(question)
            async for event in handler.stream_events():
                if isinstance(event, ToolCallResult):
                    run.calls.append(event)
            run.answer = str(await handler)
            runs.append(run)
    return runs


def describe(run: Run) -> list[str]:
    lines = [f"  user: {run.question}"]
    for call in run.calls:
        output = call.tool_output
        shown = [
            b.text if isinstance(b, TextBlock) else f"<{b.block_type} block>" for b in output.blocks
        ]
        error = " [error]" if output.is_error else ""
        lines.append(f"  tool {call.tool_name}({call.tool_kwargs}){error} -> {shown}")
    lines.append(f" agent: {run.answer}")
    return lines


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        llm = Wenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"),
            protocol=os.environ.get("WENWEN_PROTOCOL", "auto"),
            base_url=base_url,
            api_key=api_key,
        )
        for run in asyncio.run(run_agent(llm, stream=True)):
            print("\n".join(describe(run)))


if __name__ == "__main__":
    main()
