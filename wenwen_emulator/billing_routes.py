"""new-api's pricing, quota and billing endpoints, and the metering of every billed reply.

- ``GET /api/pricing`` (public): the price table
  (https://github.com/QuantumNous/new-api/blob/main/controller/pricing.go).
- ``GET /api/usage/token/`` (the key): this key's quota in quota units
  (``GetTokenUsage`` in https://github.com/QuantumNous/new-api/blob/main/controller/token.go).
- ``GET /dashboard/billing/subscription`` and ``/dashboard/billing/usage`` (also under
  ``/v1``; the key): OpenAI's old billing shapes in USD, usage in cents
  (https://github.com/QuantumNous/new-api/blob/main/controller/billing.go).

``refusal`` answers ``403 insufficient_user_quota`` before a billed route runs when the key's
balance is spent; ``metered`` charges the balance from the usage a reply reports (a stream is
charged as its usage passes through, before those bytes reach the client). Billed: chat on
all four wires and legacy completions, embeddings, image generations and edits (per image),
speech, transcriptions, translations and video tasks (per call, when the task is accepted). Midjourney is not
billed.

``POST /_emulator/billing`` ``{"key", "usd" | "quota", "group", "unlimited"}`` sets a key's
balance and group (the Python API is ``emu.billing``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .billing import GROUP_NAMES, GROUP_RATIOS, QUOTA_PER_UNIT, Tokens, price_of, pricing_rows
from .billing import quota_for as _quota_for
from .context import Ctx
from .errors import error
from .models import get
from .multipart_in import read_form

PUBLIC_PATHS = ("/api/pricing",)
PRICING_VERSION = "emulator-1"


def presented_key(request: Request) -> str:
    """The key a request carries, wherever new-api reads it from."""
    auth = request.headers.get("authorization", "").strip()
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else auth
    return (
        key
        or request.headers.get("x-api-key", "").strip()
        or request.headers.get("x-goog-api-key", "").strip()
        or request.query_params.get("key", "").strip()
    )


async def pricing(ctx: Ctx) -> Response:
    groups = sorted(GROUP_RATIOS)
    return JSONResponse(
        {
            "success": True,
            "data": pricing_rows(ctx.state.models),
            "vendors": [],
            "group_ratio": dict(GROUP_RATIOS),
            "usable_group": {g: GROUP_NAMES[g] for g in groups},
            "supported_endpoint": {},
            "auto_groups": [],
            "pricing_version": PRICING_VERSION,
        }
    )


async def token_usage(ctx: Ctx) -> Response:
    account = ctx.state.billing.account(presented_key(ctx.request))
    data = {
        "object": "token_usage",
        "name": account.name,
        "total_granted": account.remain + account.used,
        "total_used": account.used,
        "total_available": account.remain,
        "unlimited_quota": account.unlimited,
        "model_limits": {},
        "model_limits_enabled": False,
        "expires_at": 0,
    }
    return JSONResponse({"code": True, "message": "ok", "data": data})


async def subscription(ctx: Ctx) -> Response:
    account = ctx.state.billing.account(presented_key(ctx.request))
    amount = (account.remain + account.used) / QUOTA_PER_UNIT
    if account.unlimited:
        amount = 100_000_000
    return JSONResponse(
        {
            "object": "billing_subscription",
            "has_payment_method": True,
            "soft_limit_usd": amount,
            "hard_limit_usd": amount,
            "system_hard_limit_usd": amount,
            "access_until": 0,
        }
    )


async def usage(ctx: Ctx) -> Response:
    account = ctx.state.billing.account(presented_key(ctx.request))
    return JSONResponse({"object": "list", "total_usage": account.used / QUOTA_PER_UNIT * 100})


Handler = Callable[[Ctx], Awaitable[Response]]
ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "/api/pricing"): pricing,
    ("GET", "/api/usage/token"): token_usage,
    ("GET", "/api/usage/token/"): token_usage,
    ("GET", "/dashboard/billing/subscription"): subscription,
    ("GET", "/v1/dashboard/billing/subscription"): subscription,
    ("GET", "/dashboard/billing/usage"): usage,
    ("GET", "/v1/dashboard/billing/usage"): usage,
}


async def control(state: Any, request: Request) -> Response:
    """``POST /_emulator/billing``: a key's balance (``usd`` or ``quota``) and ``group``."""
    try:
        body = json.loads(await request.body() or b"{}")
        key = str(body["key"])
        if "group" in body:
            state.billing.set_group(key, str(body["group"]))
        if any(k in body for k in ("usd", "quota", "unlimited")):
            quota = body.get("quota")
            state.billing.set_balance(
                key,
                usd=float(body.get("usd") or 0),
                quota=int(quota) if quota is not None else None,
                unlimited=bool(body.get("unlimited", False)),
            )
    except (ValueError, KeyError, TypeError) as exc:
        return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
    account = state.billing.account(key)
    return JSONResponse({"ok": True, "group": account.group, "remain": account.remain})


