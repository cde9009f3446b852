"""Model names: vendors' aliases and dated names by family, user-added models, and
``model_not_found`` for anything else."""

from __future__ import annotations

import json

import httpx
import pytest

from wenwen_emulator import Emulator
from wenwen_emulator.__main__ import main
from wenwen_emulator.models import ModelInfo, family, user_model

CHAT = "/v1/chat/completions"
ANTHROPIC_HEADERS = {"anthropic-version": "2023-06-01"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet"),
        ("gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"),
        ("claude-opus-4-1-20250805-thinking", "claude-opus-4-1-thinking"),
    ],
)
def test_family_drops_dates_and_release_tags(name: str, expected: str) -> None:
    assert family(name) == expected


@pytest.mark.parametrize("name", ["gpt-4.1-2025-04-14", "gpt-4o-mini-2024-07-18", "o3-2025-04-16"])
def test_openai_dated_names_are_served_under_the_name_asked_for(
    http: httpx.Client, name: str
) -> None:
    response = http.post(
        CHAT, json={"model": name, "messages": [{"role": "user", "content": "Hi"}]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["model"] == name


@pytest.mark.parametrize(
    "name", ["claude-sonnet-4-5", "claude-opus-4-1", "claude-3-7-sonnet-latest"]
)
def test_anthropic_aliases_are_served(http: httpx.Client, name: str) -> None:
    body = {"model": name, "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]}
    response = http.post("/v1/messages", json=body, headers=ANTHROPIC_HEADERS)
    assert response.status_code == 200, response.text
    assert response.json()["model"] == name


@pytest.mark.parametrize("name", ["gpt-9", "claude-unknown-7", "llama-2-70b"])
def test_an_unknown_family_is_model_not_found(http: httpx.Client, name: str) -> None:
    response = http.post(
        CHAT, json={"model": name, "messages": [{"role": "user", "content": "Hi"}]}
    )
    assert response.status_code == 503  # new-api: no channel serves the model
    assert response.json()["error"]["code"] == "model_not_found"


def test_user_models_are_served_listed_and_typed() -> None:
    with (
        Emulator(models=["acme-chat", "acme-embed:embedding"]) as emu,
        httpx.Client(
            base_url=emu.base_url, headers={"Authorization": f"Bearer {emu.api_key}"}
        ) as http,
    ):
        listed = {m["id"] for m in http.get("/v1/models").json()["data"]}
        assert {"acme-chat", "acme-embed"} <= listed
        chat = http.post(
            CHAT, json={"model": "acme-chat", "messages": [{"role": "user", "content": "Hi"}]}
        )
        assert chat.status_code == 200 and chat.json()["model"] == "acme-chat"
        embed = http.post("/v1/embeddings", json={"model": "acme-embed", "input": ["a"]})
        assert len(embed.json()["data"][0]["embedding"]) == 1536
        wrong_kind = http.post("/v1/embeddings", json={"model": "acme-chat", "input": ["a"]})
        assert wrong_kind.status_code >= 400


def test_user_model_specs() -> None:
    assert user_model("x:image") == ModelInfo("x", "custom", "image")
    assert user_model("claude-custom") == ModelInfo("claude-custom", "anthropic", "chat")
    with pytest.raises(ValueError, match="KIND"):
        user_model("x:spaceship")


def test_the_cli_rejects_a_bad_model_spec(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--model", "x:spaceship"])
    assert exit_info.value.code == 2
    assert "NAME:KIND" in capsys.readouterr().err


LONG = " ".join(f"Fact {i}: shelf {i} holds volume {i * 7}." for i in range(220))


def _cached(http: httpx.Client, messages: list[dict[str, str]], stream: bool = False) -> int:
    body = {"model": "gpt-4o-mini", "messages": messages}
    if stream:
        body |= {"stream": True, "stream_options": {"include_usage": True}}
        lines = http.post(CHAT, json=body).text.splitlines()
        chunks = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
        usage = next(c["usage"] for c in reversed(chunks) if c.get("usage"))
    else:
        usage = http.post(CHAT, json=body).json()["usage"]
    return int(usage["prompt_tokens_details"]["cached_tokens"])


@pytest.mark.parametrize("stream", [False, True])
def test_openai_prompt_cache_is_written_first_then_read(http: httpx.Client, stream: bool) -> None:
    system = {"role": "system", "content": LONG}
    first = _cached(
        http, [system, {"role": "user", "content": "Which shelf holds volume 70?"}], stream
    )
    assert first == 0  # first sight: the prefix is written, nothing is read
    again = _cached(
        http, [system, {"role": "user", "content": "Which shelf holds volume 70?"}], stream
    )
    assert again >= 1024 and again % 128 == 0
    other = _cached(http, [system, {"role": "user", "content": "And volume 14?"}], stream)
    assert 1024 <= other <= again  # the shared system prefix is read
    assert _cached(http, [{"role": "user", "content": "Hi"}], stream) == 0  # too short to cache
