"""A LlamaIndex FunctionAgent on a Wenwen model: it calls a Python tool and answers with the
result, streaming its text (and the model's reasoning, for reasoning models) as it arrives.

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the model);
otherwise it starts the local emulator and says so.

    python examples/llama_index_agent.py
"""

from __future__ import annotations

import asyncio
import os

from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen
from wenwen_emulator.offline import emulator_unless_key


def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


async def ask(agent: FunctionAgent, question: str) -> None:
    print("user:", question)
    handler = agent.run(question)
    thinking = False
    async for event in handler.stream_events():
        if isinstance(event, AgentStream) and event.thinking_delta:
            if not thinking:
                print("  thinking: ", end="")
                thinking = True
            print(event.thinking_delta, end="", flush=True)
        elif isinstance(event, ToolCallResult):
            if thinking:
                print()
                thinking = False
            print(f"  tool {event.tool_name}({event.tool_kwargs}) -> {event.tool_output}")
    if thinking:
        print()
    print("agent:", await handler)


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        llm = Wenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"), base_url=base_url, api_key=api_key
        )
        agent = FunctionAgent(
            tools=[FunctionTool.from_defaults(fn=magic_function)],
            llm=llm,
            system_prompt="Use the tools when they help.",
        )
        asyncio.run(ask(agent, "What is the value of magic_function(3)? Use the tool."))


if __name__ == "__main__":
    main()
