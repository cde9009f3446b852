"""MCP tools in a LangChain agent on ChatWenwen (Wenwen's "MCP call (stdio)").

``langchain-mcp-adapters`` starts the MCP server in ``mcp_server.py`` over stdio and turns
its tools into LangChain tools; ``langchain.agents.create_agent`` lets ChatWenwen call them.
The three questions make the model call a tool that returns text, one that returns an
image (sent to the model as an image) and one that fails (sent back as an error result).

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the model,
default gpt-4o-mini; WENWEN_PROTOCOL the chat protocol: auto, the default, picks it from the
model; or openai, anthropic, gemini, responses); otherwise it starts the local emulator and
says so. Needs the ``[mcp]`` extra and langchain (``pip install -e ".[all]"`` in a clone).

    python examples/langchain_mcp_agent.py
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from langchain.agents import create_agent
from langchain_core.messages import BaseMessage
from langchain_mcp_adapters.client import MultiServerMCPClient
from langchain_mcp_adapters.tools import load_mcp_tools

from langchain_wenwen import ChatWenwen
from wenwen_emulator.offline import emulator_unless_key

SERVER = Path(__file__).with_name("mcp_server.py")
QUESTIONS = (
    "What is 17 plus 25? Use the add tool.",
    "Draw a badge for the label 'wenwen' with render_badge.",
    "What is the status of order 'A-1001'? Use lookup_order.",
)
SYSTEM_PROMPT = "Use the tools, then answer briefly from their results."


async def run_agent(llm: ChatWenwen, *, stream: bool = False) -> list[list[BaseMessage]]:
    """Ask every question in ``QUESTIONS`` (one agent run each, sharing one MCP server
    process) and return each run's messages. ``stream`` streams the model's replies."""
    client = MultiServerMCPClient(
        {"demo": {"transport": "stdio", "command": sys.executable, "args": [str(SERVER)]}}
    )
    runs = []
    async with client.session("demo") as session:
        tools = await load_mcp_tools(session)
        agent = create_agent(llm, tools=tools, system_prompt=SYSTEM_PROMPT)
        for question in QUESTIONS:
            state = {"messages": [{"role": "user", "content": question}]}
            if stream:
                # "messages" mode makes the agent stream the model's tokens (and tool-call
                # chunks); "values" yields the state after each step, the last one complete
                final: dict = {}
                async for mode, chunk in agent.astream(state, stream_mode=["messages", "values"]):
                    if mode == "values":
                        final = chunk
                runs.append(final["messages"])
            else:
                runs.append((await agent.ainvoke(state))["messages"])
    return runs


def describe(message: BaseMessage) -> str:
    """One line per message; images are shown by their size, not their bytes."""
    if message.type == "tool":
        status = getattr(message, "status", "success")
        blocks = message.content if isinstance(message.content, list) else [message.content]
        shown = [
            f"<{b['type']} {len(b.get('base64', ''))} base64 chars>"
            if isinstance(b, dict) and b.get("type") != "text"
            else (b.get("text") if isinstance(b, dict) else str(b))
            for b in blocks
        ]
        return f"  tool {message.name} [{status}]: {shown}"
    calls = getattr(message, "tool_calls", None)
    if calls:
        return f"{message.type:>6}: calls {[(c['name'], c['args']) for c in calls]}"
    return f"{message.type:>6}: {message.text}"


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        llm = ChatWenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"),
            protocol=os.environ.get("WENWEN_PROTOCOL", "auto"),
            base_url=base_url,
            api_key=api_key,
            temperature=0,
        )
        for messages in asyncio.run(run_agent(llm, stream=True)):
            for message in messages:
                print(describe(message))


if __name__ == "__main__":
    main()
