# ruff: noqa: RUF001  (CJK punctuation and curly quotes are intended)
"""Per-request context handed to route handlers."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from .errors import ErrorResponse, bad_request, error, model_not_found
from .faults import Connection, Fault
from .mock_model import Prompt, Reply, generate
from .models import ModelInfo, get
from .script import Step, scripted_reply
from .state import EmulatorState

QUIRKS = frozenset(
    {
        "no_tool_index",
        "multi_tool_chunk",
        "repeat_tool_id",
        "cumulative_usage",
        "no_done",
        "reasoning_field",
        "delta_input_tokens",
        "claude_extra_newline",
        "models_200_error",
        "responses_done",
        "no_structured_outputs",
    }
)


@dataclass
class Ctx:
    state: EmulatorState
    request: Request
    request_id: str
    body: Any
    kind: str
    """``openai`` or ``claude`` (which error shape to use)."""
    faults: list[Fault] = field(default_factory=list)
    quirks: set[str] = field(default_factory=set)
    conn: Connection | None = None
    scripted: Step | None = None
    """The scripted reply this request gets instead of the mock model's, if any."""

    def reply(self, prompt: Prompt) -> Reply:
        """What the model answers: the scripted step if one was queued, else the mock model."""
        if self.scripted is not None:
            return scripted_reply(self.scripted, prompt)
        return generate(prompt)

    def created(self) -> int:
        return int(time.time())

    def fail(self, status: int, message: str, **kw: Any) -> ErrorResponse:
        return ErrorResponse(error(self.kind, status, message, self.request_id, **kw))

    def bad(self, message: str, **kw: Any) -> ErrorResponse:
        return ErrorResponse(bad_request(self.kind, message, self.request_id, **kw))

    def json_body(self) -> dict[str, Any]:
        if not isinstance(self.body, dict):
            raise self.fail(400, "Invalid request body: expected a JSON object", param="")
        return self.body

    def model(self, body: dict[str, Any]) -> ModelInfo:
        name = body.get("model")
        if not isinstance(name, str) or not name:
            raise self.fail(400, "model name is required / 未指定模型名称，模型名称不能为空")
        info = get(name, self.state.models)
        if info is None:
            raise ErrorResponse(model_not_found(name, self.request_id))
        return info


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
