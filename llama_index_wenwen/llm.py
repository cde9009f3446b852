"""``Wenwen``: a LlamaIndex ``FunctionCallingLLM`` over the Wenwen relay.

Every public chat/complete method is decorated once and delegates to undecorated internals,
so one call emits one set of instrumentation events. The HTTP work, retries and errors are
the core client's (``wenwen.WenwenClient``): this class only converts.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr, field_serializer
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import Model, PydanticProgramMode
from pydantic import field_validator

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.billing import set_up
from wenwen.client_set import ClientSet
from wenwen.concurrency import RateLimit
from wenwen.cost import PriceTable
from wenwen.errors import ConfigurationError
from wenwen.protocols import choose_protocol
from wenwen.tokens import text_token_ids
from wenwen.types import ChatRequest

from ._clients import (
    ApiKey,
    BaseUrl,
    PicklesWithoutUserClients,
    Seconds,
    TypedConfigErrors,
    connection_options,
    redact_headers,
)
from ._models import llm_metadata
from ._request import RequestDefaults, after_previous_response, build_request
from ._response import to_chat_response, to_completion_response
from ._stream import ChunkBuilder
from ._structured import parse_structured, partial_object, schema_format
from ._tools import (
    keep_first_tool_call,
    resolve_tool_choice,
    to_wenwen_tools,
    tool_calls_from_response,
)

Client = TypeVar("Client", WenwenClient, AsyncWenwenClient)

if TYPE_CHECKING:
    from llama_index.core.program.utils import FlexibleModel
    from llama_index.core.tools.types import BaseTool

dispatcher = get_dispatcher(__name__)

DEFAULT_MODEL = "gpt-4o-mini"


class Wenwen(PicklesWithoutUserClients, TypedConfigErrors, FunctionCallingLLM):
    """Any model the Wenwen relay serves, as a LlamaIndex LLM.

    >>> llm = Wenwen(model="gpt-4o-mini")          # WENWEN_API_KEY / WENWEN_BASE_URL
    >>> llm = Wenwen(model="claude-sonnet-4-20250514")   # auto: native Anthropic protocol
    """

    model: str = Field(default=DEFAULT_MODEL, description="The relay's model name.")
    api_key: ApiKey = Field(
        default=None,
        exclude=True,
        repr=False,
        validate_default=True,
        description="Wenwen API key; defaults to WENWEN_API_KEY. Never serialized.",
    )
    base_url: BaseUrl = Field(
        default=None,
        validate_default=True,
        description="Relay root URL (with or without /v1); defaults to WENWEN_BASE_URL.",
    )
    protocol: str = Field(
        default="auto",
        description="'auto' (Claude models over Anthropic Messages, gemini-* over native "
        "Gemini, the few Responses-only models such as o3-pro over OpenAI Responses, others "
        "over OpenAI chat), 'openai', 'anthropic', 'gemini' or 'responses'.",
    )
    temperature: float | None = Field(default=None, description="Sent only when set.")
    max_tokens: int | None = Field(default=None, gt=0, description="Output token limit.")
    timeout: Seconds = Field(default=120.0, description="Seconds per request.")
    max_retries: int = Field(
        default=2, ge=0, description="Retries of the core client (the only retry layer)."
    )
    max_retry_wait: float | None = Field(
        default=None, ge=0, description="Seconds one call may wait between retries (30)."
    )
    async_transport: str = Field(
        default="auto",
        description="Async sending: 'auto' (aiohttp if installed), 'httpx', 'aiohttp'.",
    )
    reasoning_effort: str | None = Field(default=None, description="e.g. 'low'|'medium'|'high'.")
    thinking: dict[str, Any] | int | None = Field(
        default=None,
        description="Extended thinking: a budget in tokens, or "
        "{'type': 'enabled', 'budget_tokens': N}.",
    )
    reasoning_options: dict[str, Any] | None = Field(
        default=None,
        description="OpenAI Responses reasoning, e.g. {'effort': 'low', 'summary': 'auto'}.",
    )
    built_in_tools: list[dict[str, Any]] | None = Field(
        default=None,
        description="OpenAI Responses built-in tools, e.g. [{'type': 'web_search_preview'}].",
    )
    store: bool | None = Field(
        default=None, description="OpenAI Responses: whether the relay keeps the reply."
    )
    include: list[str] | None = Field(
        default=None,
        description="OpenAI Responses include (reasoning.encrypted_content is added when "
        "store is False).",
    )
    use_previous_response_id: bool = Field(
        default=False,
        description="OpenAI Responses: send only the messages after the last assistant "
        "message with a response id, chained by previous_response_id.",
    )
    strict: bool | None = Field(default=None, description="Strict JSON schemas for tools.")
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request fields (unknown ones go in the body)."
    )
    default_headers: dict[str, str] | None = Field(
        default=None, repr=False, description="Extra headers (credentials masked in to_dict)."
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Overrides the context window known for the model."
    )
    is_chat_model: bool = Field(default=True)
    is_function_calling_model: bool = Field(default=True)
    rate_limit: float | RateLimit | None = Field(
        default=None,
        description="A fixed client-side budget: requests per second, or a "
        "wenwen.concurrency.RateLimit (with tokens per minute). Without it the requests in "
        "flight still adapt to the relay's 429s.",
    )
    http_client: httpx.Client | None = Field(default=None, exclude=True, repr=False)
    async_http_client: httpx.AsyncClient | None = Field(default=None, exclude=True, repr=False)
    track_cost: bool = Field(
        default=False,
        description="Put each reply's cost in raw['cost'] (the relay's prices, fetched once).",
    )
    price_table: PriceTable | None = Field(
        default=None, exclude=True, repr=False, description="A price table to use as is."
    )
    billing_group: str | None = Field(
        default=None, description="The relay group the key bills in ('default')."
    )

    _clients: ClientSet = PrivateAttr(default_factory=ClientSet)

    @classmethod
    def class_name(cls) -> str:
        return "wenwen_llm"

    @field_validator("protocol")
    @classmethod
    def _check_protocol(cls, value: str) -> str:
        choose_protocol("", value)  # raises, listing the names, for an unknown protocol
        return value

    @field_serializer("default_headers")
    def _serialize_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return redact_headers(headers)

    @property
    def metadata(self) -> LLMMetadata:
        return llm_metadata(
            self.model,
            context_window=self.context_window,
            max_tokens=self.max_tokens,
            is_chat_model=self.is_chat_model,
            is_function_calling_model=self.is_function_calling_model,
        )

    @property
    def tokenizer(self) -> Callable[[str], list[int]]:
        """An offline tokenizer for ``Settings.tokenizer`` or
        ``TokenCountingHandler(tokenizer=...)``: tiktoken's when its encoding is cached
        locally, else ``wenwen.tokens``' approximate ids; never a download."""
        return partial(text_token_ids, model=self.model)

    # --- plumbing ------------------------------------------------------------------------

    def _sync_client(self) -> WenwenClient:
        return self._priced(self._clients.sync_client(connection_options(self)))

    async def _async_client(self) -> AsyncWenwenClient:
        return self._priced(await self._clients.async_client(connection_options(self)))

    def _priced(self, client: Client) -> Client:
        """``client`` with this LLM's cost settings (``track_cost``, ``price_table``)."""
        set_up(client, track_cost=self.track_cost, price_table=self.price_table,
               group=self.billing_group)  # fmt: skip
        return client

    def _prepare(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[ChatRequest, str]:
        defaults = RequestDefaults(
            model=self.model,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            reasoning_effort=self.reasoning_effort,
            thinking=self.thinking,
            additional_kwargs={**self._responses_defaults(), **self.additional_kwargs},
        )
        protocol = choose_protocol(kwargs.get("model") or self.model, self.protocol)
        if protocol == "responses" and self.use_previous_response_id:
            messages, previous = after_previous_response(messages)
            if previous:
                kwargs = {**kwargs, "previous_response_id": previous}
        request = build_request(defaults, messages, kwargs, protocol)
        return request, choose_protocol(request.model, self.protocol)

    def _responses_defaults(self) -> dict[str, Any]:
        """The Responses options set on the LLM, as request fields."""
        options = dict(self.reasoning_options or {})
        unknown = set(options) - {"effort", "summary"}
        if unknown:
            raise ConfigurationError(f"unknown reasoning_options keys {sorted(unknown)}")
        fields = {
            "reasoning_effort": options.get("effort"),
            "reasoning_summary": options.get("summary"),
            "server_tools": self.built_in_tools,
            "store": self.store,
            "include": self.include,
        }
        return {k: v for k, v in fields.items() if v is not None}

    def _prompt_messages(self, prompt: str, formatted: bool) -> list[ChatMessage]:
        if not formatted and self.completion_to_prompt is not None:
            prompt = self.completion_to_prompt(prompt)
        return [ChatMessage(role=MessageRole.USER, content=prompt)]

    def close(self) -> None:
        """Close the sync connection pool (async pools close with their event loop)."""
        self._clients.close()

    # --- undecorated internals -------------------------------------------------------------

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request, protocol = self._prepare(messages, kwargs)
        return to_chat_response(self._sync_client().chat(request, protocol=protocol))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request, protocol = self._prepare(messages, kwargs)
        client = await self._async_client()
        reply = await client.chat(request, protocol=protocol)
        return to_chat_response(reply)

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        # Built before the generator, so bad input fails at the call, not at first next().
        request, protocol = self._prepare(messages, kwargs)
        options = connection_options(self)
        clients = self._clients
        clients.sync_client(options)  # a bad key or URL fails here too

        def gen() -> Generator[ChatResponse, None, None]:
            # the generator holds the client set, not just a client: the model may be gone
            # before the stream is read, and the set closes its pool when it is collected
            builder = ChunkBuilder()
            client = self._priced(clients.sync_client(options))
            with client.stream(request, protocol=protocol) as stream:
                for event in stream:
                    chunk = builder.feed(event)
                    if chunk is not None:
                        yield chunk
                yield builder.final(stream.response())

        return gen()

    def _astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        request, protocol = self._prepare(messages, kwargs)

        async def gen() -> AsyncGenerator[ChatResponse, None]:
            client = await self._async_client()
            builder = ChunkBuilder()
            async with client.stream(request, protocol=protocol) as stream:
                async for event in stream:
                    chunk = builder.feed(event)
                    if chunk is not None:
                        yield chunk
                yield builder.final(stream.response())

        return gen()

    # --- the LlamaIndex interface ------------------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return self._astream_chat(messages, **kwargs)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        messages = self._prompt_messages(prompt, formatted)
        return to_completion_response(self._chat(messages, **kwargs))

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        messages = self._prompt_messages(prompt, formatted)
        return to_completion_response(await self._achat(messages, **kwargs))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        chunks = self._stream_chat(self._prompt_messages(prompt, formatted), **kwargs)
        return (to_completion_response(chunk) for chunk in chunks)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        chunks = self._astream_chat(self._prompt_messages(prompt, formatted), **kwargs)

        async def gen() -> AsyncGenerator[CompletionResponse, None]:
            async for chunk in chunks:
                yield to_completion_response(chunk)

        return gen()

    # --- tools ---------------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The kwargs for ``chat``. ``tool_required`` must stay a named parameter: LlamaIndex
        inspects this signature and silently drops it otherwise."""
        messages = list(chat_history or [])  # a copy: the caller's history is not touched
        if isinstance(user_msg, str):
            messages.append(ChatMessage(role=MessageRole.USER, content=user_msg))
        elif user_msg is not None:
            messages.append(user_msg)
        chat_kwargs: dict[str, Any] = {"messages": messages, **kwargs}
        if tools:
            chat_kwargs["tools"] = to_wenwen_tools(tools, self.strict if strict is None else strict)
            chat_kwargs["tool_choice"] = resolve_tool_choice(tool_choice, tool_required)
            if not allow_parallel_tool_calls:
                chat_kwargs["parallel_tool_calls"] = False
        return chat_kwargs

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        if not allow_parallel_tool_calls:
            return keep_first_tool_call(response)
        return response

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        selections = tool_calls_from_response(response)
        if not selections and error_on_no_tool_call:
            raise ValueError("Expected at least one tool call, but got 0 tool calls.")
        return selections

    # --- structured output -----------------------------------------------------------------------

    def _native_schema(self) -> bool:
        return self.pydantic_program_mode == PydanticProgramMode.DEFAULT

    def _schema_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None,
        prompt_args: dict[str, Any],
    ) -> tuple[list[ChatMessage], dict[str, Any]]:
        messages = self._extend_messages(prompt.format_messages(**prompt_args))
        kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k != "tool_choice"}
        kwargs["response_format"] = schema_format(output_cls, self.strict)
        return messages, kwargs

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        if not self._native_schema():
            return super().structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages, kwargs = self._schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        result = parse_structured(output_cls, self.chat(messages, **kwargs))
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        if not self._native_schema():
            return await super().astructured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages, kwargs = self._schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        result = parse_structured(output_cls, await self.achat(messages, **kwargs))
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Model | FlexibleModel, None, None]:
        if not self._native_schema():
            return super()._structured_stream_call(  # type: ignore[return-value]
                output_cls, prompt, llm_kwargs, **prompt_args
            )
        messages, kwargs = self._schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        chunks = self.stream_chat(messages, **kwargs)

        def gen() -> Generator[Model | FlexibleModel, None, None]:
            current: Any = None
            for chunk in chunks:
                current = partial_object(chunk, output_cls, current)
                yield current

        return gen()

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Model | FlexibleModel, None]:
        if not self._native_schema():
            return await super()._structured_astream_call(  # type: ignore[return-value]
                output_cls, prompt, llm_kwargs, **prompt_args
            )
        messages, kwargs = self._schema_call(output_cls, prompt, llm_kwargs, prompt_args)
        chunks = await self.astream_chat(messages, **kwargs)

        async def gen() -> AsyncGenerator[Model | FlexibleModel, None]:
            current: Any = None
            async for chunk in chunks:
                current = partial_object(chunk, output_cls, current)
                yield current

        return gen()
