"""Key hygiene: a canary key is searched in every repr, dump, trace payload, event, exception
chain and DEBUG log line; bad keys are named (never echoed) before any request, and a key
with surrounding whitespace (read from a file or a mounted secret) is stripped with a warning."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from langchain_wenwen import ChatWenwen, WenwenEmbeddings
from llama_index_wenwen import Wenwen, WenwenEmbedding
from wenwen import APIConnectionError, ConfigurationError, WenwenClient, WenwenError
from wenwen._http.replies import connection_error as translate_transport_error
from wenwen_emulator import Emulator

CANARY = "sk-canary-7f3a9c1e5b2d4068"
HEADERS = {"Authorization": f"Bearer {CANARY}", "x-api-key": CANARY, "X-Trace": "visible"}
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens on loopback


@pytest.fixture(scope="module")
def canary_emulator() -> Iterator[Emulator]:
    with Emulator(api_keys=[CANARY]) as emulator:
        yield emulator


def _text_of_chain(exc: BaseException) -> str:
    """Everything an exception shows: messages, reprs and the formatted traceback of the
    whole ``__cause__`` / ``__context__`` chain."""
    parts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), repr(getattr(current, "args", ()))]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


# --- bad keys are named, not echoed, and never sent ------------------------------------------


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (f"{CANARY[:8]}\x00{CANARY[8:]}", "control character"),
        (f"{CANARY[:8]}\n{CANARY[8:]}", "control character"),
        (f"{CANARY}é", "non-ASCII"),
        ("   \n", "empty"),
    ],
    ids=["nul", "inner-newline", "non-ascii", "blank"],
)
def test_a_bad_key_is_a_configuration_error_before_any_request(
    canary_emulator: Emulator, key: str, problem: str
) -> None:
    canary_emulator.reset()
    makers = [
        lambda: WenwenClient(api_key=key, base_url=canary_emulator.base_url),
        lambda: ChatWenwen(
            model="gpt-4o-mini", api_key=key, base_url=canary_emulator.base_url
        ).invoke("hi"),
        lambda: Wenwen(api_key=key, base_url=canary_emulator.base_url).complete("hi"),
    ]
    for make in makers:
        with pytest.raises(ConfigurationError, match=problem) as caught:
            make()
        assert CANARY[8:] not in _text_of_chain(caught.value)
    assert canary_emulator.state.requests == []


def test_a_key_with_a_trailing_newline_is_stripped_with_a_warning(
    canary_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENWEN_API_KEY", CANARY + "\n")
    with pytest.warns(UserWarning, match="whitespace"):
        llm = ChatWenwen(model="gpt-4o-mini", base_url=canary_emulator.base_url)
        assert llm.invoke("hello").content
    with pytest.warns(UserWarning, match="whitespace"):
        li = Wenwen(api_key=f"  {CANARY}\r\n", base_url=canary_emulator.base_url)
    assert li.complete("hello").text
    assert li.api_key is not None and li.api_key.get_secret_value() == CANARY


def test_a_credential_header_with_a_control_character_is_named_not_echoed() -> None:
    with pytest.raises(ConfigurationError, match="Authorization") as caught:
        WenwenClient(api_key="sk-fine", default_headers={"Authorization": f"Bearer {CANARY}\n1"})
    assert CANARY not in _text_of_chain(caught.value)


# --- the transport never quotes a credential ---------------------------------------------------


def test_transport_errors_are_redacted() -> None:
    """h11 quotes an illegal header value in full; our message leaves the value out."""
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat", headers=HEADERS)
    illegal = f"Illegal header value b'Bearer {CANARY}\\n'"
    error = translate_transport_error(httpx.LocalProtocolError(illegal, request=request))
    assert "Illegal header value" in str(error)
    assert CANARY not in str(error)


def test_connection_errors_and_logs_never_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    calls = [
        lambda: ChatWenwen(
            model="gpt-4o-mini", api_key=CANARY, base_url=UNREACHABLE, max_retries=0,
            default_headers=HEADERS,
        ).invoke("hi"),
        lambda: Wenwen(
            api_key=CANARY, base_url=UNREACHABLE, max_retries=0, default_headers=HEADERS
        ).complete("hi"),
        lambda: list(
            ChatWenwen(model="claude-sonnet-4-20250514", api_key=CANARY, base_url=UNREACHABLE,
                       max_retries=0).stream("hi")
        ),
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(APIConnectionError) as caught:
            call()
        assert CANARY not in _text_of_chain(caught.value)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "DEBUG logging was captured"
    assert CANARY not in logged


def test_an_authentication_error_never_shows_the_key(canary_emulator: Emulator) -> None:
    wrong = CANARY[::-1]
    llm = ChatWenwen(model="gpt-4o-mini", api_key=wrong, base_url=canary_emulator.base_url)
    with pytest.raises(WenwenError) as caught:
        llm.invoke("hi")
    assert wrong not in _text_of_chain(caught.value)


# --- reprs, dumps and traces -------------------------------------------------------------------


def _langchain_views(emulator: Emulator) -> list[str]:
    llm = ChatWenwen(
        model="gpt-4o-mini", api_key=CANARY, base_url=emulator.base_url, default_headers=HEADERS
    )
    embeddings = WenwenEmbeddings(
        api_key=CANARY, base_url=emulator.base_url, default_headers=HEADERS
    )
    return [
        repr(llm),
        str(llm),
        json.dumps(llm.model_dump(), default=str),
        llm.model_dump_json(),
        json.dumps(dumpd(llm)),
        dumps(llm),
        json.dumps(llm._identifying_params, default=str),
        repr(embeddings),
        json.dumps(embeddings.model_dump(), default=str),
    ]


def test_langchain_reprs_and_dumps_mask_credentials(canary_emulator: Emulator) -> None:
    views = _langchain_views(canary_emulator)
    for view in views:
        assert CANARY not in view
    assert "visible" in views[0]  # other headers are shown as they are
    serialized = dumpd(
        ChatWenwen(model="m", api_key=CANARY, base_url=canary_emulator.base_url,
                   default_headers=HEADERS)
    )  # fmt: skip
    assert serialized["kwargs"]["default_headers"] == {
        "Authorization": "**********",
        "x-api-key": "**********",
        "X-Trace": "visible",
    }


class _Recorder(BaseCallbackHandler):
    """Everything LangSmith would receive: serialized model, invocation params, outputs."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _keep(self, *args: Any, **kwargs: Any) -> None:
        self.seen.append(json.dumps([args, kwargs], default=repr))

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self._keep(*args, **kwargs)

    def on_llm_end(self, *args: Any, **kwargs: Any) -> None:
        self._keep(*args, **kwargs)

    def on_llm_new_token(self, *args: Any, **kwargs: Any) -> None:
        self._keep(*args, **kwargs)

    def on_llm_error(self, *args: Any, **kwargs: Any) -> None:
        self._keep(*args, **kwargs)