# --- metering ------------------------------------------------------------------------------


def _billed(method: str, path: str) -> str | None:
    """How the reply of ``path`` reports what it used (``None``: not billed)."""
    if method != "POST":
        return None
    if path in ("/v1/chat/completions", "/v1/completions", "/v1/embeddings"):
        return "openai"
    if path == "/v1/responses":
        return "responses"
    if path == "/v1/messages":
        return "anthropic"
    if ":generateContent" in path or ":streamGenerateContent" in path:
        return "gemini"
    if path in ("/v1/images/generations", "/v1/images/edits"):
        return "images"
    if path in ("/v1/audio/speech", "/v1/audio/transcriptions", "/v1/audio/translations",
                "/v1/videos"):  # fmt: skip
        return "call"
    if path in ("/kling/v1/videos/text2video", "/kling/v1/videos/image2video"):
        return "kling"
    return None


async def _model_name(ctx: Ctx, path: str, how: str) -> str | None:
    if how == "gemini":
        return path.split("/models/", 1)[-1].split(":", 1)[0] or None
    body: dict[str, Any] = ctx.body if isinstance(ctx.body, dict) else {}
    name = body.get("model_name" if how == "kling" else "model")
    if ctx.request.headers.get("content-type", "").startswith("multipart/form-data"):
        name = (await read_form(ctx)).value("model")
    if how == "images" and not name:
        name = "dall-e-2"
    return name if isinstance(name, str) and name else None


def refusal(ctx: Ctx, path: str) -> Response | None:
    """new-api's pre-consume check: a spent balance refuses a billed call."""
    if _billed(ctx.request.method, path) is None:
        return None
    book = ctx.state.billing
    key = presented_key(ctx.request)
    if not book.spent(key):
        return None
    left = book.account(key).remain / QUOTA_PER_UNIT
    text = f"用户额度不足, 剩余额度: ＄{left:.6f} (insufficient user quota)"  # noqa: RUF001
    return error(ctx.kind, 403, text, ctx.request_id, code="insufficient_user_quota")


class _Meter:
    """Charges one reply: as its reported usage grows, the balance follows."""

    def __init__(self, ctx: Ctx, how: str, model: str) -> None:
        self.book = ctx.state.billing
        self.key = presented_key(ctx.request)
        self.how = how
        self.model = model
        info = get(model, ctx.state.models)
        self.price = price_of(info) if info is not None else None
        self.ratio = self.book.group_ratio(self.key)
        self.charged = 0
        self.fields: dict[str, Any] = {}

    def bill(self, tokens: Tokens | None, calls: int = 1) -> None:
        if self.price is None:
            return
        quota = _quota_for(self.price, self.ratio, tokens, calls)
        self.book.charge(self.key, self.model, quota - self.charged)
        self.charged = quota

    def seen(self, payload: Any) -> None:
        """One JSON object of a reply (a whole body, or one stream event)."""
        if not isinstance(payload, dict):
            return
        tokens = _tokens(self.how, payload, self.fields)
        if tokens is not None:
            self.bill(tokens)


