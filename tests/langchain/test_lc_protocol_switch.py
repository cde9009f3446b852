"""A conversation that changes protocol mid-way (history from one protocol sent over
another): reasoning signatures are only replayed to the protocol that issued them, the
reasoning text is kept, and nothing fails with the vendor's "invalid signature" 400."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_wenwen import ChatWenwen
from wenwen_emulator import Emulator

ANTHROPIC = "claude-sonnet-4-20250514"
THINKERS: dict[str, tuple[str, dict[str, Any]]] = {
    "gemini": ("gemini-2.5-pro", {"thinking": {"type": "enabled", "budget_tokens": 1024}}),
    "anthropic": (
        "claude-sonnet-4-20250514",
        {"thinking": {"type": "enabled", "budget_tokens": 1024}},
    ),
    "responses": ("o3", {"reasoning": {"effort": "low", "summary": "auto"}, "store": False}),
}


def thinker(emu: Emulator, protocol: str) -> ChatWenwen:
    model, params = THINKERS[protocol]
    return ChatWenwen(
        model=model, protocol=protocol, base_url=emu.base_url, api_key=emu.api_key, **params
    )


def answer(model: ChatWenwen, streamed: bool) -> AIMessage:
    prompt = [HumanMessage("Think about why the sky is blue")]
    if not streamed:
        return model.invoke(prompt)
    full: AIMessageChunk | None = None
    for chunk in model.stream(prompt):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("target", sorted(THINKERS))
@pytest.mark.parametrize("source", sorted(THINKERS))
def test_reasoning_from_one_protocol_continues_on_another(
    emu: Emulator, source: str, target: str, streamed: bool
) -> None:
    first = answer(thinker(emu, source), streamed)
    thought = first.additional_kwargs["reasoning_content"]
    assert thought
    follow_up = thinker(emu, target).invoke(
        [HumanMessage("Why is the sky blue?"), first, HumanMessage("And at dusk?")]
    )
    assert follow_up.text
    sent = str(emu.requests[-1].json)
    if target == source:
        # the issuer gets its own signatures back
        signatures = [
            b.get("signature") or b.get("extras", {}).get("signature")
            for b in first.content
            if isinstance(b, dict)
        ]
        assert any(signatures)
        assert all(s in sent for s in signatures if s)
    elif target == "gemini":  # a foreign thought goes as an unsigned thought part
        assert {"text": thought, "thought": True} in emu.requests[-1].json["contents"][1]["parts"]
        assert "thoughtSignature" not in sent
    else:
        assert "signature" not in sent and "encrypted_content" not in sent.replace(
            "reasoning.encrypted_content", ""
        )


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize(
    "target",
    [("openai", "gpt-4o"), ("anthropic", ANTHROPIC), ("gemini", "gemini-2.5-flash")],
    ids=lambda t: t[0],
)
def test_a_web_search_answer_continues_on_another_protocol(
    emu: Emulator, target: tuple[str, str], streamed: bool
) -> None:
    search = ChatWenwen(
        model="gpt-4o-mini", protocol="responses", base_url=emu.base_url, api_key=emu.api_key
    ).bind_tools([{"type": "web_search_preview"}])
    question = "Search the web: what is the latest news about Python?"
    if streamed:
        first: AIMessage | None = None
        for chunk in search.stream(question):
            first = chunk if first is None else first + chunk
        assert first is not None
    else:
        first = search.invoke(question)
    assert any(b.get("type") == "server_tool_call" for b in first.content if isinstance(b, dict))
    protocol, model = target
    other = ChatWenwen(model=model, protocol=protocol, base_url=emu.base_url, api_key=emu.api_key)
    assert other.invoke([HumanMessage(question), first, HumanMessage("More?")]).text
    sent = str(emu.requests[-1].json)
    assert first.text in sent  # the answer (with its sources) travels as text
    assert "web_search" not in sent
