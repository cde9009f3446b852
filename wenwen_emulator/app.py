"""The Starlette app: one catch-all route that records, authenticates, injects faults and
dispatches to the route handlers. Control endpoints live under ``/_emulator/``."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from . import (
    anthropic_routes,
    billing_routes,
    completions_routes,
    embeddings,
    gemini_routes,
    openai_routes,
    responses_routes,
    task_routes,
)
from . import media_files as media_files
from .audio_routes import speech_route, transcriptions, translations
from .context import QUIRKS, Ctx
from .errors import (
    REQUEST_ID_HEADER,
    ErrorResponse,
    error,
    invalid_token,
    scripted_error,
    upstream_status,
)
from .faults import MALFORMED_BODY, Connection, Fault, FaultSpecError, find, parse_faults
from .images_routes import edits as image_edits
from .images_routes import generations as image_generations
from .rate_limit import request_key
from .script import ScriptError, Step, route_of
from .state import EmulatorState, RecordedRequest

logger = logging.getLogger("wenwen_emulator")
Handler = Callable[[Ctx], Awaitable[Response]]
ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", "/v1/chat/completions"): openai_routes.chat_completions,
    ("POST", "/v1/embeddings"): embeddings.create_embeddings,
    ("GET", "/v1/models"): openai_routes.list_models,
    ("POST", "/v1/messages"): anthropic_routes.messages,
    ("POST", "/v1/messages/count_tokens"): anthropic_routes.count_tokens,
    ("POST", "/v1/responses"): responses_routes.create,
    ("POST", "/v1/responses/input_tokens"): responses_routes.input_tokens,
    ("POST", "/v1/images/generations"): image_generations,
    ("POST", "/v1/images/edits"): image_edits,
    ("POST", "/v1/audio/transcriptions"): transcriptions,
    ("POST", "/v1/audio/translations"): translations,
    ("POST", "/v1/completions"): completions_routes.completions,
    ("POST", "/v1/audio/speech"): speech_route,
}
ROUTES.update(billing_routes.ROUTES)  # pricing, quota and billing (new-api's /api, /dashboard)
# Routes whose path ends with an id: (method, prefix) -> handler(ctx, id).
ID_ROUTES: dict[tuple[str, str], Callable[[Ctx, str], Awaitable[Response]]] = {
    ("GET", responses_routes.PREFIX): responses_routes.retrieve,
    ("DELETE", responses_routes.PREFIX): responses_routes.delete,
}


def _find_handler(method: str, path: str, google_key: bool = False) -> Handler | None:
    if google_key and method == "GET" and path.startswith("/v1/models"):
        return gemini_routes.find(method, path)  # google-genai with API version v1
    handler = ROUTES.get((method, path))
    if handler is None and method == "GET" and path.startswith("/v1/models/"):
        model_id = path[len("/v1/models/") :]

        async def retrieve(ctx: Ctx) -> Response:
            return await openai_routes.retrieve_model(ctx, model_id)

        return retrieve
    for (route_method, prefix), by_id in ID_ROUTES.items():
        if handler is None and method == route_method and path.startswith(prefix):
            return functools.partial(_with_id, by_id, path[len(prefix) :])
    if handler is None and (path.startswith("/v1beta/models") or ":" in path):
        return gemini_routes.find(method, path)
    if handler is None:
        handler = task_routes.find(method, path)
    return handler


async def _with_id(
    handler: Callable[[Ctx, str], Awaitable[Response]], item_id: str, ctx: Ctx
) -> Response:
    return await handler(ctx, item_id)


def _authorised(state: EmulatorState, request: Request, path: str) -> bool:
    if not state.require_auth:
        return True
    if path.startswith(task_routes.PUBLIC_PREFIXES) or path in billing_routes.PUBLIC_PATHS:
        return True
    auth = request.headers.get("authorization", "").strip()
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else auth  # new-api: raw ok
    if not key and path.startswith(("/v1/messages", "/v1/models")):
        key = request.headers.get("x-api-key", "").strip()
    if path.startswith(("/v1/models", "/v1beta/models")):  # new-api: x-goog-api-key wins
        goog = request.headers.get("x-goog-api-key", "") or request.query_params.get("key", "")
        key = goog.strip() or key
    return key in state.api_keys


def _quirks(state: EmulatorState, request: Request) -> set[str]:
    quirks = set(state.quirks)
    header = request.headers.get("x-emulator-quirks", "")
    quirks.update(q.strip() for q in header.split(",") if q.strip())
    return quirks


def _degrade(response: Response, faults: list[Fault], ctx: Ctx) -> Response:
    """Apply body faults (midstream_close, truncate, stall) to a non-stream response."""
    fault = next((f for f in faults if f.kind in ("midstream_close", "truncate", "stall")), None)
    if fault is None or isinstance(response, StreamingResponse) or ctx.conn is None:
        return response
    body = bytes(response.body)
    conn, state = ctx.conn, ctx.state

    async def gen() -> Any:
        yield body[: len(body) // 2]
        if fault.kind == "midstream_close":
            await conn.drop()
        elif fault.kind == "stall":
            for _ in range(int(state.stall_timeout / 0.05)):
                if state.closing or conn.closed:
                    break
                await asyncio.sleep(0.05)
            await conn.drop()

    return StreamingResponse(gen(), status_code=response.status_code, media_type="application/json")


def _scripted_step(state: EmulatorState, method: str, path: str, body: Any) -> Step | None:
    route = route_of(method, path)
    if route is None:
        return None
    model = body.get("model") if isinstance(body, dict) else None
    if route == "gemini":
        model = gemini_routes.model_in_path(path)
    return state.scripts.pop(route, path, model if isinstance(model, str) else None)


async def _pre_faults(ctx: Ctx) -> Response | None:
    for fault in ctx.faults:
        if fault.kind == "status":
            return upstream_status(ctx.kind, fault.n, ctx.request_id, fault.headers())
        if fault.kind == "empty":
            return Response(b"", status_code=fault.n, headers=fault.headers())
        if fault.kind == "malformed_json":
            return Response(MALFORMED_BODY, media_type="application/json")
        if fault.kind == "disconnect":
            assert ctx.conn is not None
            await ctx.conn.drop()
            return Response(b"", status_code=500)
    return None


async def _control(state: EmulatorState, request: Request, path: str) -> Response:
    if path == "/_emulator/reset" and request.method == "POST":
        state.reset()
        return JSONResponse({"ok": True})
    if path == "/_emulator/faults" and request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
            state.inject(str(body["fault"]), int(body.get("times", 1)), body.get("path"))
        except (ValueError, KeyError, TypeError, FaultSpecError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True})
    if path == "/_emulator/script" and request.method == "POST":
        try:
            body = json.loads(await request.body() or b"{}")
            steps = body["steps"]
            if not isinstance(steps, list):
                raise ScriptError("steps: expected a list")
            state.scripts.add(steps, model=body.get("model"), route=body.get("route"))
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        return JSONResponse({"ok": True, "pending": state.scripts.pending()})
    if path == "/_emulator/quirks" and request.method == "POST":
        try:
            names = json.loads(await request.body() or b"{}")["quirks"]
            unknown = sorted(set(names) - QUIRKS)
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        if unknown:
            return JSONResponse({"ok": False, "error": f"unknown quirks {unknown}"}, 400)
        state.quirks.clear()
        state.quirks.update(names)
        return JSONResponse({"ok": True, "quirks": sorted(state.quirks)})
    if path == "/_emulator/requests" and request.method == "GET":
        items = [
            {"method": r.method, "path": r.path, "headers": r.headers, "json": r.json}
            for r in list(state.requests)
        ]
        return JSONResponse(items)
    if path.startswith(("/_emulator/tasks/", "/_emulator/clock/")):
        return await task_routes.control(state, request, path)
    if path == "/_emulator/billing" and request.method == "POST":
        return await billing_routes.control(state, request)
    if path == "/_emulator/health":
        return JSONResponse({"ok": True, "quirks": sorted(QUIRKS)})
    return JSONResponse({"ok": False, "error": "unknown control endpoint"}, status_code=404)


async def _handle(state: EmulatorState, request: Request, request_id: str) -> Response:
    path, method = request.url.path, request.method
    raw = await request.body()
    try:
        body: Any = json.loads(raw) if raw else None
        valid_json = True
    except ValueError:
        body, valid_json = None, False
    state.record(
        RecordedRequest(
            method=method,
            path=path,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=body,
            body=raw,
            query=dict(request.query_params),
            request_id=request_id,
        )
    )
    google_key = "x-goog-api-key" in request.headers or "key" in request.query_params
    handler = _find_handler(method, path, google_key)
    if handler is None:
        err = {
            "message": f"Invalid URL ({method} {path})",
            "type": "invalid_request_error",
            "param": "",
            "code": "",
        }
        return JSONResponse({"error": err}, status_code=404)
    kind = "claude" if path.startswith("/v1/messages") else "openai"
    if path.startswith("/v1beta/") or (path.startswith("/v1/models/") and ":" in path):
        kind = "gemini"  # relay-level errors stay in new-api's shape; handlers answer Google's
    if not _authorised(state, request, path):
        return invalid_token(request_id)
    if state.rate_limit is not None:
        wait = state.rate_limit.check(request_key(request.headers, request.query_params))
        if wait is not None:
            return state.rate_limit.response(wait, request_id)
    try:
        faults = parse_faults(request.headers.get("x-emulator-fault", ""))
    except FaultSpecError as exc:
        return error(kind, 400, f"bad x-emulator-fault header: {exc}", request_id)
    faults += state.pop_faults(path)
    ctx = Ctx(
        state=state,
        request=request,
        request_id=request_id,
        body=body,
        kind=kind,
        faults=faults,
        quirks=_quirks(state, request),
        conn=Connection(request.receive),
    )
    scripted = _scripted_step(state, method, path, body)
    if scripted is not None:
        if scripted.status is not None:
            return scripted_error(kind, scripted.status, scripted.message, request_id)
        ctx.faults += parse_faults(scripted.fault) if scripted.fault else []
        ctx.scripted = scripted
    slow = find(faults, "slow_first_byte")
    if slow is not None:
        await asyncio.sleep(slow.value)
    if state.latency > 0:
        await asyncio.sleep(state.latency)
    early = await _pre_faults(ctx)
    if early is not None:
        return early
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    if raw and not valid_json and not multipart:
        return error(kind, 400, "Invalid request body: malformed JSON", request_id)
    refused = billing_routes.refusal(ctx, path)  # a spent balance: 403 before the call
    if refused is not None:
        return refused
    try:
        response = await billing_routes.metered(ctx, path, await handler(ctx))
    except ErrorResponse as exc:
        response = exc.response
    except Exception as exc:  # an emulator bug: say so in the relay's shape
        logger.exception("emulator error while handling %s %s", method, path)
        response = error(
            kind,
            500,
            f"emulator internal error: {exc!r}",
            request_id,
            type="emulator_error",
            code="emulator_error",
        )
    return _degrade(response, faults, ctx)


def create_app(state: EmulatorState | None = None) -> Starlette:
    """The emulator's ASGI app for ``state`` (a fresh default state if omitted)."""
    state = state or EmulatorState()

    async def endpoint(request: Request) -> Response:
        path = request.url.path
        if path.startswith("/_emulator/"):
            return await _control(state, request, path)
        if path.startswith(media_files.PREFIX):  # result files: key-less, like real storage
            return await media_files.serve(state, request)
        request_id = state.next_request_id()
        response = await _handle(state, request, request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=methods)])
    app.state.emulator = state
    return app
