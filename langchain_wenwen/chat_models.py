"""``ChatWenwen``: a LangChain chat model for the Wenwen relay, adapting ``wenwen`` types only.

The wire belongs to the core: ``_request`` turns LangChain messages and options into a
neutral ``ChatRequest``, ``wenwen.WenwenClient`` / ``AsyncWenwenClient`` speak the chosen
protocol (OpenAI chat completions or Responses, Anthropic Messages, native Gemini), and
``_output`` turns the ``ChatResponse`` or stream events back into LangChain messages.
"""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput, ModelProfile
from langchain_core.language_models.chat_models import LangSmithParams
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils import from_env, get_pydantic_field_names, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from wenwen import __version__
from wenwen.billing import set_up
from wenwen.client_set import ClientSet
from wenwen.concurrency import RateLimit
from wenwen.connection import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES
from wenwen.cost import PriceTable
from wenwen.errors import ConfigurationError
from wenwen.protocols import choose_protocol
from wenwen.types import ChatRequest, ChatResponse

from . import _blocks, _tools
from ._connection import ClientOwner
from ._output import ChunkConverter, to_ai_message, token_usage
from ._profile import langchain_profile
from ._request import chat_request, thinking_config
from .usage import cost_metadata

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

DEFAULT_TIMEOUT = 120.0

_blocks.register()  # content_blocks for messages tagged model_provider="wenwen"


