import pytest

from wenwen._http.transport import RetryPolicy, retry_after_seconds


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retries_transient_statuses(status: int) -> None:
    assert RetryPolicy(max_retries=2).should_retry(0, status=status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_never_retries_client_errors(status: int) -> None:
    assert not RetryPolicy(max_retries=5).should_retry(0, status=status)


def test_relay_configuration_errors_are_not_retried_despite_5xx() -> None:
    policy = RetryPolicy(max_retries=5)
    assert not policy.should_retry(0, status=503, code="model_not_found")
    assert policy.should_retry(0, status=503, code="upstream_error")


def test_attempts_are_bounded() -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.should_retry(1, connection_error=True)
    assert not policy.should_retry(2, connection_error=True)


def test_retry_after_headers() -> None:
    assert retry_after_seconds({"Retry-After": "1"}) == 1.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert retry_after_seconds({"Retry-After": date}, now=lambda: 1445412480.0) == 10.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None


def test_delay_honours_hint_and_caps_it() -> None:
    policy = RetryPolicy(max_retry_after=30)
    assert policy.delay(0, {"Retry-After": "2"}) == 2.0
    assert policy.delay(0, {"Retry-After": "300"}) is None


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(initial_delay=0.5, max_delay=4.0, jitter=0.25)
    assert policy.delay(0, rng=lambda: 0.0) == 0.5
    assert policy.delay(1, rng=lambda: 0.0) == 1.0
    assert policy.delay(1, rng=lambda: 1.0) == 0.75
    assert policy.delay(10, rng=lambda: 0.0) == 4.0
