"""A tool-calling agent built with LangChain's own agent API (``langchain.agents.create_agent``)
on top of ChatWenwen.

Runs against the Wenwen relay when WENWEN_API_KEY is set (WENWEN_MODEL picks the model,
default gpt-4o-mini); otherwise it starts the local emulator and says so. Needs
``pip install langchain`` (LangChain v1, which brings langgraph).

    python examples/langchain_agent.py
"""

from __future__ import annotations

import os

from langchain.agents import create_agent
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen
from wenwen_emulator.offline import emulator_unless_key


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    forecasts = {"paris": "sunny, 24 °C", "london": "light rain, 16 °C"}
    return forecasts.get(city.lower(), "cloudy, 19 °C")


@tool
def convert_celsius(celsius: float) -> float:
    """Convert a temperature from Celsius to Fahrenheit."""
    return celsius * 9 / 5 + 32


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        llm = ChatWenwen(
            model=os.environ.get("WENWEN_MODEL", "gpt-4o-mini"),
            base_url=base_url,
            api_key=api_key,
            temperature=0,
        )
        agent = create_agent(
            llm,
            tools=[get_weather, convert_celsius],
            system_prompt="You are a weather assistant. Use the tools, then answer briefly.",
        )
        result = agent.invoke(
            {
                "messages": [
                    {"role": "user", "content": "What is the weather in 'Paris'? Use get_weather."}
                ]
            }
        )
        for message in result["messages"]:
            calls = getattr(message, "tool_calls", None)
            detail = f" -> calls {[(c['name'], c['args']) for c in calls]}" if calls else ""
            print(f"{message.type:>6}: {message.text}{detail}")


if __name__ == "__main__":
    main()