class ChatWenwen(ClientOwner, BaseChatModel):
    """Chat with any model the Wenwen relay serves, through one API key.

    Setup: ``pip install "wenwen-ai[langchain]"`` (``pip install -e ".[langchain]"`` in a
    clone) and set ``WENWEN_API_KEY`` (and optionally ``WENWEN_BASE_URL``).

    ```python
    from langchain_wenwen import ChatWenwen

    llm = ChatWenwen(model="gpt-4o-mini", temperature=0)
    llm.invoke("Hello!")
    for chunk in llm.stream("Tell me a story"):
        print(chunk.text, end="")
    ```

    ``protocol="auto"`` sends Claude models over the native Anthropic Messages protocol
    (thinking signatures, prompt caching), ``gemini-*`` models over native Gemini, and every
    other model over OpenAI chat completions (except the few models that exist only on OpenAI Responses, such as
    ``o3-pro``); ``"openai"``, ``"anthropic"``, ``"gemini"`` or ``"responses"`` force one.
    ``gemini-*`` models go over the native Gemini protocol: images in and out, thought
    signatures; ``response_modalities=["TEXT", "IMAGE"]`` asks any Gemini model for images.
    The Responses protocol adds reasoning summaries (``reasoning={"effort": ...,
    "summary": ...}``), encrypted reasoning replayed across tool calls, built-in tools such as
    ``{"type": "web_search_preview"}`` with citations, and ``use_previous_response_id``.
    """

    model: str = Field(alias="model_name")
    """Model id, e.g. ``gpt-4o-mini``, ``claude-sonnet-4-20250514``, ``deepseek-reasoner``."""
    api_key: SecretStr | None = Field(default_factory=secret_from_env(API_KEY_ENV, default=None))
    """Wenwen API key; read from ``WENWEN_API_KEY`` when not given."""
    base_url: str = Field(default_factory=from_env(BASE_URL_ENV, default=DEFAULT_BASE_URL))
    """Relay root URL (with or without ``/v1``); read from ``WENWEN_BASE_URL``."""
    protocol: Literal["auto", "openai", "anthropic", "gemini", "responses"] = "auto"
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    seed: int | None = None
    timeout: float | httpx.Timeout | None = Field(default=DEFAULT_TIMEOUT, alias="request_timeout")
    """Seconds (or an ``httpx.Timeout``) per request; finite by default."""
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries for connection errors, 429 and 5xx, before the first byte of a reply."""
    max_retry_wait: float | None = None
    """Seconds one call may spend waiting between retries (default 30)."""
    async_transport: Literal["auto", "httpx", "aiohttp"] = "auto"
    """How async calls are sent: aiohttp when installed (``auto``), or httpx."""
    streaming: bool = False
    stream_usage: bool = True
    """Ask for token usage in streams (``stream_options.include_usage``), for any base URL."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra JSON body fields, merged into every request (same as ``extra_body``)."""
    extra_body: dict[str, Any] | None = None
    """Extra JSON body fields, merged into every request after ``model_kwargs``."""
    reasoning_effort: str | None = None
    reasoning: dict[str, Any] | None = None
    """OpenAI Responses reasoning options, as ChatOpenAI names them:
    ``{"effort": "low" | "medium" | "high", "summary": "auto" | "concise" | "detailed"}``."""
    include: list[str] | None = None
    """OpenAI Responses ``include`` (``reasoning.encrypted_content`` is added when
    ``store=False``, so that reasoning carries over to the next turn)."""
    store: bool | None = None
    """Whether the relay keeps the reply (OpenAI Responses; ``False`` for stateless use)."""
    use_previous_response_id: bool = False
    """OpenAI Responses: send only the messages after the last AI message that carries a
    response id, with that id as ``previous_response_id`` (as ChatOpenAI does)."""
    thinking: dict[str, Any] | None = None
    """Extended thinking, e.g. ``{"type": "enabled", "budget_tokens": 2048}``."""
    default_headers: dict[str, str] | None = None
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """A sync httpx client to use (not closed by us)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """An async httpx client to use; it must belong to the event loop that calls us."""
    rate_limit: float | RateLimit | None = None
    """A fixed client-side budget: requests per second, or a ``wenwen.concurrency.RateLimit``
    (with tokens per minute). Without it the requests in flight still adapt to the relay's
    429s; LangChain's ``rate_limiter`` keeps working next to it."""
    exact_token_counts: bool = False
    """``get_num_tokens_from_messages`` asks the relay's counting endpoint (one request per
    call; Anthropic, Gemini and Responses protocols) instead of the offline estimate."""
    track_cost: bool = False
    """Put each reply's cost in ``response_metadata["wenwen_cost"]`` (the relay's prices,
    ``GET /api/pricing``, fetched on first use and cached); absent when unknown."""
    price_table: PriceTable | None = Field(default=None, exclude=True)
    """A price table to use (shared between models; no pricing request)."""
    billing_group: str | None = None
    """The relay group your key bills in (``default``); its ratio scales every cost."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    _clients: ClientSet = PrivateAttr(default_factory=ClientSet)

    @model_validator(mode="before")
    @classmethod
    def _collect_extra_kwargs(cls, values: dict[str, Any]) -> Any:
        """Unknown constructor arguments go to ``model_kwargs`` with a warning (LangChain's
        convention), so a relay-specific parameter is sent rather than silently dropped."""
        if not isinstance(values, dict):
            return values
        known = get_pydantic_field_names(cls)
        extra = dict(values.get("model_kwargs") or {})
        for name in list(values):
            if name not in known:
                warnings.warn(
                    f"{name!r} is not a ChatWenwen parameter; it is sent in the request "
                    "body via model_kwargs.",
                    stacklevel=4,
                )
                extra[name] = values.pop(name)
        clashes = (known - {"extra_body"}) & set(extra)  # a nested extra_body is merged
        if clashes:
            raise ConfigurationError(
                f"pass {', '.join(sorted(clashes))} as ChatWenwen parameters, not in model_kwargs"
            )
        if extra:
            values["model_kwargs"] = extra
        return values

    @model_validator(mode="after")
    def _check_settings(self) -> ChatWenwen:
        if self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {self.max_retries}")
        thinking_config(self.thinking)
        self._add_version("wenwen-ai", __version__)
        return self

    # --- LangChain metadata ----------------------------------------------------------------

    def _resolve_model_profile(self) -> ModelProfile | None:
        return langchain_profile(self.model)

    def get_token_ids(self, text: str) -> list[int]:
        """Offline token ids: tiktoken's if its encoding is cached locally, else approximate
        ones (``wenwen.tokens``); never a download or a ``transformers`` import."""
        from wenwen.tokens import text_token_ids  # loads on first use

        return text_token_ids(text, self.model)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Input tokens of ``messages`` (and ``tools``) as the protocol bills them, estimated
        offline; exact from the relay when ``exact_token_counts`` is set."""
        request, protocol = self._chat_request(messages, None, {"tools": tools or []})
        if self.exact_token_counts:
            return self._clients.sync(self._make_client).count_tokens(request, protocol=protocol)
        from wenwen.tokens import count_message_tokens  # loads on first use

        return count_message_tokens(
            request.messages, model=request.model, tools=request.tools, protocol=protocol
        )

    @property
    def _llm_type(self) -> str:
        return "wenwen-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": API_KEY_ENV}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_wenwen", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        params = {
            "model": self.model,
            "protocol": self.protocol,
            "base_url": self.base_url,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "top_k": self.top_k,
            "seed": self.seed,
            "stop": self.stop,
            "reasoning_effort": self.reasoning_effort,
            "reasoning": self.reasoning,
            "include": self.include,
            "store": self.store,
            "use_previous_response_id": self.use_previous_response_id or None,
            "thinking": self.thinking,
            "stream_usage": self.stream_usage,
            "model_kwargs": self.model_kwargs or None,
            "extra_body": self.extra_body,
        }
        return {k: v for k, v in params.items() if v is not None}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="wenwen",
            ls_model_name=kwargs.get("model") or self.model,
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stop_list = stop or kwargs.get("stop") or self.stop
        if stop_list:
            params["ls_stop"] = list(stop_list)
        return params

    # --- clients ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the sync connection pool (it is reopened on the next call)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close the current event loop's connection pool now (otherwise it closes when the
        loop shuts down)."""
        await self._clients.aclose()

    # --- requests --------------------------------------------------------------------------

    def _chat_request(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[ChatRequest, str]:
        """The neutral request for one call, and the protocol to send it with."""
        return chat_request(self, messages, stop, kwargs)

    def _priced(self, client: Any) -> Any:
        """``client`` with this model's cost settings (``track_cost``, ``price_table``)."""
        set_up(client, track_cost=self.track_cost, price_table=self.price_table,
               group=self.billing_group)  # fmt: skip
        return client

    def _result(self, response: ChatResponse, protocol: str) -> ChatResult:
        message = to_ai_message(response, protocol, v1=self.output_version == "v1")
        cost_metadata(message, response.cost)
        generation = ChatGeneration(message=message)
        llm_output = {
            "model_name": response.model or "",
            "token_usage": token_usage(response.usage),
        }
        return ChatResult(generations=[generation], llm_output=llm_output)

    # --- invocation --------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, protocol = self._chat_request(messages, stop, kwargs)
        client = self._priced(self._clients.sync(self._make_client))
        response = client.chat(request, protocol=protocol)
        return self._result(response, protocol)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, protocol = self._chat_request(messages, stop, kwargs)
        client = self._priced(await self._clients.for_running_loop(self._make_async_client))
        response = await client.chat(request, protocol=protocol)
        return self._result(response, protocol)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request, protocol = self._chat_request(messages, stop, kwargs)
        converter = ChunkConverter(protocol, v1=self.output_version == "v1")
        client = self._priced(self._clients.sync(self._make_client))
        with client.stream(request, protocol=protocol) as stream:
            for event in stream:
                chunk = converter.convert(event)
                if chunk is not None:
                    yield _generation_chunk(chunk, run_manager)
            yield _generation_chunk(_final(converter, stream.response()), run_manager)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request, protocol = self._chat_request(messages, stop, kwargs)
        converter = ChunkConverter(protocol, v1=self.output_version == "v1")
        client = self._priced(await self._clients.for_running_loop(self._make_async_client))
        async with client.stream(request, protocol=protocol) as stream:
            async for event in stream:
                chunk = converter.convert(event)
                if chunk is not None:
                    generation = ChatGenerationChunk(message=chunk)
                    if run_manager:
                        await run_manager.on_llm_new_token(generation.text, chunk=generation)
                    yield generation
            generation = ChatGenerationChunk(message=_final(converter, stream.response()))
            if run_manager:
                await run_manager.on_llm_new_token(generation.text, chunk=generation)
            yield generation

    # --- tools and structured output -----------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable | BaseTool],
        *,
        tool_choice: dict | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (any form LangChain accepts, incl. Anthropic tool dicts; over the
        Responses protocol also built-in tools such as ``{"type": "web_search_preview"}``).

        ``tool_choice``: ``"auto"``, ``"none"``, ``"required"`` (also ``"any"`` or ``True``),
        a tool name, or an OpenAI / Anthropic tool-choice dict. ``strict`` asks for schema-exact
        arguments; ``parallel_tool_calls=False`` asks for at most one call.
        """
        protocol = choose_protocol(self.model, kwargs.get("protocol") or self.protocol)
        formatted = [
            dict(tool)  # type: ignore[arg-type]  # a built-in tool is a dict
            if protocol == "responses" and _tools.is_builtin_tool(tool)
            else _tools.format_tool(tool, strict=strict)
            for tool in tools
        ]
        names = [t["function"]["name"] if "function" in t else str(t["type"]) for t in formatted]
        choice = _tools.normalize_tool_choice(tool_choice, names)
        disabled = _tools.disables_parallel_calls(tool_choice)
        if parallel_tool_calls is None and disabled is not None:
            parallel_tool_calls = not disabled
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict | Any]:
        """Answers shaped by ``schema`` (pydantic model, TypedDict or JSON schema).

        ``method``: ``"json_schema"`` (default; the relay's structured output: on the
        Anthropic protocol ``output_config.format``, asked again as a forced tool where the
        relay refuses that field), ``"function_calling"`` (a forced tool call) or
        ``"json_mode"`` (JSON object output; put the shape in the prompt).
        """
        if method == "json_mode":
            if strict is not None:
                raise ConfigurationError("strict is not available with method='json_mode'")
            bound = {"response_format": {"type": "json_object"}}
            parser = _tools.content_parser(schema)
        elif schema is None:
            raise ConfigurationError(f"method={method!r} needs a schema")
        elif method == "json_schema":
            bound = {"response_format": _tools.json_schema_response_format(schema, strict)}
            parser = _tools.content_parser(schema)
        elif method == "function_calling":
            name = _tools.schema_function(schema)["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=name,
                strict=strict,
                parallel_tool_calls=False,
                ls_structured_output_format=_ls_format(schema, method, strict),
                **kwargs,
            )
            parser = _tools.tool_call_parser(schema, name)
            return _tools.with_raw(llm, parser) if include_raw else llm | parser
        else:
            raise ConfigurationError(
                f"unknown method {method!r}; use json_schema, function_calling or json_mode"
            )
        format_info = _ls_format(schema, method, strict) if schema is not None else None
        llm = self.bind(**bound, ls_structured_output_format=format_info, **kwargs)
        return _tools.with_raw(llm, parser) if include_raw else llm | parser


def _final(converter: ChunkConverter, response: ChatResponse) -> AIMessageChunk:
    """The stream's last chunk, with the reply's cost when it is known."""
    chunk = converter.final(response)
    cost_metadata(chunk, response.cost)
    return chunk


def _generation_chunk(
    message: AIMessageChunk, run_manager: CallbackManagerForLLMRun | None
) -> ChatGenerationChunk:
    generation = ChatGenerationChunk(message=message)
    if run_manager:
        run_manager.on_llm_new_token(generation.text, chunk=generation)
    return generation


def _ls_format(schema: Any, method: str, strict: bool | None) -> dict[str, Any]:
    return {"kwargs": {"method": method, "strict": strict}, "schema": schema}
