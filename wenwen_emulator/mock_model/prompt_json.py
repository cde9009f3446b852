"""What JSON a prompt asks for, in any of the forms prompts use.

Templates ask in prose ("The output should be ONLY JSON", "output … in json markdown",
"Here's a JSON schema to follow"), show a JSON schema, an example object (often loose:
bare keys, ``...`` placeholders) or name keys in prose, and some double every brace
(``{{`` / ``}}``, a template engine's escape). :func:`requested_schema` turns whichever
is there into a JSON schema for :mod:`.schema_fill`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import textutil

_ASKS = re.compile(
    r"(?i)\b(?:output|respond|response|return|reply|answer|format(?:ted)?|give|provide|"
    r"produce|generate|write|emit)\b[^.\n]{0,60}\bjson\b"
    r"|\bjson\b[^.\n]{0,30}\b(?:object|instance|schema|only|markdown|blob)\b"
)
_LABEL = re.compile(
    r"(?i)\b(?:example|output|format|response|respond|return|answer|like|following|schema|"
    r"structure|template)\b"
)
_FENCE = re.compile(r"```[\w-]*\s*$")
_PLACEHOLDER = re.compile(r",?\s*(?:\.\.\.|…)\s*(?=[\]}])")
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_][\w-]*)\s*:")
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_KEYS_WORD = re.compile(r"(?i)\b(?:keys?|fields?|properties|attributes)\b[:\s]*")
_IDENT_QUOTED = re.compile(r"['\"“‘`]([A-Za-z_][\w]*)['\"”’`]")  # noqa: RUF001
_IDENT = re.compile(r"[A-Za-z_]\w*")


def asks_for_json(text: str) -> bool:
    """Whether an instruction in ``text`` asks for a JSON reply."""
    return _ASKS.search(text) is not None


def undouble_braces(text: str) -> str:
    """``{{"a": 1}}`` → ``{"a": 1}``: the escape templates use for literal braces. Only
    when ``{{`` occurs (valid JSON never has it; a nested object does end in ``}}``)."""
    if "{{" not in text:
        return text
    return text.replace("{{", "{").replace("}}", "}")


def _balanced(text: str, start: int) -> int:
    """The end of the bracketed span opening at ``start`` (strings respected), or -1."""
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def _loads_loose(snippet: str) -> Any:
    try:
        return json.loads(snippet)
    except ValueError:
        pass
    fixed = _PLACEHOLDER.sub("", snippet)
    fixed = _BARE_KEY.sub(r'\1"\2":', fixed)
    fixed = _TRAILING_COMMA.sub(r"\1", fixed)
    return json.loads(fixed)


def json_values(text: str) -> list[tuple[int, Any]]:
    """``(position, value)`` of each top-level JSON object or array in ``text``, strict or
    loose (bare keys, ``...`` placeholders, trailing commas)."""
    return [(start, value) for start, _, value in json_spans(text)]


def json_spans(text: str) -> list[tuple[int, int, Any]]:
    """``(start, end, value)`` of each top-level JSON value (see :func:`json_values`)."""
    found: list[tuple[int, int, Any]] = []
    pos = 0
    while True:
        match = re.compile(r"[\[{]").search(text, pos)
        if match is None:
            return found
        end = _balanced(text, match.start())
        if end < 0:
            pos = match.end()
            continue
        try:
            value = _loads_loose(text[match.start() : end])
        except ValueError:
            pos = match.end()
            continue
        if isinstance(value, dict | list) and value:
            found.append((match.start(), end, value))
            pos = end
        else:
            pos = match.end()


def _is_schema(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("properties"), dict)


def _labelled(text: str, position: int) -> bool:
    """Whether the line before ``position`` (fences skipped) introduces an example."""
    lines = text[:position].rstrip().splitlines()
    while lines and (not lines[-1].strip() or _FENCE.match(lines[-1].strip())):
        lines.pop()
    head = lines[-1] if lines else ""
    own_line = text[:position].rsplit("\n", 1)[-1]  # "Example: {...}" on one line
    return _LABEL.search(head + " " + own_line) is not None


def schema_from_example(value: Any) -> dict[str, Any]:
    """A JSON schema that ``value`` (an example reply) is an instance of."""
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {k: schema_from_example(v) for k, v in value.items()},
            "required": list(value),
        }
    if isinstance(value, list):
        return {"type": "array", "items": schema_from_example(value[0]) if value else {}}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    return {"type": "string"}


def keys_in_text(text: str) -> list[str]:
    """Key names requested in prose: quoted identifiers in a sentence that mentions keys or
    fields, else the identifiers right after the word "keys"."""
    keys: list[str] = []
    for sentence in textutil.sentences(text):
        match = _KEYS_WORD.search(sentence)
        if match is None:
            continue
        found = _IDENT_QUOTED.findall(sentence)
        if not found:
            after = [
                w
                for w in _IDENT.findall(sentence[match.end() :])
                if w.lower() not in ("and", "or", "with", "named", "called")
            ]
            found = after[:6]
        for key in found:
            if key not in keys and key.lower() not in textutil.STOPWORDS:
                keys.append(key)
    return keys


def requested_schema(text: str) -> dict[str, Any]:
    """The shape ``text`` asks for: a JSON schema it contains, else its last labelled example,
    else the keys it names, else ``{"answer": …}``."""
    plain = undouble_braces(text)
    values = json_values(plain)
    schemas = [v for _, v in values if _is_schema(v)]
    if schemas:
        return schemas[-1]
    examples = [v for pos, v in values if _labelled(plain, pos)]
    if examples:
        return schema_from_example(examples[-1])
    keys = keys_in_text(plain) or ["answer"]
    return {
        "type": "object",
        "properties": {k: {"type": "string"} for k in keys},
        "required": keys,
    }


def content_text(text: str) -> str:
    """``text`` without its JSON schemas, examples and the sentences asking for JSON: what
    the reply's values should come from."""
    plain = undouble_braces(text)
    kept, pos = [], 0
    for start, end, _ in json_spans(plain):
        kept.append(plain[pos:start] + "\n")
        pos = end
    kept.append(plain[pos:])
    lines = []
    for line in "".join(kept).splitlines():
        sentences = [s for s in textutil.sentences(line) if not _about_format(s)]
        if any(re.search(r"\w", s) for s in sentences):  # not a lone "." left by a cut
            lines.append(" ".join(sentences))
        elif not line.strip():
            lines.append("")
    return "\n".join(lines)


def _about_format(sentence: str) -> bool:
    lowered = sentence.lower()
    return (
        asks_for_json(sentence)
        or "schema" in lowered
        or "json" in lowered
        or _LABEL.fullmatch(lowered.strip(" :<>#`")) is not None
    )
