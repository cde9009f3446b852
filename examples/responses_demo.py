"""The OpenAI Responses protocol from LangChain and LlamaIndex: reasoning carried across a
tool call, web search with citations, and a conversation continued by response id.

Runs against the Wenwen relay when WENWEN_API_KEY is set; otherwise it starts the local
emulator and says so.

    python examples/responses_demo.py
"""

from __future__ import annotations

from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from llama_index.core.base.llms.types import ChatMessage, CitationBlock, MessageRole

from langchain_wenwen import ChatWenwen
from llama_index_wenwen import Wenwen
from wenwen_emulator.offline import emulator_unless_key


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def reasoning_across_a_tool_call(base_url: str, api_key: str) -> None:
    llm = ChatWenwen(
        model="gpt-5",
        protocol="responses",
        reasoning={"effort": "low", "summary": "auto"},
        store=False,  # stateless: the encrypted reasoning travels back with the history
        base_url=base_url,
        api_key=api_key,
    ).bind_tools([get_weather])
    history: list = [HumanMessage("What is the weather in Paris?")]
    first = llm.invoke(history)
    summary = [b["reasoning"] for b in first.content_blocks if b["type"] == "reasoning"]
    print("reasoning:", summary[0] if summary else "(none)")
    print("calls:", [(c["name"], c["args"]) for c in first.tool_calls])
    history.append(first)
    for call in first.tool_calls:
        history.append(ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"]))
    print("answer:", llm.invoke(history).text)


def web_search(base_url: str, api_key: str) -> None:
    llm = ChatWenwen(
        model="gpt-4o", protocol="responses", base_url=base_url, api_key=api_key
    ).bind_tools([{"type": "web_search_preview"}])
    reply = llm.invoke("What is new in Python?")
    for block in reply.content_blocks:
        for annotation in block.get("annotations", []):  # type: ignore[attr-defined]
            print("cited:", annotation["title"], annotation["url"])


def chained_turns(base_url: str, api_key: str) -> None:
    llm = Wenwen(
        model="gpt-4o",
        protocol="responses",
        use_previous_response_id=True,  # only new messages travel; the relay keeps the rest
        base_url=base_url,
        api_key=api_key,
    )
    history = [ChatMessage(role=MessageRole.USER, content="My cat is called Miso.")]
    history.append(llm.chat(history).message)
    history.append(ChatMessage(role=MessageRole.USER, content="What is my cat called?"))
    reply = llm.chat(history)
    print("chained:", reply.message.content)
    searching = Wenwen(
        model="gpt-4o",
        protocol="responses",
        built_in_tools=[{"type": "web_search_preview"}],
        base_url=base_url,
        api_key=api_key,
    )
    answer = searching.chat([ChatMessage(role=MessageRole.USER, content="Python news?")])
    sources = [b.source for b in answer.message.blocks if isinstance(b, CitationBlock)]
    print("llama-index citations:", sources)


def main() -> None:
    with emulator_unless_key() as (base_url, api_key):
        reasoning_across_a_tool_call(base_url, api_key)
        web_search(base_url, api_key)
        chained_turns(base_url, api_key)


if __name__ == "__main__":
    main()
