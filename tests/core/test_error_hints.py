"""Errors that say what to do: a connection failure names the host and port it tried, an
unknown model gets the closest names from the relay's model list (read once per client, and
only then), a refused key says where it came from and never shows it. Sync, async over
httpx and async over aiohttp."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.conftest import BlockingClient
from wenwen import errors
from wenwen.types import ChatRequest, Message
from wenwen_emulator import Emulator

MODELS = {
    "openai": ("gpt4o-mini", "gpt-4o-mini"),
    "anthropic": ("claude-sonet-4-20250514", "claude-sonnet-4-20250514"),
    "gemini": ("gemini-2.5-flsh", "gemini-2.5-flash"),
    "responses": ("gpt-5-pr", "gpt-5-pro"),
}


def ask(model: str) -> ChatRequest:
    return ChatRequest(model=model, messages=[Message.of("user", "hi")])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("protocol", list(MODELS))
def test_an_unknown_model_gets_close_names(
    client_factory: Any, emu: Emulator, protocol: str
) -> None:
    typo, meant = MODELS[protocol]
    client: BlockingClient = client_factory()
    with pytest.raises(errors.ModelNotFoundError) as raised:
        client.chat(ask(typo), protocol=protocol)
    assert raised.value.suggestions[0] == meant
    assert meant in str(raised.value)
    with pytest.raises(errors.ModelNotFoundError) as streamed:
        client.stream(ask(typo), protocol=protocol)
    assert streamed.value.suggestions[0] == meant


def test_the_model_list_is_read_once_per_client_and_never_on_success(emu: Emulator) -> None:
    from wenwen import WenwenClient

    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as client:
        client.chat(ask("gpt-4o-mini"))
        assert not [r for r in emu.requests if r.path == "/v1/models"]
        for typo in ("gpt4o-mini", "gpt-4o-mni", "no-such-model-at-all"):
            with pytest.raises(errors.ModelNotFoundError) as raised:
                client.chat(ask(typo))
        assert raised.value.suggestions == ()
        assert [r.path for r in emu.requests].count("/v1/models") == 1


def test_a_failing_model_list_leaves_the_error_as_it_was(emu: Emulator) -> None:
    from wenwen import WenwenClient

    emu.inject("status:500", times=10, path="/v1/models")
    client = WenwenClient(api_key=emu.api_key, base_url=emu.base_url, max_retries=0)
    with client, pytest.raises(errors.ModelNotFoundError) as raised:
        client.chat(ask("gpt4o-mini"))
    assert raised.value.suggestions == () and raised.value.code == "model_not_found"


def test_connection_errors_name_host_and_port(client_factory: Any) -> None:
    port = free_port()
    client = client_factory(base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(errors.APIConnectionError) as raised:
        client.chat(ask("gpt-4o-mini"))
    assert (raised.value.host, raised.value.port) == ("127.0.0.1", port)
    assert f"127.0.0.1:{port}" in str(raised.value)


def test_a_refused_key_says_where_it_came_from(
    client_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-wrong-key-0123456789"
    monkeypatch.delenv("WENWEN_API_KEY", raising=False)
    with pytest.raises(errors.AuthenticationError) as by_argument:
        client_factory(api_key=secret).chat(ask("gpt-4o-mini"))
    assert by_argument.value.key_source == "the api_key argument"

    monkeypatch.setenv("WENWEN_API_KEY", secret)
    options: dict[str, Any] = {"api_key": None}
    with pytest.raises(errors.AuthenticationError) as by_env:
        client_factory(**options).chat(ask("gpt-4o-mini"))
    assert by_env.value.key_source == "the WENWEN_API_KEY environment variable"
    # frameworks read the variable and pass it on: still reported as the variable
    with pytest.raises(errors.AuthenticationError) as passed_on:
        client_factory(api_key=secret).chat(ask("gpt-4o-mini"))
    assert passed_on.value.key_source == "the WENWEN_API_KEY environment variable"
    for error in (by_argument.value, by_env.value, passed_on.value):
        assert secret not in str(error) and error.status_code == 401
