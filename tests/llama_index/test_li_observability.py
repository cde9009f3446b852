"""Token counting, instrumentation events (once per call) and keeping the key secret."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.tools import FunctionTool

from llama_index_wenwen import Wenwen, WenwenEmbedding

SECRET = "sk-wenwen-very-secret-0123456789"

QUESTION = [
    ChatMessage(role=MessageRole.SYSTEM, content="Rome is the capital of Italy."),
    ChatMessage(role=MessageRole.USER, content="What is the capital of Italy?"),
]


def counted_llm(make_llm: Callable[..., Wenwen]) -> tuple[Wenwen, TokenCountingHandler]:
    # A tokenizer that would give different numbers: only the relay's counts may be used.
    counter = TokenCountingHandler(tokenizer=lambda text: [0])
    return make_llm(callback_manager=CallbackManager([counter])), counter


def test_token_counting_uses_the_relays_usage(make_llm: Callable[..., Wenwen], caller: Any) -> None:
    llm, counter = counted_llm(make_llm)
    response = caller.chat(llm, QUESTION)
    usage = response.raw["usage"]
    assert counter.prompt_llm_token_count == usage["prompt_tokens"] > 1
    assert counter.completion_llm_token_count == usage["completion_tokens"] > 1


def test_token_counting_in_streams(make_llm: Callable[..., Wenwen], caller: Any) -> None:
    llm, counter = counted_llm(make_llm)
    chunks = caller.stream_chat(llm, QUESTION)
    usage = chunks[-1].raw["usage"]
    assert counter.prompt_llm_token_count == usage["prompt_tokens"] > 1
    assert counter.completion_llm_token_count == usage["completion_tokens"] > 1
    assert chunks[-1].additional_kwargs["total_tokens"] == usage["total_tokens"]


def test_usage_has_both_vocabularies_and_details(llm: Wenwen) -> None:
    usage = llm.chat(QUESTION).raw["usage"]
    assert usage["input_tokens"] == usage["prompt_tokens"]
    assert usage["output_tokens"] == usage["completion_tokens"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    for detail in ("cache_read_tokens", "cache_creation_tokens", "reasoning_tokens"):
        assert detail in usage


def test_one_event_set_per_call(llm: Wenwen, caller: Any, events: Any) -> None:
    caller.chat(llm, QUESTION)
    assert events.names().count("LLMChatStartEvent") == 1
    assert events.names().count("LLMChatEndEvent") == 1
    events.events.clear()
    caller.complete(llm, "Rome is the capital of Italy. What is the capital of Italy?")
    names = events.names()
    assert names.count("LLMCompletionStartEvent") == 1
    assert names.count("LLMCompletionEndEvent") == 1
    assert "LLMChatStartEvent" not in names  # complete does not also report a chat
    events.events.clear()
    chunks = caller.stream_chat(llm, QUESTION)
    names = events.names()
    assert names.count("LLMChatStartEvent") == 1 and names.count("LLMChatEndEvent") == 1
    assert names.count("LLMChatInProgressEvent") == len(chunks)


def test_structured_predict_reports_one_chat(llm: Wenwen, events: Any) -> None:
    from llama_index.core.prompts import PromptTemplate
    from pydantic import BaseModel

    class Capital(BaseModel):
        city: str

    llm.structured_predict(Capital, PromptTemplate("Rome is the capital of Italy. {q}"), q="?")
    names = events.names()
    assert names.count("LLMChatStartEvent") == 1
    assert names.count("LLMStructuredPredictStartEvent") == 1
    assert names.count("LLMStructuredPredictEndEvent") == 1


def magic_function(input: int) -> int:
    """Applies a magic function to an input."""
    return input + 2


def test_the_key_never_shows(make_llm: Callable[..., Wenwen], events: Any, emu: Any) -> None:
    llm = make_llm(api_key=SECRET, default_headers={"X-Api-Key": SECRET, "X-Trace": "t1"})
    emu.state.api_keys.append(SECRET)
    try:
        llm.chat(QUESTION)
        list(llm.stream_chat(QUESTION))
        llm.chat_with_tools([FunctionTool.from_defaults(fn=magic_function)], user_msg="hi")
    finally:
        emu.state.api_keys.remove(SECRET)
    texts = [repr(llm), str(llm), str(llm.to_dict()), llm.to_json(), llm.model_dump_json()]
    texts += [str(getattr(llm, "to_payload", dict)()), repr(llm.metadata)]
    texts += [event.model_dump_json() for event in events.events]
    texts += [repr(event) for event in events.events]
    assert events.events
    for text in texts:
        assert SECRET not in text
    assert llm.to_dict()["default_headers"]["X-Trace"] == "t1"
    restored = Wenwen.from_dict(llm.to_dict())
    assert restored.model == llm.model and restored.base_url == llm.base_url


def test_the_embedding_key_never_shows(emu: Any) -> None:
    embed = WenwenEmbedding(api_key=SECRET, base_url=emu.base_url)
    for text in (repr(embed), str(embed), str(embed.to_dict()), embed.to_json()):
        assert SECRET not in text
    assert WenwenEmbedding.class_name() == "wenwen_embedding"
