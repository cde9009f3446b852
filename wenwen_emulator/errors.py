# ruff: noqa: RUF001  (CJK punctuation and curly quotes are intended)
"""Relay-faithful error bodies (new-api style), in the OpenAI and the Claude shape."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

REQUEST_ID_HEADER = "X-Oneapi-Request-Id"

# Anthropic error types used when an (emulated) upstream error passes through /v1/messages.
CLAUDE_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
    529: "overloaded_error",
}


def with_id(message: str, request_id: str) -> str:
    return f"{message} (request id: {request_id})"


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def openai_error(
    status: int,
    message: str,
    request_id: str,
    *,
    type: str = "new_api_error",
    code: Any = "",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """``{"error":{message,type,code}}``; ``param`` only when given (relay-level errors)."""
    error: dict[str, Any] = {"message": with_id(message, request_id), "type": type}
    if param is not None:
        error["param"] = param
    error["code"] = code
    return json_response({"error": error}, status, headers)


def claude_error(
    status: int,
    message: str,
    request_id: str,
    *,
    type: str = "new_api_error",
    headers: dict[str, str] | None = None,
) -> Response:
    """``{"type":"error","error":{type,message}}`` (new-api adds no top-level request_id)."""
    body = {"type": "error", "error": {"type": type, "message": with_id(message, request_id)}}
    return json_response(body, status, headers)


def error(
    kind: str,
    status: int,
    message: str,
    request_id: str,
    *,
    type: str = "new_api_error",
    code: Any = "",
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An error in the shape of the route ``kind`` (``"openai"`` or ``"claude"``)."""
    if kind == "claude":
        return claude_error(status, message, request_id, type=type, headers=headers)
    return openai_error(
        status, message, request_id, type=type, code=code, param=param, headers=headers
    )


# new-api's auth and channel-distributor middleware answer in the OpenAI shape on every
# route, /v1/messages included (new-api middleware/auth.go and middleware/distributor.go,
# https://github.com/QuantumNous/new-api).
def invalid_token(request_id: str) -> Response:
    return error("openai", 401, "Invalid token 无效的令牌", request_id)


def model_not_found(model: str, request_id: str) -> Response:
    message = f"model {model} not found / 分组 default 下模型 {model} 无可用渠道"
    return error("openai", 503, message, request_id, code="model_not_found")


def bad_request(
    kind: str,
    message: str,
    request_id: str,
    *,
    type: str = "invalid_request_error",
    code: Any = "",
    param: str = "",
) -> Response:
    return error(kind, 400, message, request_id, type=type, code=code, param=param)


def upstream_status(
    kind: str, status: int, request_id: str, headers: dict[str, str] | None = None
) -> Response:
    """The error an emulated upstream failure produces for ``status``."""
    if kind == "claude":
        claude_type = CLAUDE_TYPES.get(status, "api_error")
        messages = {429: "Rate limited", 503: "Overloaded", 529: "Overloaded"}
        text = messages.get(status, f"Upstream returned status {status}")
        return claude_error(status, text, request_id, type=claude_type, headers=headers)
    if status == 401:
        return error(kind, 401, "Invalid token 无效的令牌", request_id, headers=headers)
    if status == 403:
        text = "用户额度不足, 剩余额度: ＄0.000000 (insufficient user quota)"
        return error(kind, 403, text, request_id, code="insufficient_user_quota", headers=headers)
    if status == 429:
        text = "当前分组上游负载已饱和，请稍后再试 (upstream rate limited)"
        return error(kind, 429, text, request_id, headers=headers)
    text = f"bad response status code {status}"
    return error(
        kind,
        status,
        text,
        request_id,
        type="upstream_error",
        code="bad_response_status_code",
        param="",
        headers=headers,
    )


class ErrorResponse(Exception):
    """Raised by route code to answer with ``response`` (caught by the dispatcher)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def scripted_error(kind: str, status: int, message: str, request_id: str) -> Response:
    """A scripted error reply: the upstream error for ``status``, with ``message`` if given
    (Gemini routes answer in Google's shape, as the upstream's error passes through)."""
    if not message:
        return upstream_status(kind, status, request_id)
    if kind == "claude":
        return claude_error(status, message, request_id, type=CLAUDE_TYPES.get(status, "api_error"))
    if kind == "gemini":
        body = {
            "error": {
                "code": status,
                "message": message,
                "status": GOOGLE_STATUS.get(status, "UNKNOWN"),
            }
        }
        return json_response(body, status)
    return openai_error(status, message, request_id, type="upstream_error", code=status)


GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
"""Google's status names (https://cloud.google.com/apis/design/errors#handling_errors)."""
