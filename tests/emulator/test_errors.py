"""Relay-faithful auth, routing and validation errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from wenwen_emulator import Emulator

CHAT = "/v1/chat/completions"
BODY = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}


def assert_openai_error(response: httpx.Response, status: int, type_: str, code: str) -> None:
    assert response.status_code == status
    request_id = response.headers["x-oneapi-request-id"]
    error = response.json()["error"]
    assert error["type"] == type_
    assert error["code"] == code
    assert error["message"].endswith(f" (request id: {request_id})")


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "wrong", "Bearer"])
def test_invalid_token(emu: Emulator, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    response = httpx.post(emu.base_url + CHAT, json=BODY, headers=headers)
    assert_openai_error(response, 401, "new_api_error", "")
    assert "param" not in response.json()["error"]


def test_raw_key_without_bearer_accepted(emu: Emulator) -> None:
    headers = {"Authorization": emu.api_key}
    assert httpx.post(emu.base_url + CHAT, json=BODY, headers=headers).status_code == 200


def test_x_api_key_ignored_on_chat(emu: Emulator) -> None:
    response = httpx.post(emu.base_url + CHAT, json=BODY, headers={"x-api-key": emu.api_key})
    assert response.status_code == 401


def test_x_api_key_accepted_on_models(emu: Emulator) -> None:
    response = httpx.get(emu.base_url + "/v1/models", headers={"x-api-key": emu.api_key})
    assert response.status_code == 200 and response.json()["object"] == "list"


def test_sdk_maps_401(emu: Emulator) -> None:
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=emu.base_url + "/v1", api_key="bad", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(**BODY)


def test_model_not_found(http: httpx.Client) -> None:
    response = http.post(CHAT, json={**BODY, "model": "xyz"})
    assert_openai_error(response, 503, "new_api_error", "model_not_found")
    assert "xyz" in response.json()["error"]["message"]


def test_missing_model_and_bad_json(http: httpx.Client) -> None:
    response = http.post(CHAT, json={"messages": BODY["messages"]})
    assert_openai_error(response, 400, "new_api_error", "")
    bad = http.post(CHAT, content=b"{not json", headers={"content-type": "application/json"})
    assert_openai_error(bad, 400, "new_api_error", "")


def test_invalid_messages(http: httpx.Client) -> None:
    response = http.post(CHAT, json={"model": "gpt-4o", "messages": []})
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert response.json()["error"]["param"] == ""


def test_unknown_path(http: httpx.Client) -> None:
    response = http.post("/x", json={})
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "message": "Invalid URL (POST /x)",
            "type": "invalid_request_error",
            "param": "",
            "code": "",
        }
    }
    assert http.get(CHAT).status_code == 404


def test_request_id_on_every_response(http: httpx.Client) -> None:
    ids = {http.post(CHAT, json=BODY).headers["x-oneapi-request-id"] for _ in range(3)}
    ids.add(http.post("/nope").headers["x-oneapi-request-id"])
    assert len(ids) == 4


def test_embedding_model_on_chat(http: httpx.Client) -> None:
    response = http.post(CHAT, json={**BODY, "model": "text-embedding-3-small"})
    assert response.status_code == 400


def test_deepseek_requires_reasoning_replay(http: httpx.Client) -> None:
    history: list[dict[str, Any]] = [
        {"role": "user", "content": "What is the weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"location": "Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny."},
    ]
    response = http.post(CHAT, json={"model": "deepseek-reasoner", "messages": history})
    assert_openai_error(response, 400, "invalid_request_error", "invalid_request_error")
    assert "reasoning_content" in response.json()["error"]["message"]
    history[1]["reasoning_content"] = "I should call get_weather."
    ok = http.post(CHAT, json={"model": "deepseek-reasoner", "messages": history})
    assert ok.status_code == 200
    assert ok.json()["choices"][0]["message"]["content"] == "The result of get_weather is Sunny."
    plain = http.post(CHAT, json={"model": "deepseek-chat", "messages": history[:1]})
    assert plain.status_code == 200


def test_no_auth_mode() -> None:
    with Emulator(require_auth=False) as emu:
        assert httpx.post(emu.base_url + CHAT, json=BODY).status_code == 200


def test_custom_keys() -> None:
    with Emulator(api_keys=["k1", "k2"]) as emu:
        assert emu.api_key == "k1"
        for key, status in (("k1", 200), ("k2", 200), ("sk-emulator", 401)):
            headers = {"Authorization": f"Bearer {key}"}
            assert httpx.post(emu.base_url + CHAT, json=BODY, headers=headers).status_code == (
                status
            )
