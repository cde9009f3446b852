"""The request fields that only the OpenAI Responses protocol carries; the other protocols
name them in an error instead of dropping them."""

from __future__ import annotations

from ..errors import UnsupportedFeatureError
from ..types import ChatRequest


def reject_responses_only(request: ChatRequest, protocol: str, *, store: bool = False) -> None:
    """Raise for Responses-only fields; ``store=True`` when the protocol has ``store`` too
    (chat completions)."""
    fields = {
        "store": None if store else request.store,
        "previous_response_id": request.previous_response_id,
        "reasoning_summary": request.reasoning_summary,
        "include": request.include or None,
        "server_tools": request.server_tools or None,
    }
    named = [name for name, value in fields.items() if value is not None]
    if named:
        raise UnsupportedFeatureError(
            f"{', '.join(named)} cannot be sent over {protocol}; use protocol='responses'"
        )