def test_langchain_trace_payloads_never_show_the_key(canary_emulator: Emulator) -> None:
    recorder = _Recorder()
    llm = ChatWenwen(
        model="gpt-4o-mini",
        api_key=CANARY,
        base_url=canary_emulator.base_url,
        default_headers={"x-api-key": CANARY},
        callbacks=[recorder],
    )
    assert llm.invoke("hello").content
    assert "".join(chunk.text for chunk in llm.stream("hello"))
    assert len(recorder.seen) > 3
    assert not [payload for payload in recorder.seen if CANARY in payload]


class _Events(BaseEventHandler):
    seen: list[str] = []

    @classmethod
    def class_name(cls) -> str:
        return "CanaryEvents"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.seen.append(repr(event) + json.dumps(event.model_dump(), default=repr))


def test_llama_index_reprs_dumps_and_events_never_show_the_key(
    canary_emulator: Emulator,
) -> None:
    llm = Wenwen(api_key=CANARY, base_url=canary_emulator.base_url, default_headers=HEADERS)
    embed = WenwenEmbedding(
        api_key=CANARY, base_url=canary_emulator.base_url, default_headers=HEADERS
    )
    views = [repr(llm), str(llm), llm.to_json(), json.dumps(llm.to_dict()), repr(embed),
             embed.to_json(), json.dumps(embed.model_dump(), default=str)]  # fmt: skip
    for view in views:
        assert CANARY not in view
    handler = _Events()
    handler.seen = []
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(handler)
    try:
        assert llm.chat([ChatMessage(role="user", content="hello")]).message.content
        assert embed.get_text_embedding("hello")
    finally:
        dispatcher.event_handlers.remove(handler)
    assert handler.seen
    assert not [event for event in handler.seen if CANARY in event]
