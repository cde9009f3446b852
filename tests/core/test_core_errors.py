import pytest

from wenwen import errors
from wenwen.errors import error_from_response


def test_openai_shape_with_request_id_from_message() -> None:
    body = (
        b'{"error":{"message":"\xe6\x97\xa0\xe6\x95\x88\xe7\x9a\x84\xe4\xbb\xa4\xe7\x89\x8c '
        b'(request id: 2025abc)","type":"new_api_error","code":""}}'
    )
    err = error_from_response(401, body)
    assert isinstance(err, errors.AuthenticationError)
    assert err.message.startswith("无效的令牌")
    assert err.request_id == "2025abc"
    assert err.type == "new_api_error"
    assert err.code is None


def test_request_id_header_wins() -> None:
    err = error_from_response(
        429, b'{"error":{"message":"slow down","type":"x"}}', {"X-Oneapi-Request-Id": "rid-9"}
    )
    assert isinstance(err, errors.RateLimitError)
    assert err.request_id == "rid-9"
    assert "rid-9" in str(err)


def test_anthropic_shape() -> None:
    err = error_from_response(
        529, b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'
    )
    assert isinstance(err, errors.InternalServerError)
    assert (err.message, err.type) == ("Overloaded", "overloaded_error")


def test_midjourney_shape_with_int_code() -> None:
    err = error_from_response(
        400, b'{"description":"task_no_found ","type":"upstream_error","code":4}'
    )
    assert isinstance(err, errors.BadRequestError)
    assert err.code == "4"
    assert err.message == "task_no_found "


def test_task_shape() -> None:
    err = error_from_response(429, b'{"code":"rate_limit","message":"busy","data":null}')
    assert isinstance(err, errors.RateLimitError)
    assert (err.code, err.message) == ("rate_limit", "busy")


@pytest.mark.parametrize("body", [b"", b"<html>502 Bad Gateway</html>"])
def test_empty_or_non_json_bodies(body: bytes) -> None:
    err = error_from_response(502, body)
    assert isinstance(err, errors.InternalServerError)
    assert err.message


def test_codes_pick_the_class() -> None:
    nf = error_from_response(503, b'{"error":{"message":"no channel","code":"model_not_found"}}')
    assert isinstance(nf, errors.ModelNotFoundError)
    assert nf.status_code == 503
    quota = error_from_response(403, b'{"error":{"message":"q","code":"insufficient_user_quota"}}')
    assert isinstance(quota, errors.QuotaExceededError)
    assert isinstance(quota, errors.PermissionDeniedError)
