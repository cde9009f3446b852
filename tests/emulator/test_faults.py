"""Every fault mode, observed with raw httpx."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from wenwen_emulator import Emulator, Fault, FaultSpecError

CHAT = "/v1/chat/completions"
BODY = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Cats purr. Do cats purr?"}]}
STREAM = {**BODY, "stream": True}


def frames(text: str) -> list[str]:
    return [f for f in text.replace("\r\n", "\n").split("\n\n") if f]


def data_frames(text: str) -> list[str]:
    return [f for f in frames(text) if f.startswith("data: ")]


def test_parse_grammar() -> None:
    fault = Fault.parse("status:429;retry_after=1;retry_after_ms=200")
    assert (fault.kind, fault.n) == ("status", 429)
    assert fault.headers() == {"Retry-After": "1", "retry-after-ms": "200"}
    assert Fault.parse("slow_first_byte:0.25").value == 0.25
    for bad in ("nope", "status", "status:x", "status:429;foo=1"):
        with pytest.raises(FaultSpecError):
            Fault.parse(bad)


@pytest.mark.parametrize(
    ("spec", "status", "code"),
    [
        ("status:500", 500, "bad_response_status_code"),
        ("status:503", 503, "bad_response_status_code"),
        ("status:401", 401, ""),
        ("status:403", 403, "insufficient_user_quota"),
        ("status:429", 429, ""),
    ],
)
def test_status_faults(http: httpx.Client, spec: str, status: int, code: str) -> None:
    response = http.post(CHAT, json=BODY, headers={"x-emulator-fault": spec})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    request_id = response.headers["x-oneapi-request-id"]
    assert error["message"].endswith(f"(request id: {request_id})")
    assert "retry-after" not in response.headers


def test_retry_after_headers(http: httpx.Client) -> None:
    spec = "status:429;retry_after=1;retry_after_ms=200"
    response = http.post(CHAT, json=BODY, headers={"x-emulator-fault": spec})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.headers["retry-after-ms"] == "200"


def test_empty_429(http: httpx.Client) -> None:
    response = http.post(CHAT, json=BODY, headers={"x-emulator-fault": "empty:429"})
    assert response.status_code == 429
    assert response.content == b""


def test_queued_faults_apply_n_times(http: httpx.Client, emu: Emulator) -> None:
    emu.inject("status:503", times=2)
    assert [http.post(CHAT, json=BODY).status_code for _ in range(3)] == [503, 503, 200]


def test_queued_fault_path_filter(http: httpx.Client, emu: Emulator) -> None:
    emu.inject("status:500", path="/v1/embeddings")
    assert http.post(CHAT, json=BODY).status_code == 200
    emb = {"model": "text-embedding-3-small", "input": "x"}
    assert http.post("/v1/embeddings", json=emb).status_code == 500


def test_control_endpoints(http: httpx.Client, emu: Emulator) -> None:
    assert http.post("/_emulator/faults", json={"fault": "status:500", "times": 1}).json() == {
        "ok": True
    }
    assert http.post(CHAT, json=BODY).status_code == 500
    assert http.post("/_emulator/faults", json={"fault": "bogus"}).status_code == 400
    http.post("/_emulator/faults", json={"fault": "status:500", "times": 5})
    http.post("/_emulator/reset")
    assert http.post(CHAT, json=BODY).status_code == 200
    assert [r.path for r in emu.requests] == [CHAT]


def test_disconnect(http: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(CHAT, json=BODY, headers={"x-emulator-fault": "disconnect"})
    assert http.post(CHAT, json=BODY).status_code == 200


def test_malformed_json(http: httpx.Client) -> None:
    response = http.post(CHAT, json=BODY, headers={"x-emulator-fault": "malformed_json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == '{"id": "chatcmpl-x", "choices": ['
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_slow_first_byte(http: httpx.Client) -> None:
    start = time.monotonic()
    response = http.post(CHAT, json=BODY, headers={"x-emulator-fault": "slow_first_byte:0.3"})
    assert response.status_code == 200
    assert time.monotonic() - start >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        http.post(CHAT, json=BODY, headers={"x-emulator-fault": "slow_first_byte:1"}, timeout=0.2)


def test_midstream_close(http: httpx.Client) -> None:
    received: list[bytes] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        http.stream(
            "POST", CHAT, json=STREAM, headers={"x-emulator-fault": "midstream_close:3"}
        ) as response,
    ):
        assert response.status_code == 200
        for part in response.iter_bytes():
            received.append(part)
    got = data_frames(b"".join(received).decode())
    assert len(got) == 3
    assert "[DONE]" not in "".join(got)


def test_midstream_close_non_stream(http: httpx.Client) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(CHAT, json=BODY, headers={"x-emulator-fault": "midstream_close:1"})


def test_truncate_ends_cleanly(http: httpx.Client) -> None:
    response = http.post(CHAT, json=STREAM, headers={"x-emulator-fault": "truncate:2"})
    got = data_frames(response.text)
    assert len(got) == 2
    assert all(json.loads(f[6:])["choices"][0]["finish_reason"] is None for f in got)
    big = http.post(CHAT, json=STREAM, headers={"x-emulator-fault": "truncate:999"})
    assert "[DONE]" not in big.text and '"finish_reason":"stop"' not in big.text


def test_stall_is_bounded(http: httpx.Client) -> None:
    with http.stream(
        "POST",
        CHAT,
        json=STREAM,
        headers={"x-emulator-fault": "stall:2"},
        timeout=httpx.Timeout(10, read=0.5),
    ) as response:
        lines = response.iter_lines()
        assert next(lines).startswith("data: ")
        with pytest.raises(httpx.ReadTimeout):
            for _ in lines:
                pass


def test_ping_comments(http: httpx.Client) -> None:
    plain = http.post(CHAT, json=STREAM)
    pinged = http.post(CHAT, json=STREAM, headers={"x-emulator-fault": "ping"})
    parts = frames(pinged.text)
    assert parts[0] == ": PING"
    assert parts.count(": PING") == len(data_frames(plain.text))

    def deltas(text: str) -> list[Any]:
        return [json.loads(f[6:])["choices"] for f in data_frames(text) if f != "data: [DONE]"]

    assert deltas(pinged.text) == deltas(plain.text)


def test_error_event(http: httpx.Client) -> None:
    response = http.post(CHAT, json=STREAM, headers={"x-emulator-fault": "error_event:2"})
    got = data_frames(response.text)
    assert len(got) == 3
    error = json.loads(got[-1][6:])["error"]
    assert error["type"] == "upstream_error" and error["code"] == "bad_response"
    assert "(request id: " in error["message"]


def test_error_event_raises_in_sdk(emu: Emulator, oai: Any) -> None:
    openai = pytest.importorskip("openai")
    emu.inject("error_event:1")
    stream = oai.chat.completions.create(stream=True, **BODY)
    with pytest.raises(openai.APIError):
        list(stream)


def test_crlf(http: httpx.Client) -> None:
    response = http.post(CHAT, json=STREAM, headers={"x-emulator-fault": "crlf"})
    assert "\r\n\r\n" in response.text
    assert "\n\n" not in response.text.replace("\r\n", "")
    assert response.text.endswith("data: [DONE]\r\n\r\n")


def test_combined_faults_in_one_header(http: httpx.Client) -> None:
    response = http.post(CHAT, json=STREAM, headers={"x-emulator-fault": "ping,crlf"})
    assert response.text.startswith(": PING\r\n\r\n")


def test_sdk_survives_ping_and_crlf(emu: Emulator, oai: Any) -> None:
    emu.inject("ping,crlf")
    chunks = list(oai.chat.completions.create(stream=True, **BODY))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Cats purr."


class _Transport:
    def __init__(self) -> None:
        self.closing = False

    def is_closing(self) -> bool:
        return self.closing


async def test_a_stream_stops_when_its_client_is_gone() -> None:
    """Writing on after the client left makes asyncio log "socket.send() raised exception"
    once per frame; the emulator stops at the first frame after the disconnect instead."""
    from wenwen_emulator.faults import Connection, Frame, emit

    transport = _Transport()
    conn = Connection(None)
    conn._transport = transport
    frames = [Frame(f"data: {i}\n\n") for i in range(10)]
    sent = []
    stream = emit(frames, [], lambda: "", conn, stall_timeout=1.0, closing=lambda: False)
    async for chunk in stream:
        sent.append(chunk)
        if len(sent) == 3:
            transport.closing = True  # the client hangs up after three frames
    assert sent == [b"data: 0\n\n", b"data: 1\n\n", b"data: 2\n\n"]
