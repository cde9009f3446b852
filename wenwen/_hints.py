"""Errors that say what to do next. Applied by the clients to an error they are about to
raise (never on a successful call): a refused key says where it came from (never the key),
a connection failure where the client tried to go and where that address came from, an
unknown model the closest names in the relay's model list (``GET /v1/models``, fetched by
the client once, only when such an error is built).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence

from ._http.prepare import PreparedRequest
from ._settings import API_KEY_ENV, BASE_URL_ENV, Settings
from .errors import APIConnectionError, AuthenticationError, ModelNotFoundError, WenwenError

_GEMINI_MODEL_PATH = re.compile(r"/models/([^/:?]+)[:?]")
_MAX_SUGGESTIONS = 3


def _add(error: WenwenError, hint: str) -> None:
    """Append ``hint`` to what users see (``str(error)``); structured fields stay as they are."""
    text = str(error)
    error.args = (f"{text} ({hint})" if text else hint,)


def requested_model(prepared: PreparedRequest) -> str | None:
    """The model a request asked for: its JSON body's ``model``, or Gemini's path."""
    match = _GEMINI_MODEL_PATH.search(prepared.path)
    if match:
        return match.group(1)
    if not prepared.content or not prepared.content.lstrip().startswith(b"{"):
        return None
    try:
        model = json.loads(prepared.content).get("model")
    except ValueError:
        return None
    return model if isinstance(model, str) else None


def needs_model_list(error: Exception, prepared: PreparedRequest) -> bool:
    return isinstance(error, ModelNotFoundError) and requested_model(prepared) is not None


def close_models(model: str, known: Sequence[str]) -> list[str]:
    """Up to three names from ``known`` close to ``model`` (case and a vendor prefix aside;
    a dated or longer name that starts with ``model`` counts as close)."""
    wanted = model.lower().rsplit("/", 1)[-1]
    by_lower = {name.lower(): name for name in known}
    close = difflib.get_close_matches(wanted, list(by_lower), n=_MAX_SUGGESTIONS, cutoff=0.6)
    longer = sorted(n for n in by_lower if n.startswith(wanted) and n != wanted)
    ordered = [*close, *(n for n in longer if n not in close)][:_MAX_SUGGESTIONS]
    return [by_lower[name] for name in ordered]


def explain(
    error: Exception,
    prepared: PreparedRequest,
    settings: Settings,
    known_models: Sequence[str] | None = None,
) -> None:
    """Add what to do next to ``error`` (in place)."""
    if isinstance(error, AuthenticationError):
        error.key_source = settings.key_source
        _add(
            error,
            f"the key came from {settings.key_source}; check it, or pass another one with "
            f"api_key=... or {API_KEY_ENV}",
        )
    elif isinstance(error, APIConnectionError):
        _add(
            error,
            f"the base URL {settings.base_url} came from {settings.base_url_source}; is the "
            f"relay reachable there? Set {BASE_URL_ENV} or base_url=... to change it",
        )
    elif isinstance(error, ModelNotFoundError):
        model = requested_model(prepared)
        if model is None or known_models is None:
            return
        error.suggestions = tuple(close_models(model, known_models))
        if error.suggestions:
            _add(error, f"did you mean {', '.join(error.suggestions)}?")
        elif known_models:
            _add(error, f"no close name among the relay's {len(known_models)} models; "
                 "client.list_models() lists them")  # fmt: skip
