"""langchain-tests integration suites, against the local Wenwen emulator.

Capability flags are set to what the adapter and the core protocol really carry:

* images (base64 and URL), PDFs and audio go over the OpenAI protocol as ``image_url``,
  ``file`` and ``input_audio`` parts; images returned by tools travel too;
* PDFs returned by tools cannot: the neutral ``ToolResultPart`` holds text and images only;
* Anthropic-format inputs (``tool_use``, ``thinking`` + ``signature``, ``cache_control``,
  ``source`` image blocks, Anthropic tool dicts) are accepted on either protocol;
* usage details: reasoning tokens (reasoning models) and cache reads (long prompts; the
  emulator reports cached tokens like OpenAI's automatic prompt cache) over OpenAI; cache
  reads and cache creations (``cache_control``) over Anthropic, whose wire has no audio.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_tests.integration_tests import (
    ChatModelIntegrationTests,
    EmbeddingsIntegrationTests,
)

from langchain_wenwen import ChatWenwen, WenwenEmbeddings
from tests.wire.gemini._proto import check_request
from wenwen_emulator import Emulator

UsageDetail = Literal[
    "audio_input", "audio_output", "reasoning_output", "cache_read_input", "cache_creation_input"
]

# Over 1024 prompt tokens, so that a repeated prompt reports cached tokens.
LONG_CONTEXT = " ".join(
    f"Fact {i}: the archive shelf {i} holds volume {i * 7}." for i in range(220)
)


class EmulatorBound:
    """Gives the suite classes the session emulator (autouse runs before the ``model``
    fixture, so the param properties can read it)."""

    emulator: Emulator

    @pytest.fixture(autouse=True)
    def _bind_emulator(self, emu: Emulator) -> None:
        self.emulator = emu

    def connection(self) -> dict[str, Any]:
        return {"base_url": self.emulator.base_url, "api_key": self.emulator.api_key}


def _run(model: BaseChatModel, prompt: Any, *, stream: bool) -> AIMessage:
    if not stream:
        result = model.invoke(prompt)
        assert isinstance(result, AIMessage)
        return result
    full: AIMessageChunk | None = None
    for chunk in model.stream(prompt):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


class ChatSuite(EmulatorBound, ChatModelIntegrationTests):
    """Capabilities both protocols share; each subclass adds its model and its own flags."""

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatWenwen

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True


class TestChatWenwenOpenAIProtocol(ChatSuite):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", **self.connection()}

    @property
    def model_override_value(self) -> str:
        return "gpt-4o"

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(
        self,
    ) -> dict[Literal["invoke", "stream"], list[UsageDetail]]:
        details: list[UsageDetail] = ["reasoning_output", "cache_read_input"]
        return {"invoke": details, "stream": details}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        model = ChatWenwen(model="deepseek-reasoner", **self.connection())
        return _run(model, "Explain briefly why the sky is blue.", stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        self.emulator.reset()  # an empty cache: the first call writes it, reading nothing
        model = ChatWenwen(model="gpt-4o-mini", **self.connection())
        prompt = f"{LONG_CONTEXT}\n\nWhich shelf holds volume 70?"
        first = _run(model, prompt, stream=False)
        assert first.usage_metadata is not None
        assert "cache_read" not in first.usage_metadata.get("input_token_details", {})
        return _run(model, prompt, stream=stream)


class TestWenwenEmbeddingsIntegration(EmulatorBound, EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return WenwenEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", "dimensions": 64, **self.connection()}


class TestChatWenwenAnthropicProtocol(ChatSuite):
    """The same suite with a Claude model, which ``protocol="auto"`` sends over the native
    Anthropic Messages protocol. Audio input has no place on that wire; prompt caching is
    reported as cache reads and cache creations."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "claude-sonnet-4-20250514", **self.connection()}

    @property
    def model_override_value(self) -> str:
        return "claude-3-5-haiku-20241022"

    @property
    def supported_usage_metadata_details(
        self,
    ) -> dict[Literal["invoke", "stream"], list[UsageDetail]]:
        details: list[UsageDetail] = ["cache_read_input", "cache_creation_input"]
        return {"invoke": details, "stream": details}

    def _cached_prompt(self) -> list[Any]:
        return [
            SystemMessage(
                [{"type": "text", "text": LONG_CONTEXT, "cache_control": {"type": "ephemeral"}}]
            ),
            HumanMessage("Which shelf holds volume 70?"),
        ]

    @pytest.mark.xfail(
        reason="the emulator verifies thinking signatures against its own key and rejects the "
        "real Anthropic signature this test replays; test_lc_anthropic replays the same "
        "inputs with an emulator-issued signature"
    )
    def test_anthropic_inputs(self, model: BaseChatModel) -> None:
        super().test_anthropic_inputs(model)

    def invoke_with_cache_creation_input(self, *, stream: bool = False) -> AIMessage:
        self.emulator.reset()  # an empty cache: this call writes it
        model = ChatWenwen(model="claude-sonnet-4-20250514", **self.connection())
        return _run(model, self._cached_prompt(), stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        model = ChatWenwen(model="claude-sonnet-4-20250514", **self.connection())
        _run(model, self._cached_prompt(), stream=False)  # writes the cache
        return _run(model, self._cached_prompt(), stream=stream)


class TestChatWenwenGeminiProtocol(ChatSuite):
    """The same suite with a Gemini model, which ``protocol="auto"`` sends over the native
    Gemini protocol (``:generateContent`` / ``:streamGenerateContent?alt=sse``). Thinking
    (``reasoning_effort``) is reported as reasoning tokens. Every request the suite makes is
    parsed strictly by the official ``GenerateContentRequest`` proto."""

    @pytest.fixture(autouse=True)
    def _requests_parse_strictly(self, emu: Emulator) -> Iterator[None]:
        yield
        for recorded in emu.requests:
            if "generatecontent" in recorded.path.lower():
                check_request(recorded.json)

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gemini-2.5-flash", **self.connection()}

    @property
    def model_override_value(self) -> str:
        return "gemini-2.5-pro"

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(
        self,
    ) -> dict[Literal["invoke", "stream"], list[UsageDetail]]:
        details: list[UsageDetail] = ["reasoning_output"]
        return {"invoke": details, "stream": details}

    @pytest.mark.xfail(
        reason="the emulator verifies thinking signatures against its own key and rejects the "
        "real Anthropic signature this test replays (as over the Anthropic protocol)"
    )
    def test_anthropic_inputs(self, model: BaseChatModel) -> None:
        super().test_anthropic_inputs(model)

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        model = ChatWenwen(model="gemini-2.5-flash", reasoning_effort="low", **self.connection())
        return _run(model, "Explain briefly why the sky is blue.", stream=stream)


class TestChatWenwenResponsesProtocol(ChatSuite):
    """The same suite over the OpenAI Responses protocol (``protocol="responses"``). Its
    wire has no audio input and no stop sequences (the client enforces them); reasoning tokens come from reasoning
    models, cache reads from long prompts (as over chat completions)."""

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", "protocol": "responses", **self.connection()}

    @property
    def model_override_value(self) -> str:
        return "gpt-4o"

    @property
    def supported_usage_metadata_details(
        self,
    ) -> dict[Literal["invoke", "stream"], list[UsageDetail]]:
        details: list[UsageDetail] = ["reasoning_output", "cache_read_input"]
        return {"invoke": details, "stream": details}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        model = ChatWenwen(model="gpt-5", protocol="responses", **self.connection())
        return _run(model, "Explain briefly why the sky is blue.", stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        model = ChatWenwen(model="gpt-4o-mini", protocol="responses", **self.connection())
        prompt = f"{LONG_CONTEXT}\n\nWhich shelf holds volume 70?"
        _run(model, prompt, stream=False)
        return _run(model, prompt, stream=stream)
