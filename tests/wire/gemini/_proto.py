"""Strict validation by the official ``google-ai-generativelanguage`` protos: a body that
has a field the API does not define, or a value of the wrong type, fails to parse."""

from __future__ import annotations

import json
from typing import Any

from google.ai import generativelanguage_v1beta as glm
from google.protobuf import json_format


def parse_strict(message_class: Any, body: Any) -> Any:
    message = message_class.pb(message_class())
    json_format.Parse(json.dumps(body), message, ignore_unknown_fields=False)
    return message


def check_request(body: dict[str, Any]) -> Any:
    """``body`` parsed as a ``GenerateContentRequest`` (raises ``ParseError`` otherwise)."""
    return parse_strict(glm.GenerateContentRequest, body)


def check_response(body: dict[str, Any]) -> Any:
    """``body`` parsed as a ``GenerateContentResponse`` (raises ``ParseError`` otherwise)."""
    return parse_strict(glm.GenerateContentResponse, body)
