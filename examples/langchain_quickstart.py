"""ChatWenwen in five minutes: a chat call, a streamed answer, and an async call.

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the model,
default gpt-4o-mini); otherwise it starts the local emulator and says so.

    python examples/langchain_quickstart.py
"""

from __future__ import annotations

import asyncio
import os

from langchain_core.messages import HumanMessage, SystemMessage

from langchain_wenwen import ChatWenwen
from wenwen_emulator.offline import emulator_unless_key


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        llm = ChatWenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"),
            base_url=base_url,
            api_key=api_key,
            temperature=0,
        )

        reply = llm.invoke(
            [
                SystemMessage("You answer in one sentence."),
                HumanMessage("Paris is the capital of France. What is the capital of France?"),
            ]
        )
        print("invoke:", reply.text)
        print("usage: ", reply.usage_metadata)

        print("stream: ", end="", flush=True)
        question = "The Seine flows through Paris. Which river flows through Paris?"
        for chunk in llm.stream(question):
            print(chunk.text, end="", flush=True)
        print()

        async def ask_twice() -> list[str]:
            answers = await llm.abatch(["Hello!", "What can you do?"])
            return [a.text for a in answers]

        print("abatch:", asyncio.run(ask_twice()))


if __name__ == "__main__":
    main()
