"""MCP tools in a LlamaIndex FunctionAgent on Wenwen (Wenwen's "MCP call (stdio)").

The official ``mcp`` client starts the MCP server in ``mcp_server.py`` over stdio, and
``llama_index_wenwen.mcp.mcp_tools`` turns its tools into ``FunctionTool``s (through
``llama-index-tools-mcp``'s ``McpToolSpec``) whose results are content blocks: text as
``TextBlock``s, images as ``ImageBlock``s (the model sees the picture) and an MCP error result
as a raised error (the agent reports it to the model as a failed call).

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the model,
default gpt-4o-mini; WENWEN_PROTOCOL the chat protocol: auto, the default, picks it from the
model; or openai, anthropic, gemini, responses); otherwise it starts the local emulator and
says so. Needs the ``[mcp]`` extra (``pip install -e ".[all]"`` in a clone includes it).

    python examples/llama_index_mcp_agent.py
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import TextBlock
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from llama_index_wenwen import Wenwen
from llama_index_wenwen.mcp import mcp_tools
from wenwen_emulator.offline import emulator_unless_key

SERVER = Path(__file__).with_name("mcp_server.py")
QUESTIONS = (
    "What is 17 plus 25? Use the add tool.",
    "Draw a badge for the label 'wenwen' with render_badge.",
    "What is the status of order 'A-1001'? Use lookup_order.",
)
SYSTEM_PROMPT = "Use the tools, then answer briefly from their results."


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
        agent = FunctionAgent(
            tools=await mcp_tools(session),
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
