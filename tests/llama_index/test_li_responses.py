"""``Wenwen(protocol="responses")``: reasoning as ``ThinkingBlock`` replayed across a tool
call, web search citations as ``CitationBlock``s, ``use_previous_response_id``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitationBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen
from tests._spec import validate_responses_request
from wenwen_emulator import Emulator


def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


def responses_llm(make_llm: Callable[..., Wenwen], model: str = "gpt-5", **kwargs: Any) -> Wenwen:
    return make_llm(model=model, protocol="responses", **kwargs)


@pytest.fixture(autouse=True)
def _every_request_matches_the_spec(emu: Emulator) -> Any:
    """Every request body these tests send is a valid ``CreateResponse``."""
    yield
    for recorded in emu.requests:
        if recorded.path == "/v1/responses":
            validate_responses_request(recorded.json)


def sent(emu: Emulator) -> dict[str, Any]:
    body = [r.json for r in emu.requests if r.path == "/v1/responses"][-1]
    assert isinstance(body, dict)
    return body


def final(llm: Wenwen, messages: list[ChatMessage], streamed: bool, **kwargs: Any) -> Any:
    if not streamed:
        return llm.chat(messages, **kwargs)
    chunks = list(llm.stream_chat(messages, **kwargs))
    return chunks[-1]


@pytest.mark.parametrize("streamed", [False, True])
def test_reasoning_replayed_across_a_tool_call(
    make_llm: Callable[..., Wenwen], emu: Emulator, streamed: bool
) -> None:
    llm = responses_llm(
        make_llm, reasoning_options={"effort": "low", "summary": "auto"}, store=False
    )
    tool = FunctionTool.from_defaults(fn=get_weather)
    question = ChatMessage(role=MessageRole.USER, content="What is the weather in Paris?")
    first = final(llm, [question], streamed, tools=[tool.metadata.to_openai_tool()])
    thinking = [b for b in first.message.blocks if isinstance(b, ThinkingBlock)]
    assert thinking[0].content and thinking[0].content.startswith("The user asks")
    info = thinking[0].additional_information
    assert info["signature"] and info["provider_data"]["id"].startswith("rs_")
    assert sent(emu)["include"] == ["reasoning.encrypted_content"]
    call = next(b for b in first.message.blocks if isinstance(b, ToolCallBlock))
    result = ChatMessage(
        role=MessageRole.TOOL,
        content="sunny",
        additional_kwargs={"tool_call_id": call.tool_call_id},
    )
    answer = final(llm, [question, first.message, result], streamed)
    assert "sunny" in (answer.message.content or "")
    replayed = [i for i in sent(emu)["input"] if i.get("type") == "reasoning"]
    assert replayed[0]["encrypted_content"] == info["signature"]


@pytest.mark.parametrize("streamed", [False, True])
def test_web_search_citations_are_citation_blocks(
    make_llm: Callable[..., Wenwen], emu: Emulator, streamed: bool
) -> None:
    llm = responses_llm(make_llm, model="gpt-4o", built_in_tools=[{"type": "web_search_preview"}])
    question = ChatMessage(role=MessageRole.USER, content="Latest Python news?")
    reply = final(llm, [question], streamed)
    blocks = reply.message.blocks
    assert isinstance(blocks[0], TextBlock)
    citations = [b for b in blocks if isinstance(b, CitationBlock)]
    assert len(citations) == 2
    for citation in citations:
        assert citation.source.startswith("https://example.com/")
        assert citation.source in citation.cited_content.text  # type: ignore[union-attr]
    assert reply.message.additional_kwargs["server_tool_calls"][0]["name"] == "web_search"
    assert sent(emu)["tools"] == [{"type": "web_search_preview"}]
    # sent back: the citations stay on the text, the search call goes back as its item
    llm.chat([question, reply.message, ChatMessage(role=MessageRole.USER, content="Thanks")])
    kinds = [item.get("type", "message") for item in sent(emu)["input"]]
    assert kinds == ["message", "web_search_call", "message", "message"]


def test_use_previous_response_id(make_llm: Callable[..., Wenwen], emu: Emulator) -> None:
    llm = responses_llm(make_llm, model="gpt-4o", use_previous_response_id=True)
    history = [ChatMessage(role=MessageRole.USER, content="My cat is called Miso.")]
    first = llm.chat(history)
    history += [first.message, ChatMessage(role=MessageRole.USER, content="What is my cat called?")]
    second = llm.chat(history)
    body = sent(emu)
    assert body["previous_response_id"] == first.message.additional_kwargs["response_id"]
    assert body["input"] == [{"role": "user", "content": "What is my cat called?"}]
    assert "Miso" in (second.message.content or "")
