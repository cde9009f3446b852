"""``Wenwen`` chat / stream / complete against the emulator, sync and async."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import ChatMessage, MessageRole, TextBlock
from llama_index.core.llms.function_calling import FunctionCallingLLM

from llama_index_wenwen import Wenwen
from wenwen import errors
from wenwen_emulator import Emulator

CONTEXT = (
    "The Eiffel Tower is in Paris. The Colosseum stands in Rome. "
    "Mount Fuji is the highest mountain in Japan."
)


def question(text: str) -> list[ChatMessage]:
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=f"Context: {CONTEXT}"),
        ChatMessage(role=MessageRole.USER, content=text),
    ]


def test_is_a_function_calling_llm(llm: Wenwen) -> None:
    assert isinstance(llm, FunctionCallingLLM)
    assert Wenwen.class_name() == "wenwen_llm"
    assert llm.metadata.is_chat_model and llm.metadata.is_function_calling_model


def test_chat_answers_from_the_context(llm: Wenwen, caller: Any) -> None:
    response = caller.chat(llm, question("Where is the Colosseum?"))
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content == "The Colosseum stands in Rome."
    assert response.raw["usage"]["prompt_tokens"] > 0
    assert (
        response.additional_kwargs["completion_tokens"]
        == response.raw["usage"]["completion_tokens"]
    )


def test_stream_chat_chunks_are_cumulative(llm: Wenwen, caller: Any) -> None:
    chunks = caller.stream_chat(llm, question("Where is the Colosseum?"))
    assert len(chunks) > 2
    joined = "".join(c.delta or "" for c in chunks)
    assert joined == "The Colosseum stands in Rome."
    for i, chunk in enumerate(chunks[:-1]):
        assert chunk.message.content == "".join(c.delta or "" for c in chunks[: i + 1])
    final = chunks[-1]
    assert final.delta == ""
    assert final.message.content == joined
    assert final.raw["finish_reason"] == "stop"
    assert final.raw["usage"]["completion_tokens"] > 0


def test_stream_matches_non_streamed_reply(llm: Wenwen, caller: Any) -> None:
    whole = caller.chat(llm, question("What is the highest mountain in Japan?"))
    streamed = caller.stream_chat(llm, question("What is the highest mountain in Japan?"))
    assert streamed[-1].message.blocks == whole.message.blocks
    assert streamed[-1].raw["usage"]["total_tokens"] == whole.raw["usage"]["total_tokens"]


def test_complete_and_stream_complete(llm: Wenwen, caller: Any) -> None:
    prompt = f"{CONTEXT}\nQuestion: Where is the Eiffel Tower?"
    response = caller.complete(llm, prompt)
    assert response.text == "The Eiffel Tower is in Paris."
    assert response.additional_kwargs["prompt_tokens"] > 0
    chunks = caller.stream_complete(llm, prompt)
    assert "".join(c.delta or "" for c in chunks) == response.text
    assert chunks[-1].text == response.text
    assert chunks[-1].raw["usage"]["completion_tokens"] > 0


def test_only_what_the_user_set_is_sent(make_llm: Callable[..., Wenwen], chat_bodies: Any) -> None:
    make_llm().chat(question("Where is Mount Fuji?"))
    body = chat_bodies()[-1]
    assert "temperature" not in body and "max_tokens" not in body
    tuned = make_llm(
        temperature=0.3, max_tokens=50, additional_kwargs={"top_p": 0.5, "user": "u-1"}
    )
    tuned.chat(question("Where is Mount Fuji?"), seed=7)
    body = chat_bodies()[-1]
    assert body["temperature"] == 0.3
    assert body.get("max_tokens", body.get("max_completion_tokens")) == 50
    assert body["top_p"] == 0.5 and body["user"] == "u-1" and body["seed"] == 7


def test_streams_ask_for_usage(openai_llm: Wenwen, chat_bodies: Any) -> None:
    list(openai_llm.stream_chat(question("Where is Mount Fuji?")))
    body = chat_bodies()[-1]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_async_client_survives_new_event_loops(llm: Wenwen) -> None:
    for _ in range(2):  # each asyncio.run has its own loop; no "Event loop is closed"
        response = asyncio.run(llm.achat(question("Where is the Eiffel Tower?")))
        assert response.message.content == "The Eiffel Tower is in Paris."


def test_chat_history_is_not_mutated(llm: Wenwen) -> None:
    history = question("Where is the Colosseum?")
    before = [m.model_dump() for m in history]
    llm.chat(history)
    list(llm.stream_chat(history))
    assert [m.model_dump() for m in history] == before


def test_bad_key_is_an_authentication_error(make_llm: Callable[..., Wenwen]) -> None:
    llm = make_llm(api_key="sk-wrong-key-123")
    with pytest.raises(errors.AuthenticationError) as info:
        llm.chat(question("Where is Rome?"))
    assert "sk-wrong-key-123" not in str(info.value)
    assert "sk-wrong-key-123" not in repr(info.value)


def test_unknown_model_is_a_model_not_found_error(make_llm: Callable[..., Wenwen]) -> None:
    llm = make_llm(model="no-such-model-xyz")
    assert llm.metadata.context_window > 0  # an unknown name never raises locally
    with pytest.raises(errors.ModelNotFoundError):
        llm.chat(question("Where is Rome?"))


def test_missing_key_is_a_configuration_error(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WENWEN_API_KEY", raising=False)
    llm = Wenwen(base_url=emu.base_url)  # constructing needs no key and no network
    with pytest.raises(errors.ConfigurationError, match="WENWEN_API_KEY"):
        llm.chat(question("Where is Rome?"))


def test_settings_come_from_the_environment(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENWEN_API_KEY", emu.api_key)
    monkeypatch.setenv("WENWEN_BASE_URL", emu.base_url + "/v1")
    llm = Wenwen()
    assert llm.base_url == emu.base_url
    assert llm.chat(question("Where is the Eiffel Tower?")).message.content


def test_one_retry_layer_recovers_from_429(make_llm: Callable[..., Wenwen], emu: Emulator) -> None:
    emu.inject("status:429;retry_after=0", times=1)
    response = make_llm().chat(question("Where is the Colosseum?"))
    assert response.message.content == "The Colosseum stands in Rome."
    attempts = [r for r in emu.requests if r.path == "/v1/chat/completions"]
    assert len(attempts) == 2


def test_max_retries_zero_gives_up_at_once(make_llm: Callable[..., Wenwen], emu: Emulator) -> None:
    emu.inject("status:429;retry_after=0", times=3)
    with pytest.raises(errors.RateLimitError):
        make_llm(max_retries=0).chat(question("Where is the Colosseum?"))
    assert len([r for r in emu.requests if r.path == "/v1/chat/completions"]) == 1


def test_midstream_failure_is_a_stream_error(llm: Wenwen, emu: Emulator, caller: Any) -> None:
    whole = caller.chat(llm, question("What is the highest mountain in Japan?")).message.content
    emu.inject("midstream_close:6", times=1)  # after a few text deltas on both protocols
    with pytest.raises(errors.StreamError) as info:
        caller.stream_chat(llm, question("What is the highest mountain in Japan?"))
    partial = info.value.partial
    assert partial is not None
    # the text that arrived before the close: a non-empty, strict prefix of the answer
    assert partial.text and whole.startswith(partial.text) and partial.text != whole


def test_text_blocks_and_history_round_trip(llm: Wenwen, caller: Any) -> None:
    first = caller.chat(llm, question("Where is the Colosseum?"))
    history = [*question("Where is the Colosseum?"), first.message]
    history.append(ChatMessage(role=MessageRole.USER, content="And the Eiffel Tower?"))
    second = caller.chat(llm, history)
    assert second.message.content == "The Eiffel Tower is in Paris."
    assert isinstance(second.message.blocks[0], TextBlock)


def test_raw_usage_is_json_serialisable(llm: Wenwen) -> None:
    response = llm.chat(question("Where is the Colosseum?"))
    json.dumps(response.raw)
    json.dumps(response.message.additional_kwargs)
