"""The one retry flow: bounded waiting (``max_retry_wait``), errors that say how long was
waited and why, and proxy HTML pages reduced to a short typed message."""

from __future__ import annotations

import httpx
import pytest

from tests._clock import RecordedWaits
from wenwen import WenwenClient, errors
from wenwen._http.replies import html_summary
from wenwen._http.retry import RetryFlow, RetryPolicy

MODELS = {"object": "list", "data": [{"id": "gpt-4o", "object": "model"}]}


def client(replies: list[httpx.Response], waits: RecordedWaits, **kwargs: object) -> WenwenClient:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: replies.pop(0)))
    return WenwenClient(
        api_key="sk-test", base_url="http://relay.test", http_client=http, clock=waits.clock,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def busy(retry_after: str) -> httpx.Response:
    return httpx.Response(429, headers={"Retry-After": retry_after}, json={"error": "busy"})


def test_waits_stop_at_the_per_call_budget() -> None:
    waits = RecordedWaits()
    replies = [busy("20"), busy("20"), httpx.Response(200, json=MODELS)]
    with pytest.raises(errors.RateLimitError) as info:
        client(replies, waits, max_retries=5, max_retry_wait=30).list_models()
    assert waits == [20.0]  # a second 20 s wait would pass the 30 s budget
    message = str(info.value)
    assert "gave up after 2 attempts and 20.0 s of waiting" in message
    assert "max_retry_wait=30" in message
    assert info.value.message == "busy"  # the relay's own text is kept apart


def test_default_budget_refuses_a_long_retry_after_and_says_why() -> None:
    waits = RecordedWaits()
    with pytest.raises(errors.RateLimitError) as info:
        client([busy("45"), httpx.Response(200, json=MODELS)], waits).list_models()
    assert waits == []
    assert "next wait of 45.0 s would pass max_retry_wait=30 s" in str(info.value)


def test_a_wait_beyond_max_retry_after_is_never_slept() -> None:
    waits = RecordedWaits()
    with pytest.raises(errors.RateLimitError) as info:
        client([busy("600")], waits, max_retry_wait=10_000).list_models()
    assert waits == []
    assert "asked to wait 600 s (Retry-After)" in str(info.value)


def unavailable(retry_after: str) -> httpx.Response:
    return httpx.Response(503, headers={"Retry-After": retry_after}, json={"error": "down"})


def test_exhausted_retries_say_how_many_and_how_long() -> None:
    waits = RecordedWaits()
    replies = [unavailable("1"), unavailable("2"), unavailable("1")]
    with pytest.raises(errors.InternalServerError) as info:
        client(replies, waits, max_retries=2).list_models()
    assert waits == [1.0, 2.0]
    assert "gave up after 3 attempts and 3.0 s of waiting: max_retries=2 reached" in str(info.value)


def test_rate_limits_cost_no_attempt_and_stop_at_the_wait_budget() -> None:
    waits = RecordedWaits()
    replies = [busy("3")] * 8 + [unavailable("1"), httpx.Response(200, json=MODELS)]
    assert client(replies, waits, max_retries=1).list_models()[0].id == "gpt-4o"
    assert waits == [3.0] * 8 + [1.0]  # eight 429s waited out, then the one 503 retry
    waits.clear()
    with pytest.raises(errors.RateLimitError) as info:
        client([busy("4")] * 20, waits, max_retries=1, max_retry_wait=10).list_models()
    assert waits == [4.0, 4.0]
    assert "gave up after 3 attempts and 8.0 s of waiting" in str(info.value)


def test_no_retries_means_a_rate_limit_is_raised_at_once() -> None:
    waits = RecordedWaits()
    with pytest.raises(errors.RateLimitError):
        client([busy("1"), httpx.Response(200, json=MODELS)], waits, max_retries=0).list_models()
    assert waits == []


def test_a_first_failure_that_is_not_retryable_is_left_as_is() -> None:
    flow = RetryFlow(RetryPolicy(max_retries=2), max_wait=30)
    error = errors.AuthenticationError("bad key", status_code=401)
    with pytest.raises(errors.AuthenticationError) as info:
        flow.wait_after(error)
    assert str(info.value) == "Error code: 401 - bad key"


@pytest.mark.parametrize("bad", [-1, "10", float("nan")])
def test_max_retry_wait_is_validated(bad: object) -> None:
    with pytest.raises(errors.ConfigurationError, match="max_retry_wait"):
        WenwenClient(api_key="k", max_retry_wait=bad)  # type: ignore[arg-type]


PAGE = (
    b"""<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title><style>body{}</style></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>
"""
    + b"<p>filler</p>" * 2000
    + b"</body></html>"
)


def test_a_proxy_html_page_becomes_a_short_typed_message() -> None:
    waits = RecordedWaits()
    page = httpx.Response(502, content=PAGE, headers={"content-type": "text/html"})
    with pytest.raises(errors.InternalServerError) as info:
        client([page], waits, max_retries=0).list_models()
    assert info.value.status_code == 502
    assert info.value.message == "HTTP 502 from a proxy (HTML page): 502 Bad Gateway"
    assert len(str(info.value)) < 200


def test_an_html_page_without_a_title_gives_its_first_line() -> None:
    page = b"<html><body>\n\n  <h1>Access denied</h1><p>Your IP is blocked</p></body></html>"
    assert html_summary(page) == "Access denied"
    assert html_summary(b"<html><title> A &amp; B </title>") == "A & B"


def test_an_html_page_with_status_200_is_a_short_protocol_error() -> None:
    page = httpx.Response(200, content=PAGE, headers={"content-type": "text/html"})
    with pytest.raises(errors.ProtocolError) as info:
        client([page], RecordedWaits()).list_models()
    assert str(info.value) == (
        "the relay answered HTTP 200 with an HTML page, not JSON: 502 Bad Gateway"
    )
