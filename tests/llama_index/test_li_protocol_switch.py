"""A LlamaIndex conversation that changes protocol mid-way: reasoning signed by one protocol
is sent to another as unsigned text (never its signature, which the other vendor rejects
with a 400), and the issuer still gets its own signatures back."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock

from llama_index_wenwen import Wenwen
from wenwen_emulator import Emulator

THINKING = {"type": "enabled", "budget_tokens": 1024}
THINKERS: dict[str, tuple[str, dict[str, Any]]] = {
    "gemini": ("gemini-2.5-pro", {"thinking": THINKING}),
    "anthropic": ("claude-sonnet-4-20250514", {"thinking": THINKING}),
    "responses": (
        "o3",
        {"reasoning_options": {"effort": "low", "summary": "auto"}, "store": False},
    ),
}


def thinker(emu: Emulator, protocol: str) -> Wenwen:
    model, params = THINKERS[protocol]
    return Wenwen(
        model=model, protocol=protocol, base_url=emu.base_url, api_key=emu.api_key, **params
    )


def answer(llm: Wenwen, streamed: bool) -> ChatMessage:
    return answer_to(
        llm, [ChatMessage(role="user", content="Think about why the sky is blue")], streamed
    )


def answer_to(llm: Wenwen, prompt: list[ChatMessage], streamed: bool) -> ChatMessage:
    if not streamed:
        return llm.chat(prompt).message
    chunks = list(llm.stream_chat(prompt))
    assert chunks
    return chunks[-1].message


@pytest.mark.parametrize("streamed", [False, True], ids=["chat", "stream_chat"])
@pytest.mark.parametrize("target", sorted(THINKERS))
@pytest.mark.parametrize("source", sorted(THINKERS))
def test_reasoning_from_one_protocol_continues_on_another(
    emu: Emulator, source: str, target: str, streamed: bool
) -> None:
    first = answer(thinker(emu, source), streamed)
    thinking = [b for b in first.blocks if isinstance(b, ThinkingBlock)]
    signatures = [b.additional_information.get("signature") for b in thinking]
    assert any(signatures)
    thought = "".join(b.content or "" for b in thinking)
    assert thought
    history = [
        ChatMessage(role="user", content="Why is the sky blue?"),
        first,
        ChatMessage(role="user", content="And at dusk?"),
    ]
    follow_up = thinker(emu, target).chat(history)
    assert follow_up.message.content
    sent = str(emu.requests[-1].json)
    if target == source:
        assert all(s in sent for s in signatures if s)
    else:
        assert not any(s in sent for s in signatures if s)
        if target == "gemini":  # a foreign thought goes as an unsigned thought part
            parts = emu.requests[-1].json["contents"][1]["parts"]
            assert {"text": thought, "thought": True} in parts


@pytest.mark.parametrize("streamed", [False, True], ids=["chat", "stream_chat"])
@pytest.mark.parametrize(
    "target",
    [("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4-20250514"), ("gemini", "gemini-2.5-pro")],
    ids=lambda t: t[0],
)
def test_a_web_search_answer_continues_on_another_protocol(
    emu: Emulator, target: tuple[str, str], streamed: bool
) -> None:
    search = Wenwen(
        model="gpt-4o-mini",
        protocol="responses",
        built_in_tools=[{"type": "web_search_preview"}],
        base_url=emu.base_url,
        api_key=emu.api_key,
    )
    question = ChatMessage(role="user", content="Search the web: what is the latest news?")
    first = answer_to(search, [question], streamed)
    assert first.additional_kwargs["server_tool_calls"]
    protocol, model = target
    other = Wenwen(model=model, protocol=protocol, base_url=emu.base_url, api_key=emu.api_key)
    history = [question, first, ChatMessage(role="user", content="More?")]
    assert other.chat(history).message.content
    sent = str(emu.requests[-1].json)
    assert str(first.content) in sent  # the answer (with its sources) travels as text
    assert "web_search" not in sent
    # the issuer still gets its own record back
    search.chat(history)
    assert "web_search" in str(emu.requests[-1].json)
