"""A local, deterministic Wenwen-compatible API server for demos and tests.

>>> from wenwen_emulator import Emulator
>>> with Emulator() as emu:  # doctest: +SKIP
...     client = OpenAI(base_url=emu.base_url + "/v1", api_key=emu.api_key)

Routes: ``POST /v1/chat/completions``, ``POST /v1/completions`` (legacy text completions),
``POST /v1/embeddings``, ``GET /v1/models[/{id}]``, ``POST /v1/messages`` (structured outputs
via ``output_config.format`` / beta ``output_format``), ``POST /v1/responses`` and ``GET`` /
``DELETE /v1/responses/{id}`` (:mod:`.responses_routes`); anything else is new-api's 404
``Invalid URL (METHOD /path)``. Gemini (:mod:`.gemini_routes`):
``POST /v1beta/models/{model}:generateContent`` and ``:streamGenerateContent`` (``?alt=sse``:
SSE; without: a JSON array), ``:countTokens``, ``:embedContent``, ``:batchEmbedContents``,
``GET /v1beta/models[/{model}]``, all also under ``/v1/models/`` (``GET /v1/models`` with a
Google key lists Gemini's shape); auth by ``x-goog-api-key`` or ``?key=``; Google's dummy
thought signature is accepted. Media routes: ``POST /v1/images/generations``,
``POST /v1/images/edits`` (multipart), ``POST /v1/audio/transcriptions`` (multipart;
``stream=true`` sends ``transcript.text.delta`` / ``.done`` events),
``POST /v1/audio/translations``, ``POST /v1/audio/speech``, and key-less ``GET /files/<name>``
for result URLs (see :mod:`.images_routes`, :mod:`.audio_routes`).
Pricing and billing (:mod:`.billing_routes`): ``GET /api/pricing`` (public),
``GET /api/usage/token/``, ``GET /dashboard/billing/subscription`` and ``/usage``; every
billed reply decreases the key's balance by new-api's formula (``emu.billing``), and a spent
balance answers ``403 insufficient_user_quota``.

Scripted replies (:mod:`.script`): ``emu.script(call("search", q="x"), "done")`` or
``POST /_emulator/script`` queue what the model answers next on every chat protocol. The
pytest plugin (:mod:`.pytest_plugin`) gives tests a ``wenwen_emulator`` fixture; its request
helpers live in :mod:`.recorded`.

``Emulator(api_keys=["sk-emulator"], require_auth=True, latency=0.0, quirks=(),
stall_timeout=30.0, host="127.0.0.1", port=0)`` runs uvicorn in a thread; ``base_url``,
``api_key``, ``requests`` (recorded :class:`RecordedRequest` objects), ``quirks`` (mutable set),
``inject(fault, times=1, path=None)``, ``reset()``, ``start()``/``stop()``.

Faults (:mod:`.faults`), per request via ``x-emulator-fault: spec[,spec]`` or queued:
``status:CODE[;retry_after=S][;retry_after_ms=MS]``, ``empty:CODE``, ``disconnect``,
``malformed_json``, ``slow_first_byte:S``, ``midstream_close:N``, ``truncate:N``, ``stall:N``,
``ping``, ``error_event:N``, ``crlf``.

Quirks, per request via ``x-emulator-quirks: a,b`` or server-wide: ``no_tool_index``,
``multi_tool_chunk``, ``repeat_tool_id``, ``cumulative_usage``, ``no_done``,
``reasoning_field`` (OpenAI streams); ``delta_input_tokens``, ``claude_extra_newline``
(Anthropic streams); ``models_200_error`` (unknown ``GET /v1/models/{id}`` answers 200);
``responses_done`` (Responses streams end with ``data: [DONE]``); ``no_structured_outputs``
(``/v1/messages`` answers 400 to ``output_config.format`` / ``output_format``).

Control endpoints (not recorded, no auth): ``POST /_emulator/faults`` ``{"fault", "times",
"path"}``, ``POST /_emulator/script`` ``{"steps", "model", "route"}``,
``POST /_emulator/quirks`` ``{"quirks": [...]}``, ``POST /_emulator/reset``,
``GET /_emulator/requests``, ``GET /_emulator/health``.

Task routes (:mod:`.video_routes`, :mod:`.midjourney_routes`): ``POST /v1/videos``,
``POST /v1/videos/{id}/remix``, ``GET /v1/videos/{id}[/content]``, ``GET /v1/video/generations/{id}``,
``/kling/v1/videos/{text2video,image2video}[/{id}]``, and Midjourney under ``/mj`` and
``/{mode}/mj``. Their jobs age on ``emu.clock`` (``advance(s)``, ``time_scale``;
``Emulator(time_scale=60)``). Failures come from ``[fail: reason]`` in a prompt or
``emu.fail_next_task(reason)``, and submit codes from ``emu.mj_submit_code(code)``. The
control endpoints are ``POST /_emulator/clock/advance``, ``/_emulator/tasks/fail`` and
``/_emulator/tasks/mj-code``.

Without the ``[emulator]`` extra (Starlette, uvicorn), ``from wenwen_emulator import
Emulator`` raises an ``ImportError`` that names it; :mod:`.offline` works without it as long
as ``WENWEN_API_KEY`` is set.

The mock model is described in :mod:`.mock_model`. This package never imports the client code
(``wenwen.protocols`` / ``wenwen.types``), so a mapping bug in the client cannot agree with
itself here.
"""

from __future__ import annotations

import importlib
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .faults import Fault, FaultSpecError
    from .server import Emulator
    from .state import EmulatorState, RecordedRequest

EXTRA_HINT = (
    'the Wenwen emulator needs the [emulator] extra: pip install "wenwen-ai[emulator]" '
    '(from a clone: pip install -e ".[emulator]")'
)
_EXPORTS = {
    "Emulator": ".server",
    "EmulatorState": ".state",
    "Fault": ".faults",
    "FaultSpecError": ".faults",
    "RecordedRequest": ".state",
    "create_app": ".app",
}


def require_extra() -> None:
    """Raise an ``ImportError`` naming the extra when Starlette or uvicorn is missing."""
    missing = [name for name in ("starlette", "uvicorn") if find_spec(name) is None]
    if missing:
        raise ImportError(f"{EXTRA_HINT} ({', '.join(missing)} not installed)")


def __getattr__(name: str) -> Any:
    # Lazy, so that ``wenwen_emulator.offline`` works without the extra when a key is set.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wenwen_emulator' has no attribute {name!r}")
    require_extra()
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = ["Emulator", "EmulatorState", "Fault", "FaultSpecError", "RecordedRequest", "create_app"]