def _tokens(how: str, obj: dict[str, Any], fields: dict[str, Any]) -> Tokens | None:
    if how == "openai":
        return _openai(obj.get("usage"))
    if how == "responses":
        reply = obj.get("response") if "response" in obj else obj
        return _responses(reply.get("usage") if isinstance(reply, dict) else None)
    if how == "anthropic":
        message = obj.get("message")
        found = message.get("usage") if isinstance(message, dict) else obj.get("usage")
        if not isinstance(found, dict):
            return None
        fields.update({k: v for k, v in found.items() if isinstance(v, int)})
        return _anthropic(fields)
    if how == "gemini":
        return _gemini(obj.get("usageMetadata"))
    return None


def _n(obj: Any, key: str) -> int:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _openai(use: Any) -> Tokens | None:
    if not isinstance(use, dict):
        return None
    details = use.get("prompt_tokens_details")
    return Tokens(_n(use, "prompt_tokens"), _n(use, "completion_tokens"),
                  _n(details, "cached_tokens"), _n(details, "cached_creation_tokens"))  # fmt: skip


def _responses(use: Any) -> Tokens | None:
    if not isinstance(use, dict):
        return None
    details = use.get("input_tokens_details")
    return Tokens(_n(use, "input_tokens"), _n(use, "output_tokens"), _n(details, "cached_tokens"))


def _anthropic(use: dict[str, Any]) -> Tokens:
    read, write = _n(use, "cache_read_input_tokens"), _n(use, "cache_creation_input_tokens")
    return Tokens(_n(use, "input_tokens") + read + write, _n(use, "output_tokens"), read, write)


def _gemini(use: Any) -> Tokens | None:
    if not isinstance(use, dict):
        return None
    prompt = _n(use, "promptTokenCount") + _n(use, "toolUsePromptTokenCount")
    output = _n(use, "candidatesTokenCount") + _n(use, "thoughtsTokenCount")
    return Tokens(prompt, output, _n(use, "cachedContentTokenCount"))


async def metered(ctx: Ctx, path: str, response: Response) -> Response:
    """``response``, its usage charged to the key that asked (successful replies only)."""
    how = _billed(ctx.request.method, path)
    if how is None or response.status_code >= 300:
        return response
    model = await _model_name(ctx, path, how)
    if model is None:
        return response
    meter = _Meter(ctx, how, model)
    if isinstance(response, StreamingResponse):
        response.body_iterator = _watched(response.body_iterator, meter)
        return response
    if how in ("call", "kling"):
        meter.bill(None)
    elif how == "images":
        try:
            count = len(json.loads(bytes(response.body))["data"])
        except (ValueError, KeyError, TypeError):
            count = 0
        meter.bill(None, count)
    else:
        try:
            body = json.loads(bytes(response.body))
        except ValueError:
            return response
        for item in body if isinstance(body, list) else [body]:
            meter.seen(item)
    return response


async def _watched(chunks: AsyncIterable[Any], meter: _Meter) -> AsyncIterator[Any]:
    """The stream's chunks, each charged for the usage it completes before it is sent."""
    pending = ""
    whole = ""
    async for chunk in chunks:
        text = chunk.decode("utf-8", "replace") if isinstance(chunk, bytes) else str(chunk)
        pending += text
        lines = pending.split("\n")
        pending = lines.pop()
        sse = False
        for line in lines:
            if line.startswith("data:"):
                sse = True
                data = line[5:].strip()
                if data and data != "[DONE]":
                    _feed(meter, data)
        if not sse and meter.how == "gemini":  # a JSON array, not SSE: read it when whole
            whole += text
            _feed(meter, whole)
        yield chunk


def _feed(meter: _Meter, data: str) -> None:
    try:
        payload = json.loads(data)
    except ValueError:
        return
    for item in payload if isinstance(payload, list) else [payload]:
        meter.seen(item)
