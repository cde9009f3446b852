import pytest
from langchain.agents import create_agent
from langchain_core.tools import tool

from langchain_wenwen import ChatWenwen
from wenwen_emulator.script import call


@tool
def search(q: str) -> str:
    """Search the knowledge base."""
    return f"Results for {q}: nothing new."


@pytest.mark.parametrize(
    ("model", "protocol"),
    [
        ("gpt-4o-mini", "openai"),
        ("gpt-4o-mini", "responses"),
        ("claude-sonnet-4-5-20250929", "anthropic"),
        ("gemini-2.5-flash", "gemini"),
    ],
)
def test_agent_searches_then_answers(wenwen_emulator, model, protocol):
    wenwen_emulator.script(call("search", q="x"), "done")
    agent = create_agent(ChatWenwen(model=model, protocol=protocol), tools=[search])

    result = agent.invoke({"messages": [("user", "Find x for me.")]})

    assert result["messages"][-1].text == "done"
    sent = wenwen_emulator.requests.last  # what the agent sent on its second turn
    assert sent.model == model and sent.tools == ["search"]
    assert sent.messages[-1] == {"role": "tool", "content": "Results for x: nothing new."}
